package frontdoor

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// Defaults of TallyConfig.
const (
	// DefaultDebounce is how close a client's repeat of a contact must
	// follow the previous one to be a double click: 2 minutes.
	DefaultDebounce = 2 * time.Minute
	// DefaultLookback is how long an errand left unsettled makes the
	// client's next contact about it failure demand: 14 days.
	DefaultLookback = 14 * 24 * time.Hour
)

// The cohorts of PilotCohorts. CohortNone holds what no event placed in a
// cohort, such as contacts nobody accepted.
const (
	CohortPilot = "pilot"
	CohortRest  = "rest"
	CohortNone  = ""
)

// ErrTallyConfig is the sentinel of a bad TallyConfig.
var ErrTallyConfig = carecontact.Sentinel(carecontact.ErrInvalid, "frontdoor: invalid tally config")

// ErrInvalidFeedback is the sentinel of a malformed Feedback.
var ErrInvalidFeedback = carecontact.Sentinel(carecontact.ErrInvalid, "frontdoor: invalid feedback")

// Cohorts splits contacts and feedback into cohorts, such as a pilot and
// the rest of the service.
type Cohorts interface {
	// Of returns the cohort one of a contact's events places it in, or
	// CohortNone when the event does not tell. The first event that tells
	// decides.
	Of(e Event) string
	// OfProfessional returns the cohort of professional p's feedback.
	OfProfessional(p carecontact.ProfessionalID) string
}

// PilotCohorts puts the contacts a pilot professional accepted in
// CohortPilot and those anyone else accepted in CohortRest. A contact is
// placed by its first acceptance; contacts nobody accepted stay in
// CohortNone. Pilot professionals' feedback is in CohortPilot.
type PilotCohorts struct {
	// Directory holds the pilots.
	Directory *routing.Directory
	// Channel is the piloted channel, such as channel.Video. A channel
	// without a pilot puts everyone in CohortRest.
	Channel channel.Kind
}

// Of implements Cohorts: the cohort of the professional who accepted.
func (c PilotCohorts) Of(e Event) string {
	if e.Kind != EventAccepted || e.Professional == "" {
		return CohortNone
	}
	return c.OfProfessional(e.Professional)
}

// OfProfessional implements Cohorts.
func (c PilotCohorts) OfProfessional(p carecontact.ProfessionalID) string {
	if c.Directory != nil && c.Directory.Piloted(c.Channel) && c.Directory.InPilot(c.Channel, p) {
		return CohortPilot
	}
	return CohortRest
}

// TallyConfig configures a Tally.
type TallyConfig struct {
	// Cutoff is the callbacks' daily cut-off: requests made before it on a
	// working day are owed a same-day call. Set it as in callback.Config.
	// Defaults to callback.DefaultCutoff (14:00).
	Cutoff civil.TimeOfDay
	// Workdays tells working days, as in callback.Config. Defaults to
	// civil.FinnishWorkdays().
	Workdays civil.Workdays
	// Debounce is how close a repeat must follow the client's previous
	// contact to be a double click. Defaults to DefaultDebounce.
	Debounce time.Duration
	// Lookback is how long an errand left unsettled makes the client's
	// next contact about it failure demand. Defaults to DefaultLookback.
	Lookback time.Duration
	// Cohorts splits the report. Defaults to none: one cohort.
	Cohorts Cohorts
}

func (c *TallyConfig) defaults() error {
	switch {
	case c.Cutoff < 0 || c.Cutoff > civil.EndOfDay:
		return carecontact.Invalid(ErrTallyConfig, "cutoff", "is not a time of day")
	case c.Debounce < 0:
		return carecontact.Invalid(ErrTallyConfig, "debounce", "is negative")
	case c.Lookback < 0:
		return carecontact.Invalid(ErrTallyConfig, "lookback", "is negative")
	}
	if c.Cutoff == 0 {
		c.Cutoff = callback.DefaultCutoff
	}
	if c.Workdays == nil {
		c.Workdays = civil.FinnishWorkdays()
	}
	if c.Debounce == 0 {
		c.Debounce = DefaultDebounce
	}
	if c.Lookback == 0 {
		c.Lookback = DefaultLookback
	}
	return nil
}

