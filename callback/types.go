package callback

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// Urgency is how soon a client must be called back.
type Urgency int

// The urgencies, least urgent first.
const (
	// NonUrgent requests are called back the same day when made before the
	// daily cut-off, and within the statutory outer bound in any case.
	NonUrgent Urgency = iota
	// Urgent requests are called back within Config.UrgentWithin.
	Urgent
)

// String returns "non_urgent" or "urgent".
func (u Urgency) String() string {
	switch u {
	case NonUrgent:
		return "non_urgent"
	case Urgent:
		return "urgent"
	default:
		return "invalid"
	}
}

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool { return u == NonUrgent || u == Urgent }

// Phone is a client's phone number. It is stored so the host can place the
// call, and it never appears in logs, errors or events: every formatting of
// a Phone prints "<redacted>".
type Phone string

// String returns "<redacted>".
func (Phone) String() string { return "<redacted>" }

// GoString returns "<redacted>".
func (Phone) GoString() string { return "<redacted>" }

// LogValue keeps the number out of log/slog output.
func (Phone) LogValue() slog.Value { return slog.StringValue("<redacted>") }

// Format prints "<redacted>" for every verb.
func (Phone) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("<redacted>")) }

// Number returns the number itself, for the host's telephony only.
func (p Phone) Number() string { return string(p) }

// MarshalJSON writes "<redacted>": a Phone in a host's JSON (a log line, an
// API answer) never shows the number. Stores keep the number in a column
// of its own (Number), never through JSON.
func (Phone) MarshalJSON() ([]byte, error) { return []byte(`"<redacted>"`), nil }

// Phone numbers have at most 15 digits (ITU-T E.164) and, for the
// library, at least 5; written with separators, at most 32 bytes.
const (
	minPhoneDigits = 5
	maxPhoneDigits = 15
	maxPhoneLen    = 32
)

// Validate reports whether p reads as a phone number: an optional leading
// "+", then 5 to 15 digits with spaces, "-", ".", "/", "(" and ")" between
// them, at most 32 bytes in all, and nothing else. The error never repeats
// the number.
func (p Phone) Validate() error {
	if len(p) > maxPhoneLen {
		return carecontact.Invalid(ErrInvalidRequest, "phone", fmt.Sprintf("is longer than %d bytes", maxPhoneLen))
	}
	s := strings.TrimPrefix(string(p), "+")
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" -./()", r):
		default:
			return carecontact.Invalid(ErrInvalidRequest, "phone", "holds a character that is not a digit or a separator")
		}
	}
	if digits < minPhoneDigits || digits > maxPhoneDigits {
		return carecontact.Invalid(ErrInvalidRequest, "phone", fmt.Sprintf("must have %d to %d digits", minPhoneDigits, maxPhoneDigits))
	}
	return nil
}

// Request is a client's request to be called back.
type Request struct {
	// ID, when set, is the ID the new request gets (the front door uses
	// the admitted contact's reference, so both name one contact). It must
	// not look like a phone number or identity code: it appears in audit
	// subjects. Defaults to an ID from Config.NewID.
	ID string `json:"id,omitempty"`
	// Client is the pseudonymous client reference (never an identity code).
	Client carecontact.ClientRef
	// Phone is the number to call; it is never logged nor marshalled. It
	// must read as a phone number (Phone.Validate).
	Phone Phone `json:"-"`
	// Errand is what the client contacts about.
	Errand channel.Errand
	// Urgency sets the deadline.
	Urgency Urgency
	// PostalCode is the client's postal code; the Router maps it to an area.
	PostalCode string
	// Language is the client's preferred language: any well-formed BCP 47
	// tag ("sv-FI", "en-GB", "de"), matched to fi, sv or en as
	// civil.ParseLanguage does (unsupported falls back to fi; empty is
	// fi). A malformed tag is ErrInvalidRequest.
	Language civil.Language
	// OwnTeam and OwnProfessional identify a known client's own care team
	// and nurse, when the host knows them; they are routed to first.
	OwnTeam         carecontact.TeamID
	OwnProfessional carecontact.ProfessionalID
}

