package booking

import (
	"errors"
	"strings"
	"testing"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// FuzzAnswers checks the answers clients type against every kind of
// pre-question: an answer is accepted, refused as a *carecontact.FieldError
// naming its question, or sends the client to the phone; the error never
// repeats the answer.
func FuzzAnswers(f *testing.F) {
	for _, seed := range []string{"yes", "no", "left", "37,5", "39", "1e309", "NaN", "-0", "äöå", strings.Repeat("x", 30), "\xff"} {
		f.Add(seed)
	}
	lo, hi, call := 34.0, 43.0, 38.0
	svc := Service{Code: "s", PreQuestions: []Question{
		{ID: "t", Text: civil.Names{FI: "t"}, MaxLength: 20},
		{ID: "c", Text: civil.Names{FI: "c"}, Kind: QuestionChoice, Options: []Option{{Value: "left", Text: civil.Names{FI: "l"}}, {Value: "right", Text: civil.Names{FI: "r"}}}, CallOn: []string{"right"}},
		{ID: "y", Text: civil.Names{FI: "y"}, Kind: QuestionYesNo, CallOn: []string{AnswerYes}},
		{ID: "n", Text: civil.Names{FI: "n"}, Kind: QuestionNumber, Min: &lo, Max: &hi, CallAbove: &call},
	}}
	f.Fuzz(func(t *testing.T, text string) {
		for _, q := range svc.PreQuestions {
			err := svc.checkAnswers([]Answer{{QuestionID: q.ID, Text: text}}, true)
			if err == nil {
				continue
			}
			var fe *carecontact.FieldError
			var ce *CallError
			switch {
			case errors.As(err, &fe):
				// Text that is no free text at all is refused before
				// the question reads it.
				if fe.Field != "answers."+q.ID && (fe.Field != "answers[0].text" || carecontact.ValidateText(ErrInvalid, "t", text) == nil) {
					t.Fatalf("question %s: field %q", q.ID, fe.Field)
				}
			case errors.As(err, &ce):
				if ce.Question != q.ID {
					t.Fatalf("question %s: call for %q", q.ID, ce.Question)
				}
			default:
				t.Fatalf("question %s: %v", q.ID, err)
			}
			if len(text) > 24 && strings.Contains(err.Error(), text) {
				t.Fatalf("question %s: the error repeats the answer", q.ID)
			}
		}
	})
}