// Ratio is a count out of a count. Replicas' ratios pool by adding both.
type Ratio struct {
	Num, Den int
}

// Share is Num / Den, and 0 when Den is 0.
func (r Ratio) Share() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// Add returns the pooled ratio of r and o.
func (r Ratio) Add(o Ratio) Ratio { return Ratio{r.Num + o.Num, r.Den + o.Den} }

// String is "num/den (share %)", or "0/0" without a denominator.
func (r Ratio) String() string {
	if r.Den == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d (%.1f %%)", r.Num, r.Den, 100*r.Share())
}

func (r *Ratio) count(hit bool) {
	r.Den++
	if hit {
		r.Num++
	}
}

// Delays are nearest-rank percentiles of N delays. Percentiles do not
// pool: feed one Tally every replica's events instead.
type Delays struct {
	N             int
	P50, P90, P95 time.Duration
}

// delaysOf returns the percentiles of ds, which it sorts.
func delaysOf(ds []time.Duration) Delays {
	slices.Sort(ds)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return ds[max(i, 0)]
	}
	if len(ds) == 0 {
		return Delays{}
	}
	return Delays{N: len(ds), P50: rank(0.50), P90: rank(0.90), P95: rank(0.95)}
}

// KPIs are the front door's key figures over a stream of events. A
// client's contact attempt is an EventAdmitted or an EventMerged (a repeat
// merged into the waiting contact).
type KPIs struct {
	// Contacts counts the clients' contact attempts, double clicks left
	// out; DoubleClicks counts those left out: a repeat of the client's
	// previous attempt with the same errand and channel, made at most
	// TallyConfig.Debounce after it while it still waited.
	Contacts, DoubleClicks int
	// DuplicateDemand is the attempts the Door marked Duplicate (the
	// client already had an open contact about the errand, as the one
	// duplicate-demand path, demand.Admitter, tells) over Contacts. Double
	// clicks are in neither.
	DuplicateDemand Ratio
	// FailureDemand is the attempts over Contacts whose client had, about
	// the same errand, an earlier contact that ended without settling it:
	// the errand's latest ending, at most TallyConfig.Lookback before the
	// attempt, was a close with session.OutcomeFollowUp or
	// session.OutcomeNoAnswer, or a withdrawal that no settling close
	// (resolved, booked, referred) of the errand caused. A close with
	// session.OutcomeDuplicateMerged ends nothing.
	FailureDemand Ratio
	// FirstContactResolution is, over the closed contacts (less those
	// closed as session.OutcomeDuplicateMerged), those closed with an
	// outcome that settles the errand (resolved, appointment booked,
	// referred) that were neither duplicate nor failure demand.
	FirstContactResolution Ratio
	// SameDayCallback is, over the closed callbacks requested on a working
	// day before TallyConfig.Cutoff (Europe/Helsinki), those whose first
	// call began on the civil day of the request in Europe/Helsinki.
	SameDayCallback Ratio
	// PromiseKept is, over the callbacks whose first promised window has
	// been tested, those whose first call began inside it. A window is
	// tested once the call began, the window ended by the report's time,
	// or the callback closed; a callback withdrawn (or closed as merged)
	// before any call is owed nothing and left out.
	PromiseKept Ratio
	// InboundDelay is the wait of inbound contacts (chat, phone, video)
	// from queued to the first acceptance, as routing measures it.
	InboundDelay Delays
	// CallbackDelay is the wait of callbacks from the promise (made when
	// the client asked) to the first call, the first acceptance of a
	// dispatch.
	CallbackDelay Delays
	// OwnProfessional is, over the accepted contacts, those whose first
	// acceptance came at the routing step routing.TargetOwnProfessional;
	// OwnTeam those at routing.TargetOwnTeam. A callback's dispatch names
	// the team that promised the window as its own team.
	OwnProfessional, OwnTeam Ratio
}

