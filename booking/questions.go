package booking

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// QuestionKind says what answer a pre-question takes.
type QuestionKind string

// The pre-question kinds.
const (
	// QuestionText takes free text of at most MaxLength characters; it is
	// the kind of a question without one.
	QuestionText QuestionKind = "text"
	// QuestionChoice takes the Value of one of the question's Options.
	QuestionChoice QuestionKind = "choice"
	// QuestionYesNo takes AnswerYes or AnswerNo.
	QuestionYesNo QuestionKind = "yesno"
	// QuestionNumber takes a decimal number ("38.5") within Min and Max.
	QuestionNumber QuestionKind = "number"
)

// The answers of a QuestionYesNo.
const (
	AnswerYes = "yes"
	AnswerNo  = "no"
)

// DefaultMaxLength is the length limit, in characters, of the answer to a
// text question that sets none.
const DefaultMaxLength = 500

// Option is one choice of a QuestionChoice.
type Option struct {
	// Value is what the answer carries; unique within the question.
	Value string      `json:"value"`
	Text  civil.Names `json:"text"`
}

// Question is a pre-question shown to a client who books a service; the
// answers go with the appointment so the professional sees what the client
// said. An answer may send the client to the phone instead: a client's
// booking with such an answer is refused with a *CallError.
type Question struct {
	ID       string      `json:"id"`
	Text     civil.Names `json:"text"`
	Required bool        `json:"required,omitempty"`
	// Kind is the kind of answer. Defaults to QuestionText.
	Kind QuestionKind `json:"kind,omitempty"`
	// Options are the choices of a QuestionChoice, at least two.
	Options []Option `json:"options,omitempty"`
	// Min and Max bound the answer to a QuestionNumber (nil: unbounded).
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// MaxLength limits the answer to a QuestionText, in characters.
	// Defaults to DefaultMaxLength.
	MaxLength int `json:"maxLength,omitempty"`
	// CallOn lists the answers (option values, AnswerYes or AnswerNo)
	// that send a client to the phone instead of booking.
	CallOn []string `json:"callOn,omitempty"`
	// CallAbove and CallBelow send a client whose answer to a
	// QuestionNumber is above or below them to the phone.
	CallAbove *float64 `json:"callAbove,omitempty"`
	CallBelow *float64 `json:"callBelow,omitempty"`
}

// kind returns the question's kind with its default.
func (q *Question) kind() QuestionKind {
	if q.Kind == "" {
		return QuestionText
	}
	return q.Kind
}

// validate reports the first problem of a question's definition.
func (q *Question) validate() *carecontact.FieldError {
	if q.Text.FI == "" {
		return qInvalid("text.fi", "is empty")
	}
	if q.MaxLength < 0 {
		return qInvalid("maxLength", "is negative")
	}
	k := q.kind()
	if k != QuestionNumber && (q.Min != nil || q.Max != nil || q.CallAbove != nil || q.CallBelow != nil) {
		return qInvalid("kind", "min, max, callAbove and callBelow are for number questions")
	}
	if k != QuestionChoice && len(q.Options) > 0 {
		return qInvalid("options", "are for choice questions")
	}
	switch k {
	case QuestionText:
		if len(q.CallOn) > 0 {
			return qInvalid("callOn", "a text answer cannot send the client to the phone")
		}
	case QuestionChoice:
		if len(q.Options) < 2 {
			return qInvalid("options", "want at least two")
		}
		seen := map[string]bool{}
		for i, o := range q.Options {
			if o.Value == "" || seen[o.Value] {
				return qInvalid(fmt.Sprintf("options[%d].value", i), "empty or repeated")
			}
			if o.Text.FI == "" {
				return qInvalid(fmt.Sprintf("options[%d].text.fi", i), "is empty")
			}
			seen[o.Value] = true
		}
		for i, v := range q.CallOn {
			if !seen[v] {
				return qInvalid(fmt.Sprintf("callOn[%d]", i), fmt.Sprintf("%q is not an option", v))
			}
		}
	case QuestionYesNo:
		for i, v := range q.CallOn {
			if v != AnswerYes && v != AnswerNo {
				return qInvalid(fmt.Sprintf("callOn[%d]", i), fmt.Sprintf("%q: want yes or no", v))
			}
		}
	case QuestionNumber:
		for _, p := range []*float64{q.Min, q.Max, q.CallAbove, q.CallBelow} {
			if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
				return qInvalid("min", "min, max, callAbove and callBelow must be finite")
			}
		}
		if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
			return qInvalid("min", "is above max")
		}
		if len(q.CallOn) > 0 {
			return qInvalid("callOn", "a number question uses callAbove and callBelow")
		}
	default:
		return qInvalid("kind", fmt.Sprintf("%q: want text, choice, yesno or number", q.Kind))
	}
	return nil
}

