package callback

import (
	"fmt"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// The defaults of the Config fields, taken by a zero field.
const (
	// DefaultFirstWindow is when the first callback window of a day opens.
	DefaultFirstWindow civil.TimeOfDay = 8 * 60 // 08:00
	// DefaultDayEnd is when the last window of a day closes.
	DefaultDayEnd civil.TimeOfDay = 16 * 60 // 16:00
	// DefaultWindowLength is the length of a promised window.
	DefaultWindowLength = 2 * time.Hour
	// DefaultCutoff is the daily cut-off of the same-day service level.
	DefaultCutoff civil.TimeOfDay = 14 * 60 // 14:00
	// DefaultSameDayTarget is the same-day service-level target.
	DefaultSameDayTarget = 0.9
	// DefaultUrgentWithin is the deadline of urgent requests.
	DefaultUrgentWithin = 2 * time.Hour
	// DefaultOuterWorkdays is the statutory outer bound: the care need must
	// be assessed within 3 weekdays (Health Care Act 1326/2010 §51).
	DefaultOuterWorkdays = 3
	// DefaultHandlingTime is the expected handling time of a call about an
	// errand without a time of its own.
	DefaultHandlingTime = 10 * time.Minute
	// DefaultMaxAttempts is the number of call attempts before the closing
	// outcome.
	DefaultMaxAttempts = 3
	// DefaultRetryGap is the time between unanswered attempts.
	DefaultRetryGap = 15 * time.Minute
	// DefaultClosingOutcome closes a request whose attempts all went
	// unanswered: the client is sent a secure message.
	DefaultClosingOutcome = OutcomeSecureMessage
	// DefaultLowSlack is the slack below which a request is escalated.
	DefaultLowSlack = 20 * time.Minute
	// DefaultOverrun is how much longer a call past its expected handling
	// time is assumed to run.
	DefaultOverrun = 5 * time.Minute
	// DefaultReplanEvery bounds the time between re-plans.
	DefaultReplanEvery = 15 * time.Minute
)

// Config sets the service levels and rules of the callback service. Times
// of day are local (Europe/Helsinki) wall-clock offsets from midnight. The
// zero value of a field takes the default named in its comment; Validate
// reports inconsistent values.
// DefaultCrossTeamRole is the default Config.CrossTeamRole.
const DefaultCrossTeamRole = "callback-coordinator"

// Config configures a Planner.
type Config struct {
	// Clock tells the time of every operation. Required.
	Clock carecontact.Clock
	// Store keeps the requests. Required.
	Store Store
	// Router maps a request to its area and the teams that may call. Required.
	Router Router
	// Capacity tells each team's callback capacity on a day. Required.
	Capacity Capacity
	// Dispatcher, when set, receives due requests from Advance as well as
	// the EventDue events. Defaults to none.
	Dispatcher Dispatcher
	// Load tells the live load of each team's inbound work, which Estimate
	// weighs against the callback work ahead. Defaults to none: the
	// estimate then assumes the team's professionals on callback duty have
	// no inbound work but the callbacks.
	Load Load
	// Audit records reads of requests (they hold the client's phone
	// number) and refused attempts; changes are audited by the Store with
	// the change. Required.
	Audit audit.Recorder
	// Staff is the host's authenticated staff directory. A professional
	// accepts a due request of a team they are a member of: a team of the
	// request's routing steps up to the one in use, or the client's own
	// team; or one a grant of CrossTeamRole reaches; or one a Handover
	// dispatcher handed to them. Defaults to
	// carecontact.NoStaff{}: nobody but the system accepts.
	Staff carecontact.StaffDirectory
	// CrossTeamRole is the grant role that lets a professional accept the
	// due requests of teams beyond their own, as far as the grant's scope
	// reaches. Defaults to DefaultCrossTeamRole.
	CrossTeamRole string
	// NewID generates request IDs; simulations set a deterministic one.
	// Defaults to random UUIDs ("cb" and 32 hex digits).
	NewID func() string
	// Leader, if set, is the election of the replicas' leader: Advance
	// re-plans, hands over due requests and escalates only while
	// Leader.Leading reports true, so one replica at a time runs the
	// time-driven planning, and every write of its pass (reservations,
	// escalations, due and hand-over marks) carries the fence of the term
	// it started in (Reservation.Fence, Store.UpdateFenced), so a shared
	// store refuses those of a deposed leader; Plan on a replica that does
	// not lead writes nothing and returns ErrNotLeader. Request, Accept, Take, Complete
	// and Withdraw work on every replica (promises stay within capacity
	// through the store's per-day reservations). Defaults to none: every
	// Advance plans.
	Leader carecontact.Leadership
	// OnEvent receives the events of Advance (the driver's entry point);
	// Plan returns the same events to its caller whether it is set or not.
	// Defaults to none.
	OnEvent func(Event)

	// FirstWindow is when the first callback window of a day opens.
	// Defaults to DefaultFirstWindow (08:00).
	FirstWindow civil.TimeOfDay
	// DayEnd is when the last window closes; also the same-day deadline of
	// non-urgent requests. Defaults to DefaultDayEnd (16:00).
	DayEnd civil.TimeOfDay
	// WindowLength is the length of a promised window. Defaults to
	// DefaultWindowLength (2 hours).
	WindowLength time.Duration
	// Cutoff is the daily cut-off: requests made before it count towards
	// the same-day service level. It may not be before FirstWindow.
	// Defaults to DefaultCutoff (14:00).
	Cutoff civil.TimeOfDay
	// SameDayTarget is the same-day service-level target as a share of the
	// requests made before the cut-off, from 0 to 1 (NaN is refused).
	// Defaults to DefaultSameDayTarget (0.9).
	SameDayTarget float64
	// UrgentWithin is the deadline of urgent requests from the request.
	// Defaults to DefaultUrgentWithin (2 hours).
	UrgentWithin time.Duration
	// OuterWorkdays is the statutory outer bound in working days within
	// which the care need must be assessed. Defaults to
	// DefaultOuterWorkdays (3).
	OuterWorkdays int
	// Handling is the expected handling time of one call per errand; an
	// errand not in the map takes DefaultHandling. Defaults to none.
	Handling map[channel.Errand]time.Duration
	// DefaultHandling is the expected handling time of one call about an
	// errand not in Handling. Defaults to DefaultHandlingTime (10 minutes).
	DefaultHandling time.Duration
	// MaxAttempts is the number of call attempts before the closing
	// outcome. Defaults to DefaultMaxAttempts (3).
	MaxAttempts int
	// RetryGap is the time between unanswered attempts. Defaults to
	// DefaultRetryGap (15 minutes).
	RetryGap time.Duration
	// ClosingOutcome closes a request whose attempts all went unanswered.
	// Defaults to DefaultClosingOutcome (OutcomeSecureMessage).
	ClosingOutcome Outcome
	// LowSlack: a request whose slack falls below it is escalated.
	// Defaults to DefaultLowSlack (20 minutes).
	LowSlack time.Duration
	// Overrun is how much longer a call already past its expected handling
	// time is assumed to run. Defaults to DefaultOverrun (5 minutes).
	Overrun time.Duration
	// ReplanEvery bounds the time between re-plans while requests are
	// open. Defaults to DefaultReplanEvery (15 minutes).
	ReplanEvery time.Duration
	// Workdays tells working days. A calendar must have a working day in
	// every civil.MaxWorkdaySearch days, or requests get
	// ErrInvalidRequest. Defaults to civil.FinnishWorkdays().
	Workdays civil.Workdays
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Staff == nil {
		c.Staff = carecontact.NoStaff{}
	}
	if c.CrossTeamRole == "" {
		c.CrossTeamRole = DefaultCrossTeamRole
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	tod := func(t *civil.TimeOfDay, v civil.TimeOfDay) {
		if *t == 0 {
			*t = v
		}
	}
	tod(&c.FirstWindow, DefaultFirstWindow)
	tod(&c.DayEnd, DefaultDayEnd)
	def(&c.WindowLength, DefaultWindowLength)
	tod(&c.Cutoff, DefaultCutoff)
	def(&c.UrgentWithin, DefaultUrgentWithin)
	def(&c.DefaultHandling, DefaultHandlingTime)
	def(&c.RetryGap, DefaultRetryGap)
	def(&c.LowSlack, DefaultLowSlack)
	def(&c.Overrun, DefaultOverrun)
	def(&c.ReplanEvery, DefaultReplanEvery)
	if c.SameDayTarget == 0 {
		c.SameDayTarget = DefaultSameDayTarget
	}
	if c.OuterWorkdays == 0 {
		c.OuterWorkdays = DefaultOuterWorkdays
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.ClosingOutcome == "" {
		c.ClosingOutcome = DefaultClosingOutcome
	}
	if c.Workdays == nil {
		c.Workdays = civil.FinnishWorkdays()
	}
	return c
}

// Validate reports the first inconsistent field of c (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.FirstWindow < 0 || c.FirstWindow >= civil.EndOfDay:
		return carecontact.Invalid(ErrConfig, "FirstWindow", "is not a time of day before 24:00")
	case c.DayEnd <= c.FirstWindow || c.DayEnd > civil.EndOfDay:
		return carecontact.Invalid(ErrConfig, "DayEnd", "is not after FirstWindow and at most 24:00")
	case c.WindowLength < 0 || c.WindowLength > (c.DayEnd-c.FirstWindow).Duration():
		return carecontact.Invalid(ErrConfig, "WindowLength", "is negative or longer than the day from FirstWindow to DayEnd")
	case c.Cutoff < 0 || c.Cutoff > civil.EndOfDay:
		return carecontact.Invalid(ErrConfig, "Cutoff", "is not a time of day")
	case c.Cutoff < c.FirstWindow:
		return carecontact.Invalid(ErrConfig, "Cutoff", "is before FirstWindow: no request could count towards the same day")
	case !(c.SameDayTarget >= 0 && c.SameDayTarget <= 1): // NaN too
		return carecontact.Invalid(ErrConfig, "SameDayTarget", "must be a number from 0 to 1")
	case c.UrgentWithin < 0:
		return carecontact.Invalid(ErrConfig, "UrgentWithin", "is negative")
	case c.OuterWorkdays < 0 || c.OuterWorkdays > civil.MaxAddWorkdays:
		return carecontact.Invalid(ErrConfig, "OuterWorkdays", fmt.Sprintf("is not 0 to %d", civil.MaxAddWorkdays))
	case c.DefaultHandling < 0:
		return carecontact.Invalid(ErrConfig, "DefaultHandling", "is negative")
	case c.RetryGap < 0:
		return carecontact.Invalid(ErrConfig, "RetryGap", "is negative")
	case c.LowSlack < 0:
		return carecontact.Invalid(ErrConfig, "LowSlack", "is negative")
	case c.Overrun < 0:
		return carecontact.Invalid(ErrConfig, "Overrun", "is negative")
	case c.ReplanEvery < 0:
		return carecontact.Invalid(ErrConfig, "ReplanEvery", "is negative")
	case c.MaxAttempts < 0:
		return carecontact.Invalid(ErrConfig, "MaxAttempts", "is negative")
	case c.ClosingOutcome != OutcomeSecureMessage && c.ClosingOutcome != OutcomeWithdrawn:
		return carecontact.Invalid(ErrConfig, "ClosingOutcome", "is not secure_message_sent or withdrawn")
	}
	for e, h := range c.Handling {
		if h <= 0 {
			return carecontact.Invalid(ErrConfig, "Handling", fmt.Sprintf("of errand %q is not positive", truncate(string(e))))
		}
	}
	return nil
}

func (c Config) handling(e channel.Errand) time.Duration {
	if h, ok := c.Handling[e]; ok {
		return h
	}
	return c.DefaultHandling
}

// truncate shortens s for an error text.
func truncate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}