// Feedback is a professional's feedback on a piece of guidance. It holds
// no free text, so no client data can enter the report: comments belong
// in the guidance workflow's notes.
type Feedback struct {
	// Professional gives the feedback. Required.
	Professional carecontact.ProfessionalID
	// Guidance is the version the feedback is about. Required.
	Guidance guidance.Ref
	// Rating is 1 (useless) to 5 (very useful). Required.
	Rating int
	// Label is an optional short code from the host's list ("unclear",
	// "outdated"): lower-case letters, '_' and '-', at most 40.
	Label string
	// At is when it was given. Required.
	At time.Time
}

func (f Feedback) validate() error {
	switch {
	case f.Professional == "":
		return carecontact.Invalid(ErrInvalidFeedback, "professional", "is required")
	case f.Guidance.Subject == "" || f.Guidance.Number < 1:
		return carecontact.Invalid(ErrInvalidFeedback, "guidance", "is required")
	case f.Rating < 1 || f.Rating > 5:
		return carecontact.Invalid(ErrInvalidFeedback, "rating", "is not 1 to 5")
	case f.At.IsZero():
		return carecontact.Invalid(ErrInvalidFeedback, "at", "is required")
	case len(f.Label) > 40:
		return carecontact.Invalid(ErrInvalidFeedback, "label", "is longer than 40")
	}
	for _, r := range f.Label {
		if (r < 'a' || r > 'z') && r != '_' && r != '-' {
			return carecontact.Invalid(ErrInvalidFeedback, "label", "may hold only a-z, '_' and '-'")
		}
	}
	return nil
}

// GuidanceFeedback sums the feedback on one guidance version.
type GuidanceFeedback struct {
	Guidance guidance.Ref
	// N counts the feedback; RatingSum adds up the ratings.
	N, RatingSum int
	// Labels counts the labels given.
	Labels map[string]int
}

// Mean is the mean rating, 0 without feedback.
func (g GuidanceFeedback) Mean() float64 {
	if g.N == 0 {
		return 0
	}
	return float64(g.RatingSum) / float64(g.N)
}

// Cohort is the figures of one cohort.
type Cohort struct {
	// Name is the cohort's, CohortNone for the report's total.
	Name string
	KPIs KPIs
	// Feedback lists the cohort's feedback in order of At; ByGuidance sums
	// it per guidance version, in order of subject and number.
	Feedback   []Feedback
	ByGuidance []GuidanceFeedback
}

// Report is a Tally's figures at one moment.
type Report struct {
	AsOf time.Time
	// Total covers every contact and all feedback.
	Total Cohort
	// Cohorts splits Total by TallyConfig.Cohorts, in order of name; nil
	// without Cohorts.
	Cohorts []Cohort
}

// Cohort returns the cohort named name, and false when there is none.
func (r Report) Cohort(name string) (Cohort, bool) {
	i := slices.IndexFunc(r.Cohorts, func(c Cohort) bool { return c.Name == name })
	if i < 0 {
		return Cohort{}, false
	}
	return r.Cohorts[i], true
}

// Tally aggregates the Door's events into KPIs. It does no I/O and reads
// no clock: feed it as Config.OnEvent, or a recorded stream with
// ComputeKPIs. Feed events in the order the Door emitted them. It keeps
// pseudonymous client references in memory only while they matter (an
// open contact, the Debounce, the Lookback); reports hold none. For the
// percentiles it keeps one duration per accepted contact. It is safe for
// concurrent use: a host may call Report while the Door feeds Add.
type Tally struct {
	mu       sync.Mutex
	cfg      TallyConfig
	contacts map[string]*tallied
	clicks   map[clickKey]time.Time
	errands  map[errandKey]errandEnd
	done     map[string]*counts
	feedback []cohortFeedback
	pruned   time.Time
}

type errandKey struct {
	client carecontact.ClientRef
	errand channel.Errand
}

type clickKey struct {
	errandKey
	channel channel.Kind
}

// errandEnd is how a client's errand last ended.
type errandEnd struct {
	at        time.Time
	unsettled bool
	// settled is the latest settling close.
	settled time.Time
}

type cohortFeedback struct {
	Feedback
	cohort string
}