// qInvalid is a problem of a question's definition, its field relative to
// the question.
func qInvalid(field, reason string) *carecontact.FieldError {
	return &carecontact.FieldError{Field: field, Reason: reason, Err: ErrInvalid}
}

// check validates an answer text (not empty) against the question and
// reports whether it sends the client to the phone. The reason never
// repeats the answer, which may be personal data.
func (q *Question) check(text string) (call bool, reason string) {
	switch q.kind() {
	case QuestionText:
		limit := q.MaxLength
		if limit == 0 {
			limit = DefaultMaxLength
		}
		if !utf8.ValidString(text) {
			return false, "is not valid UTF-8"
		}
		if n := utf8.RuneCountInString(text); n > limit {
			return false, fmt.Sprintf("is %d characters long: at most %d", n, limit)
		}
		return false, ""
	case QuestionChoice:
		if !slices.ContainsFunc(q.Options, func(o Option) bool { return o.Value == text }) {
			return false, "is not one of the options"
		}
	case QuestionYesNo:
		if text != AnswerYes && text != AnswerNo {
			return false, "want yes or no"
		}
	case QuestionNumber:
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.Replace(text, ",", ".", 1)), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return false, "is not a number"
		}
		if q.Min != nil && v < *q.Min {
			return false, fmt.Sprintf("is below the minimum %s", strconv.FormatFloat(*q.Min, 'f', -1, 64))
		}
		if q.Max != nil && v > *q.Max {
			return false, fmt.Sprintf("is above the maximum %s", strconv.FormatFloat(*q.Max, 'f', -1, 64))
		}
		return (q.CallAbove != nil && v > *q.CallAbove) || (q.CallBelow != nil && v < *q.CallBelow), ""
	}
	return slices.Contains(q.CallOn, text), ""
}

// ErrCallInstead reports an answer to a pre-question that sends the client
// to the phone instead of booking; see CallError.
var ErrCallInstead = carecontact.Sentinel(carecontact.ErrNotAllowed, "booking: call instead of booking")

// CallError refuses a client's booking because an answer to a pre-question
// needs a professional on the phone (for example, a high fever before a
// vaccination). It names the question, never the answer, and matches
// ErrCallInstead and ErrNotAllowed.
type CallError struct {
	// Service is the service's code.
	Service string
	// Question is the ID of the question whose answer needs a call.
	Question string
}

// Error says that the client should call, naming the question.
func (e *CallError) Error() string {
	return fmt.Sprintf("booking: service %s: the answer to question %s needs a call: please call the service instead of booking", e.Service, e.Question)
}

// Is reports whether target is ErrCallInstead or the root kind it wraps.
func (e *CallError) Is(target error) bool { return errors.Is(ErrCallInstead, target) }

// checkAnswers verifies answers against the pre-questions. When self is set
// (a client booking a new appointment) required questions must be
// answered and an answer that sends the client to the phone refuses the
// booking with a *CallError. Bad answers are *carecontact.FieldError
// values whose field names the question ("answers.<id>"), or the answer
// ("answers[<i>].text") for a text that is no free text at all (see
// carecontact.ValidateText).
func (s *Service) checkAnswers(answers []Answer, self bool) error {
	given := map[string]bool{}
	var call string
	for i, a := range answers {
		qi := slices.IndexFunc(s.PreQuestions, func(q Question) bool { return q.ID == a.QuestionID })
		if qi < 0 {
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("answers[%d].questionId", i), fmt.Sprintf("%q is not a question of service %s", a.QuestionID, s.Code))
		}
		if err := carecontact.ValidateText(ErrInvalid, fmt.Sprintf("answers[%d].text", i), a.Text); err != nil {
			return err
		}
		if _, dup := given[a.QuestionID]; dup {
			return carecontact.Invalid(ErrInvalid, "answers."+a.QuestionID, "answered twice")
		}
		given[a.QuestionID] = a.Text != ""
		if a.Text == "" {
			continue
		}
		c, reason := s.PreQuestions[qi].check(a.Text)
		if reason != "" {
			return carecontact.Invalid(ErrInvalid, "answers."+a.QuestionID, "the answer "+reason)
		}
		if c && call == "" {
			call = a.QuestionID
		}
	}
	if !self {
		return nil
	}
	for _, q := range s.PreQuestions {
		if q.Required && !given[q.ID] {
			return carecontact.Invalid(ErrInvalid, "answers."+q.ID, "a required question is not answered")
		}
	}
	if call != "" {
		return &CallError{Service: s.Code, Question: call}
	}
	return nil
}

// Answer is a client's answer to a pre-question: the text of a text
// question, an option's Value, AnswerYes or AnswerNo, or a decimal number.
type Answer struct {
	QuestionID string `json:"questionId"`
	Text       string `json:"text"`
}
