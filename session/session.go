package session

import (
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Session is one client's errand from first contact to outcome. It is a
// plain value: the Manager loads it from the Store, changes a copy and
// writes it back with a version compare-and-set. Every field is JSON
// encodable so adapters may store it as a document.
type Session struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	// Client is the pseudonymous client reference, never an identity code.
	Client carecontact.ClientRef `json:"client"`
	Errand channel.Errand        `json:"errand"`
	State  State                 `json:"state"`
	// Team is the team that owns the session now.
	Team carecontact.TeamID `json:"team"`
	// Assignee is the professional handling the session, "" when waiting.
	Assignee carecontact.ProfessionalID `json:"assignee,omitempty"`
	// OwnProfessional and OwnTeam are the client's own professional and
	// care team, for the continuity KPI; "" when the client has none.
	OwnProfessional carecontact.ProfessionalID `json:"own_professional,omitempty"`
	OwnTeam         carecontact.TeamID         `json:"own_team,omitempty"`
	WorkItem        carecontact.ItemID         `json:"work_item,omitempty"`
	// Contact is the ID of the duplicate-demand contact (demand.Contact)
	// the session was admitted as.
	Contact string `json:"contact,omitempty"`
	// Duplicate is true when the contact duplicated another one.
	Duplicate bool `json:"duplicate,omitempty"`
	// Identity is how strongly the client has been identified, and how.
	Identity       channel.IdentityLevel `json:"identity"`
	IdentityMethod string                `json:"identity_method,omitempty"`
	// IdentifiedUntil is when a strong identification from the Identifier
	// expires (see IdentityAt); zero when it does not.
	IdentifiedUntil time.Time `json:"identified_until,omitzero"`

	Legs         []Leg           `json:"legs,omitempty"`
	Participants []Participant   `json:"participants,omitempty"`
	Notes        []Note          `json:"notes,omitempty"`
	Checklist    []ChecklistMark `json:"checklist,omitempty"`
	Transfers    []Transfer      `json:"transfers,omitempty"`
	// Failures records transport attempts that failed for good.
	Failures []Failure `json:"failures,omitempty"`

	Outcome  Outcome   `json:"outcome,omitempty"`
	OpenedAt time.Time `json:"opened_at"`
	WrapUpAt time.Time `json:"wrap_up_at,omitzero"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// Leg is the part of a session spent in one channel.
type Leg struct {
	Kind channel.Kind `json:"kind"`
	// Ref is the transport's reference: a call, room or conversation ID,
	// or a booking for an in-person leg.
	Ref       string                     `json:"ref,omitempty"`
	By        carecontact.ProfessionalID `json:"by"` // professional who ran the leg
	StartedAt time.Time                  `json:"started_at"`
	EndedAt   time.Time                  `json:"ended_at,omitzero"`
	// EndReason says why the leg ended: "escalated", "transferred",
	// "finished", "no_answer", ...
	EndReason string `json:"end_reason,omitempty"`
}

// Running reports whether the leg has not ended.
func (l Leg) Running() bool { return l.EndedAt.IsZero() }

// Duration is how long the leg ran, measured to now while it runs.
func (l Leg) Duration(now time.Time) time.Duration {
	if l.Running() {
		return now.Sub(l.StartedAt)
	}
	return l.EndedAt.Sub(l.StartedAt)
}

// Participant is a professional invited into a leg besides the assignee.
type Participant struct {
	ID        carecontact.ProfessionalID `json:"id"`
	Role      string                     `json:"role,omitempty"`
	Leg       int                        `json:"leg"` // index into Legs
	InvitedBy carecontact.ProfessionalID `json:"invited_by"`
	JoinedAt  time.Time                  `json:"joined_at"`
	LeftAt    time.Time                  `json:"left_at,omitzero"`
}

// Present reports whether the participant has not left.
func (p Participant) Present() bool { return p.LeftAt.IsZero() }

// Note is a professional's note on the session. Notes are client data:
// they are stored with the session and never copied into audit events.
type Note struct {
	By   carecontact.ProfessionalID `json:"by"`
	At   time.Time                  `json:"at"`
	Text string                     `json:"text"`
}

// ChecklistMark records that a professional completed a checklist item.
type ChecklistMark struct {
	Item string                     `json:"item"`
	By   carecontact.ProfessionalID `json:"by"`
	At   time.Time                  `json:"at"`
}

// Transfer records a move of the session to another team.
type Transfer struct {
	From   carecontact.TeamID         `json:"from"`
	To     carecontact.TeamID         `json:"to"`
	By     carecontact.ProfessionalID `json:"by"`
	At     time.Time                  `json:"at"`
	Reason string                     `json:"reason,omitempty"`
}

// Failure records a transport operation that failed after its retries.
type Failure struct {
	Op       string       `json:"op"` // "leg.start", "leg.escalate", "participant.invite"
	Kind     channel.Kind `json:"kind"`
	At       time.Time    `json:"at"`
	Attempts int          `json:"attempts"`
	// Transient says the last error was marked retryable.
	Transient bool `json:"transient"`
	// Fallback is the channel the session fell back to, "" when none.
	Fallback channel.Kind `json:"fallback,omitempty"`
}

// CurrentLeg returns the running leg and its index.
func (s *Session) CurrentLeg() (Leg, int, bool) {
	if n := len(s.Legs); n > 0 && s.Legs[n-1].Running() {
		return s.Legs[n-1], n - 1, true
	}
	return Leg{}, -1, false
}

// LastKind is the kind of the latest leg, "" when there is none.
func (s *Session) LastKind() channel.Kind {
	if n := len(s.Legs); n > 0 {
		return s.Legs[n-1].Kind
	}
	return ""
}

// Present reports whether professional id is a participant who has not left.
func (s *Session) Present(id carecontact.ProfessionalID) bool {
	return slices.ContainsFunc(s.Participants, func(p Participant) bool { return p.ID == id && p.Present() })
}

// Completed reports whether checklist item has been completed.
func (s *Session) Completed(item string) bool {
	return slices.ContainsFunc(s.Checklist, func(c ChecklistMark) bool { return c.Item == item })
}

// Clone returns a deep copy.
func (s Session) Clone() Session {
	s.Legs = slices.Clone(s.Legs)
	s.Participants = slices.Clone(s.Participants)
	s.Notes = slices.Clone(s.Notes)
	s.Checklist = slices.Clone(s.Checklist)
	s.Transfers = slices.Clone(s.Transfers)
	s.Failures = slices.Clone(s.Failures)
	return s
}

// endLeg ends the running leg, if any, and marks its participants as left.
func (s *Session) endLeg(now time.Time, reason string) {
	if _, i, ok := s.CurrentLeg(); ok {
		s.Legs[i].EndedAt, s.Legs[i].EndReason = now, reason
		for j := range s.Participants {
			if s.Participants[j].Leg == i && s.Participants[j].Present() {
				s.Participants[j].LeftAt = now
			}
		}
	}
}