// tallied is what the Tally knows of one open contact.
type tallied struct {
	cohort    string
	key       errandKey
	callback  bool
	requested time.Time // admission, or the first promise
	// Its own admission's flags, and its attempts (the admission and the
	// repeats merged into it).
	duplicate, failure bool
	attempts           counts
	promised           callback.Window
	accepted, inHand   bool
	firstCall          time.Time
	target             routing.Target
	waited             time.Duration
}

// counts are the figures of finished contacts in a cohort.
type counts struct {
	contacts, doubleClicks              int
	duplicate, failure                  int
	fcr, sameDay, kept, ownPro, ownTeam Ratio
	inbound, callback                   []time.Duration
}

// NewTally returns an empty Tally.
func NewTally(cfg TallyConfig) (*Tally, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return &Tally{cfg: cfg, contacts: map[string]*tallied{}, clicks: map[clickKey]time.Time{},
		errands: map[errandKey]errandEnd{}, done: map[string]*counts{}}, nil
}

// ComputeKPIs reports the figures of a recorded stream as of asOf. Events
// are taken in order of At, those at the same time in the order given, so
// the streams of several Doors can be concatenated.
func ComputeKPIs(events []Event, cfg TallyConfig, asOf time.Time) (Report, error) {
	t, err := NewTally(cfg)
	if err != nil {
		return Report{}, err
	}
	es := slices.Clone(events)
	slices.SortStableFunc(es, func(a, b Event) int { return a.At.Compare(b.At) })
	for _, e := range es {
		t.Add(e)
	}
	return t.Report(asOf), nil
}

// Add takes one event. Kinds the KPIs do not use are ignored.
func (t *Tally) Add(e Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.At.Sub(t.pruned) > time.Hour {
		t.prune(e.At)
	}
	switch e.Kind {
	case EventAdmitted, EventMerged, EventCallbackPromised, EventAccepted, EventQueued, EventReclaimed,
		EventCallbackRetry, EventClosed, EventWithdrawn:
	default:
		return
	}
	if e.Contact == "" {
		return
	}
	c := t.contacts[e.Contact]
	if c == nil {
		if e.Kind == EventQueued || e.Kind == EventReclaimed || e.Kind == EventCallbackRetry {
			return
		}
		c = &tallied{key: errandKey{e.Client, e.Errand}}
		t.contacts[e.Contact] = c
	}
	if c.cohort == CohortNone && t.cfg.Cohorts != nil {
		c.cohort = t.cfg.Cohorts.Of(e)
	}
	switch e.Kind {
	case EventAdmitted, EventMerged:
		t.attempt(c, e)
	case EventCallbackPromised:
		c.callback = true
		if c.requested.IsZero() {
			c.requested = e.At
		}
		if c.promised.IsZero() {
			c.promised = e.Window
		}
	case EventAccepted:
		c.inHand = true
		if !c.accepted {
			c.accepted, c.firstCall, c.target, c.waited = true, e.At, e.Target, e.Waited
		}
	case EventQueued, EventReclaimed, EventCallbackRetry:
		c.inHand = false
	case EventClosed:
		t.closed(e, c)
	case EventWithdrawn:
		t.withdrawn(e, c)
	}
}

// attempt counts a client's contact attempt: a new contact, or a repeat
// merged into c.
func (t *Tally) attempt(c *tallied, e Event) {
	key := errandKey{e.Client, e.Errand}
	ck := clickKey{key, e.Channel}
	last, seen := t.clicks[ck]
	t.clicks[ck] = e.At
	if e.Kind == EventAdmitted {
		c.key, c.requested = key, e.At
		c.callback = c.callback || e.Channel == channel.Callback
	}
	if e.Duplicate && seen && e.At.Sub(last) <= t.cfg.Debounce {
		c.attempts.doubleClicks++
		return
	}
	end, ok := t.errands[key]
	failure := ok && end.unsettled && e.At.Sub(end.at) <= t.cfg.Lookback
	c.attempts.contacts++
	if e.Duplicate {
		c.attempts.duplicate++
	}
	if failure {
		c.attempts.failure++
	}
	if e.Kind == EventAdmitted {
		c.duplicate, c.failure = e.Duplicate, failure
	}
}