// Validate reports the first missing or malformed field as a
// *carecontact.FieldError naming it. IDs and references longer than
// carecontact.MaxIDLen bytes, not UTF-8 or holding control characters are
// refused, and so is an ID that looks like a phone number or identity code.
func (r Request) Validate() error {
	switch {
	case r.Client == "":
		return carecontact.Invalid(ErrInvalidRequest, "client", "is empty")
	case r.Phone == "":
		return carecontact.Invalid(ErrInvalidRequest, "phone", "is empty")
	case r.Errand == "":
		return carecontact.Invalid(ErrInvalidRequest, "errand", "is empty")
	case !r.Urgency.Valid():
		return carecontact.Invalid(ErrInvalidRequest, "urgency", "is not non_urgent or urgent")
	case r.PostalCode == "" && r.OwnTeam == "":
		return carecontact.Invalid(ErrInvalidRequest, "postalCode", "is required without an own team")
	}
	if err := r.Phone.Validate(); err != nil {
		return err
	}
	for _, f := range []struct{ name, id string }{{"id", r.ID}, {"client", string(r.Client)}, {"errand", string(r.Errand)},
		{"postalCode", r.PostalCode}, {"ownTeam", string(r.OwnTeam)}, {"ownProfessional", string(r.OwnProfessional)}} {
		if err := carecontact.ValidateID(ErrInvalidRequest, f.name, f.id); err != nil {
			return err
		}
	}
	if r.ID != "" && audit.Redact(r.ID) != r.ID {
		return carecontact.Invalid(ErrInvalidRequest, "id", "looks like a phone number or identity code")
	}
	if _, err := civil.ParseLanguage(string(r.Language)); err != nil {
		return languageError()
	}
	return nil
}

// State is where a request is in its life.
type State string

// The states. Open states are every state but Closed.
const (
	// StatePlanned: a window is promised (or, for Unplaced requests, not yet
	// found); the request waits for its window or its next retry.
	StatePlanned State = "planned"
	// StateDue: the window (or retry time) has come; the request waits in
	// the team's dispatch queue for a professional.
	StateDue State = "due"
	// StateInCall: a professional has taken the request and is calling.
	StateInCall State = "in_call"
	// StateClosed: reached, or closed with a closing outcome.
	StateClosed State = "closed"
)

// Result is the result of one call attempt.
type Result string

// The attempt results.
const (
	Answered Result = "answered"
	NoAnswer Result = "no_answer"
)

// Outcome is how a request was closed.
type Outcome string

// The closing outcomes.
const (
	// OutcomeReached: the client answered a callback.
	OutcomeReached Outcome = "reached"
	// OutcomeSecureMessage: the client did not answer any attempt and was
	// sent a secure message instead (the default closing outcome).
	OutcomeSecureMessage Outcome = "secure_message_sent"
	// OutcomeWithdrawn: the errand was settled in another channel (or the
	// client cancelled) before the callback was made; nobody calls.
	OutcomeWithdrawn Outcome = "withdrawn"
)

// Window is a promised callback window [Start, End), in UTC.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// IsZero reports whether w is the zero window (nothing promised).
func (w Window) IsZero() bool { return w.Start.IsZero() }

// Contains reports whether t is in [Start, End).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Attempt is one recorded call attempt.
type Attempt struct {
	Professional carecontact.ProfessionalID `json:"professional"`
	Start        time.Time                  `json:"start"`
	End          time.Time                  `json:"end,omitempty"`
	Result       Result                     `json:"result,omitempty"`
}