func (t *Tally) closed(e Event, c *tallied) {
	switch {
	case e.Outcome.Settles():
		end := t.errands[c.key]
		end.at, end.unsettled, end.settled = e.At, false, e.At
		t.errands[c.key] = end
	case e.Outcome == session.OutcomeFollowUp || e.Outcome == session.OutcomeNoAnswer:
		end := t.errands[c.key]
		end.at, end.unsettled = e.At, true
		t.errands[c.key] = end
	}
	t.finish(e.Contact, c, endClosed, e.Outcome, e.At)
}

func (t *Tally) withdrawn(e Event, c *tallied) {
	end, ok := t.errands[c.key]
	if !ok || end.settled.Before(c.requested) {
		end.at, end.unsettled = e.At, true
		t.errands[c.key] = end
	}
	if c.inHand {
		return // being handled: the professional closes it
	}
	t.finish(e.Contact, c, endWithdrawn, "", e.At)
}

// ending is how a contact ended, if it did.
type ending int

const (
	stillOpen ending = iota
	endClosed
	endWithdrawn
)

// finish moves an ended contact's figures into its cohort's counts.
func (t *Tally) finish(id string, c *tallied, how ending, outcome session.Outcome, at time.Time) {
	k := t.done[c.cohort]
	if k == nil {
		k = &counts{}
		t.done[c.cohort] = k
	}
	t.contribute(k, c, how, outcome, at)
	delete(t.contacts, id)
}

// contribute adds c's figures to k as they stand at asOf, c having ended
// as how (with outcome, when closed).
func (t *Tally) contribute(k *counts, c *tallied, how ending, outcome session.Outcome, asOf time.Time) {
	k.contacts += c.attempts.contacts
	k.doubleClicks += c.attempts.doubleClicks
	k.duplicate += c.attempts.duplicate
	k.failure += c.attempts.failure
	closed := how == endClosed
	if closed && outcome != session.OutcomeDuplicateMerged {
		k.fcr.count(outcome.Settles() && !c.duplicate && !c.failure)
	}
	if c.accepted {
		k.ownPro.count(c.target == routing.TargetOwnProfessional)
		k.ownTeam.count(c.target == routing.TargetOwnTeam)
	}
	if !c.callback {
		if c.accepted {
			k.inbound = append(k.inbound, c.waited)
		}
		return
	}
	if c.accepted && !c.requested.IsZero() {
		k.callback = append(k.callback, c.firstCall.Sub(c.requested))
	}
	if closed && !c.requested.IsZero() && t.beforeCutoff(c.requested) {
		k.sameDay.count(c.accepted && civil.DateOf(c.firstCall, civil.Helsinki()) == civil.DateOf(c.requested, civil.Helsinki()))
	}
	switch {
	case c.promised.IsZero():
	case c.accepted:
		k.kept.count(c.promised.Contains(c.firstCall))
	case how == stillOpen && !asOf.Before(c.promised.End):
		k.kept.count(false) // the window passed without a call
	case closed && outcome != session.OutcomeDuplicateMerged:
		k.kept.count(false) // closed without a call
	}
}

// beforeCutoff reports whether a callback requested at t was owed a
// same-day call: a working day, before the cut-off (Europe/Helsinki).
func (t *Tally) beforeCutoff(at time.Time) bool {
	d := civil.DateOf(at, civil.Helsinki())
	return t.cfg.Workdays.Workday(d) && at.Before(d.At(t.cfg.Cutoff, civil.Helsinki()))
}

// prune forgets double clicks and errand endings too old to matter at now.
func (t *Tally) prune(now time.Time) {
	t.pruned = now
	for k, at := range t.clicks {
		if now.Sub(at) > t.cfg.Debounce {
			delete(t.clicks, k)
		}
	}
	for k, end := range t.errands {
		if now.Sub(end.at) > t.cfg.Lookback && now.Sub(end.settled) > t.cfg.Lookback {
			delete(t.errands, k)
		}
	}
}