// Record is the stored state of one callback request. Stores keep it whole;
// the Planner changes it only with a compare-and-set on Version.
type Record struct {
	ID      string                `json:"id"`
	Client  carecontact.ClientRef `json:"client"`
	Phone   Phone                 `json:"-"`
	Errand  channel.Errand        `json:"errand"`
	Urgency Urgency               `json:"urgency"`
	Area    carecontact.AreaID    `json:"area"`
	// OwnProfessional and OwnTeam are the client's own professional and
	// care team (Request.OwnProfessional, Request.OwnTeam): a due call is
	// offered to the own professional first while they are free, and
	// continuity is measured against both.
	OwnProfessional carecontact.ProfessionalID `json:"own_professional,omitempty"`
	OwnTeam         carecontact.TeamID         `json:"own_team,omitempty"`
	// Language is the client's preferred language.
	Language civil.Language `json:"language"`
	// RequestedAt is the original request time; it orders the request
	// through widening and retries.
	RequestedAt time.Time `json:"requested_at"`
	// Deadline is when the client must have been called at the latest.
	Deadline time.Time `json:"deadline"`
	// Handling is the expected handling time of one call.
	Handling time.Duration `json:"handling"`
	// Steps are the routing steps (team per step) the request may use.
	Steps []Step `json:"steps"`
	// StepIndex is the routing step in use; Team is Steps[StepIndex].Team.
	StepIndex int                `json:"step_index"`
	Team      carecontact.TeamID `json:"team"`
	// Window is the window currently promised to the client. Promised is
	// the first window told; the promise-kept rate is measured against it.
	Window   Window `json:"window"`
	Promised Window `json:"promised"`
	// NextDay marks a promise later than the request's own day: a breach of
	// the same-day target when the request came before the cut-off.
	NextDay bool `json:"next_day"`
	// BeforeCutoff: the request came before the daily cut-off, so it counts
	// towards the same-day service level.
	BeforeCutoff bool `json:"before_cutoff"`
	// Unplaced: no capacity could hold the request up to its outer bound;
	// it waits (reported to the team lead) until capacity appears.
	Unplaced bool `json:"unplaced"`
	// Priority orders requests within a window; promotion raises it.
	Priority int `json:"priority"`
	// Escalation is the level of low-slack escalation reached. It is
	// stored as its number (0 to 3).
	Escalation EscalationLevel `json:"escalation"`
	// Broken marks a told promise that re-planning could not keep.
	Broken bool  `json:"broken"`
	State  State `json:"state"`
	// Dispatches counts the times the request was made due (EventDue): at
	// its window, at each retry, and again when widening moves a due
	// request to another team. frontdoor.ItemOf names the routing item of the
	// latest one. (Records stored before the field existed count from 0:
	// drain due requests before upgrading a host that dispatches through
	// routing.)
	Dispatches int `json:"dispatches,omitempty"`
	// Handover marks a due request whose latest dispatch the Dispatcher
	// refused (an error); the next Advance hands the same dispatch over
	// again, so a refused dispatch is never lost.
	Handover bool      `json:"handover,omitempty"`
	DueAt    time.Time `json:"due_at,omitempty"`
	Retry    time.Time `json:"retry,omitempty"`
	Calls    []Attempt `json:"attempts"`
	Joins    int       `json:"joins"`
	Out      Outcome   `json:"outcome,omitempty"`
	Closed   time.Time `json:"closed,omitempty"`
	// Version is bumped by the store on every change.
	Version int64 `json:"version"`
}

// Open reports whether the request is not yet closed.
func (r Record) Open() bool { return r.State != StateClosed }

// Clone returns a deep copy of r.
func (r Record) Clone() Record {
	r.Steps = append([]Step(nil), r.Steps...)
	r.Calls = append([]Attempt(nil), r.Calls...)
	return r
}

// Key returns the open-request key of client and errand: one open request
// per client and errand.
func Key(client carecontact.ClientRef, errand channel.Errand) string {
	return string(client) + "\x00" + string(errand)
}

// languageError is the error of a language that is not a BCP 47 tag: a
// *carecontact.FieldError naming "language" that matches ErrInvalidRequest
// and civil.ErrInvalid.
func languageError() error {
	return &carecontact.FieldError{Field: "language", Reason: "is not a BCP 47 tag",
		Err: fmt.Errorf("%w (%w)", ErrInvalidRequest, civil.ErrInvalid)}
}