// AddFeedback records a professional's feedback on guidance, in the
// professional's cohort.
func (t *Tally) AddFeedback(f Feedback) error {
	if err := f.validate(); err != nil {
		return err
	}
	name := CohortNone
	if t.cfg.Cohorts != nil {
		name = t.cfg.Cohorts.OfProfessional(f.Professional)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.feedback = append(t.feedback, cohortFeedback{f, name})
	return nil
}

// Report returns the figures as of asOf: the ended contacts' and the open
// ones' as they stand (a promised window that ended by asOf without a call
// counts as not kept).
func (t *Tally) Report(asOf time.Time) Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	by := map[string]*counts{}
	get := func(name string) *counts {
		k := by[name]
		if k == nil {
			k = &counts{}
			by[name] = k
		}
		return k
	}
	for name, k := range t.done {
		m := get(name)
		*m = *k
		m.inbound, m.callback = slices.Clone(k.inbound), slices.Clone(k.callback)
	}
	for _, c := range t.contacts {
		t.contribute(get(c.cohort), c, stillOpen, "", asOf)
	}
	fb := map[string][]Feedback{}
	for _, f := range t.feedback {
		fb[f.cohort] = append(fb[f.cohort], f.Feedback)
		get(f.cohort)
	}
	out := Report{AsOf: asOf}
	var total counts
	var all []Feedback
	for _, name := range slices.Sorted(maps.Keys(by)) {
		k := by[name]
		total.add(k)
		all = append(all, fb[name]...)
		if t.cfg.Cohorts != nil {
			out.Cohorts = append(out.Cohorts, cohortOf(name, k, fb[name]))
		}
	}
	out.Total = cohortOf(CohortNone, &total, all)
	return out
}

func (k *counts) add(o *counts) {
	k.contacts += o.contacts
	k.doubleClicks += o.doubleClicks
	k.duplicate += o.duplicate
	k.failure += o.failure
	k.fcr, k.sameDay, k.kept = k.fcr.Add(o.fcr), k.sameDay.Add(o.sameDay), k.kept.Add(o.kept)
	k.ownPro, k.ownTeam = k.ownPro.Add(o.ownPro), k.ownTeam.Add(o.ownTeam)
	k.inbound = append(k.inbound, o.inbound...)
	k.callback = append(k.callback, o.callback...)
}

func cohortOf(name string, k *counts, fb []Feedback) Cohort {
	fb = slices.Clone(fb)
	slices.SortStableFunc(fb, func(a, b Feedback) int { return a.At.Compare(b.At) })
	sums := map[guidance.Ref]*GuidanceFeedback{}
	for _, f := range fb {
		g := sums[f.Guidance]
		if g == nil {
			g = &GuidanceFeedback{Guidance: f.Guidance}
			sums[f.Guidance] = g
		}
		g.N++
		g.RatingSum += f.Rating
		if f.Label != "" {
			if g.Labels == nil {
				g.Labels = map[string]int{}
			}
			g.Labels[f.Label]++
		}
	}
	var byGuidance []GuidanceFeedback
	for _, g := range sums {
		byGuidance = append(byGuidance, *g)
	}
	slices.SortFunc(byGuidance, func(a, b GuidanceFeedback) int {
		return cmp.Or(cmp.Compare(a.Guidance.Subject, b.Guidance.Subject), cmp.Compare(a.Guidance.Number, b.Guidance.Number))
	})
	return Cohort{Name: name, Feedback: fb, ByGuidance: byGuidance, KPIs: KPIs{
		Contacts: k.contacts, DoubleClicks: k.doubleClicks,
		DuplicateDemand:        Ratio{k.duplicate, k.contacts},
		FailureDemand:          Ratio{k.failure, k.contacts},
		FirstContactResolution: k.fcr, SameDayCallback: k.sameDay, PromiseKept: k.kept,
		InboundDelay: delaysOf(k.inbound), CallbackDelay: delaysOf(k.callback),
		OwnProfessional: k.ownPro, OwnTeam: k.ownTeam,
	}}
}
