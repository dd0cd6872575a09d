package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// ErrInvalid reports a scenario that cannot be simulated; the message names
// the field at fault.
var ErrInvalid = carecontact.Sentinel(carecontact.ErrInvalid, "scenario: invalid")

// Scenario describes a service to simulate: where clients live, who serves
// them and when, how much and what kind of demand arrives, how clients
// behave and how contacts are routed. It is read from JSON (see Parse).
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Start is the first simulated day, "2026-03-02", in Europe/Helsinki.
	Start string `json:"start"`
	// Days is the number of simulated days (1..366).
	Days int `json:"days"`
	// Seed and Replications: replication r uses seed Seed+r.
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	// ServiceLevelTarget: an inbound contact (phone, chat, video) counts
	// as served in time when answered within it.
	ServiceLevelTarget sim.Duration `json:"service_level_target"`
	// SameDayCutoff is the time of day ("14:00") before which a callback
	// request should be called back the same day.
	SameDayCutoff string `json:"same_day_cutoff"`

	Areas    []AreaSpec   `json:"areas"`
	Teams    []TeamSpec   `json:"teams"`
	Policies []PolicySpec `json:"policies"`
	Demand   []DemandSpec `json:"demand"`
	Clients  ClientSpec   `json:"clients"`
	// Resolution models first-contact resolution: an errand not resolved
	// at a contact comes back as a new contact later.
	Resolution ResolutionSpec `json:"resolution"`
	// Duplicates models clients who, while waiting, try another channel.
	Duplicates DuplicateSpec `json:"duplicates"`
	// Callbacks configures the callback planner (package callback) that
	// promises windows to callback requests.
	Callbacks CallbackSpec `json:"callbacks,omitempty"`
	// Escalations are the channel switches professionals make during a
	// contact (a callback that becomes a video call), run through the
	// session package.
	Escalations []EscalationSpec `json:"escalations,omitempty"`
	// EBooking is self-service booking through the door; absent, none.
	EBooking *EBookingSpec `json:"ebooking,omitempty"`

	start  time.Time
	cutoff civil.TimeOfDay
	cb     callback.Config
}

// CallbackSpec configures the callback planner. Zero fields take the
// callback package's defaults; the cut-off is the scenario's
// same_day_cutoff.
type CallbackSpec struct {
	// FirstWindow and DayEnd bound the day's callback windows ("08:00",
	// "16:00").
	FirstWindow string `json:"first_window,omitempty"`
	DayEnd      string `json:"day_end,omitempty"`
	// Window is the length of a promised window (2h).
	Window sim.Duration `json:"window,omitempty"`
	// MaxAttempts and RetryGap: unanswered attempts before the request is
	// closed with a secure message (3), and the gap between them (15m).
	MaxAttempts int          `json:"max_attempts,omitempty"`
	RetryGap    sim.Duration `json:"retry_gap,omitempty"`
	// NoAnswer is the probability that the client does not answer an
	// attempt; NoAnswerTime the length of such an attempt (default 1m).
	NoAnswer     float64      `json:"no_answer,omitempty"`
	NoAnswerTime sim.Duration `json:"no_answer_time,omitempty"`
	// SameDayTarget is the target share of same-day callbacks (0.9).
	SameDayTarget float64 `json:"same_day_target,omitempty"`
}

// EscalationSpec is a channel switch during a contact: with Probability, a
// contact in channel From continues in channel To (the client consents and,
// where To needs it, identifies strongly), for a further Handling time.
type EscalationSpec struct {
	From        string       `json:"from"`
	To          string       `json:"to"`
	Probability float64      `json:"probability"`
	Handling    sim.DistSpec `json:"handling"`
}

// AreaSpec is a health-station area.
type AreaSpec struct {
	ID          string   `json:"id"`
	NameFi      string   `json:"name_fi"`
	NameSv      string   `json:"name_sv,omitempty"`
	PostalCodes []string `json:"postal_codes"`
	Neighbours  []string `json:"neighbours,omitempty"`
	// Clients is the area's share of the client population (relative
	// weight; default 1).
	Clients float64 `json:"clients,omitempty"`
}

// TeamSpec is a care team of identical professionals and its roster.
type TeamSpec struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Area    string `json:"area,omitempty"`
	Central bool   `json:"central,omitempty"`
	Role    string `json:"role"`
	// Capacity is how many contacts of each slot class one professional
	// takes at once.
	Capacity CapacitySpec `json:"capacity"`
	// WrapUp is the time after each contact before the next offer.
	WrapUp sim.Duration `json:"wrap_up,omitempty"`
	Roster RosterSpec   `json:"roster"`
	// CallbackRoster is the number of the team's professionals on callback
	// duty by hour: the capacity the callback planner promises windows
	// from. Absent, the whole roster counts. The team's first N
	// professionals, N the largest count of the callback roster, have the
	// routing skill "callback", so a channel policy for callbacks can keep
	// due callbacks with them (they are signed in first, by the roster).
	CallbackRoster *RosterSpec `json:"callback_roster,omitempty"`
}

// CapacitySpec is a professional's concurrent capacity per slot class.
type CapacitySpec struct {
	Synchronous int `json:"synchronous"`
	Chat        int `json:"chat,omitempty"`
	Message     int `json:"message,omitempty"`
}

// RosterSpec gives the number of professionals signed in for each local
// hour (24 numbers) on weekdays, Saturdays and Sundays.
type RosterSpec struct {
	Weekday  []int `json:"weekday"`
	Saturday []int `json:"saturday,omitempty"`
	Sunday   []int `json:"sunday,omitempty"`
}

// PolicySpec is a routing policy: for an errand ("" = default), optionally
// in one channel only (e.g. "callback": due callbacks stay with the
// promising team's professionals on callback duty), ordered steps.
type PolicySpec struct {
	Errand  string     `json:"errand,omitempty"`
	Channel string     `json:"channel,omitempty"`
	Steps   []StepSpec `json:"steps"`
}

// StepSpec is one routing step: target is own_professional, own_team,
// home_area, neighbour_areas, central_pool or team (with Team).
type StepSpec struct {
	Target  string       `json:"target"`
	Team    string       `json:"team,omitempty"`
	Timeout sim.Duration `json:"timeout,omitempty"`
	Roles   []string     `json:"roles,omitempty"`
	// Skills a professional must have; the skill "callback" marks the
	// professionals on callback duty (see TeamSpec.CallbackRoster).
	Skills []string `json:"skills,omitempty"`
}

// DemandSpec is one stream of contacts: a channel and an errand, a daily
// volume by day type, its spread over the hours of the day, handling times,
// patience and the share that asks for a callback.
type DemandSpec struct {
	Channel string `json:"channel"`
	Errand  string `json:"errand"`
	// PerDay is the expected number of contacts a day.
	PerDay DaySpec `json:"per_day"`
	// Hourly weights spread a day's contacts over the 24 local hours.
	Hourly []float64 `json:"hourly"`
	// Handling is the handling-time distribution.
	Handling sim.DistSpec `json:"handling"`
	// Patience is how long an inbound client waits before hanging up;
	// absent means clients wait until served.
	Patience *sim.DistSpec `json:"patience,omitempty"`
	// CallbackShare is the share of inbound phone contacts that leave a
	// callback request instead of waiting on the line.
	CallbackShare float64 `json:"callback_share,omitempty"`
	// Priority is routine, high or urgent (default routine) for inbound
	// contacts; callback requests are always routine, so clients waiting on
	// the line go first.
	Priority string `json:"priority,omitempty"`
}

// DaySpec is a volume per day type.
type DaySpec struct {
	Weekday  float64 `json:"weekday"`
	Saturday float64 `json:"saturday,omitempty"`
	Sunday   float64 `json:"sunday,omitempty"`
}

// ClientSpec describes the client population.
type ClientSpec struct {
	// Population is the number of distinct clients contacts come from.
	Population int `json:"population"`
	// OwnTeamShare is the share of clients registered to a care team of
	// their area (team routing); the others are routed by area only.
	OwnTeamShare float64 `json:"own_team_share"`
	// OwnProfessionalShare is the share of the clients registered to a
	// team who also have a named own professional there (one of the
	// team's professionals on callback duty, see TeamSpec.CallbackRoster,
	// drawn evenly); a policy step own_professional routes to them first.
	OwnProfessionalShare float64 `json:"own_professional_share,omitempty"`
}

// ResolutionSpec models first-contact resolution.
type ResolutionSpec struct {
	// OwnTeam is the probability that a contact handled by the client's
	// own team resolves the errand; Other when anyone else handles it.
	OwnTeam float64 `json:"own_team"`
	Other   float64 `json:"other"`
	// Recontact is the delay before an unresolved errand returns, as a
	// callback request.
	Recontact sim.DistSpec `json:"recontact"`
}

// DuplicateSpec models duplicate demand: a client waiting in one channel
// who also contacts another.
type DuplicateSpec struct {
	// Probability that a client still waiting after After also opens a
	// contact on Channel.
	Probability float64      `json:"probability"`
	After       sim.Duration `json:"after,omitempty"`
	Channel     string       `json:"channel,omitempty"`
	// Policy is what admission does with the duplicate: merge, keep_both
	// or redirect (demand.Policy).
	Policy string `json:"policy,omitempty"`
}

// Parse reads a scenario from JSON, rejecting unknown fields, and
// validates it.
func Parse(r io.Reader) (*Scenario, error) {
	b, err := io.ReadAll(io.LimitReader(r, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("scenario: read: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var s Scenario
	if err := d.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// helsinki is the zone the scenario's calendar and rosters are read in.
var helsinki = civil.Helsinki()

func bad(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func share(v float64) bool { return finite(v) && v >= 0 && v <= 1 }

// Validate checks the scenario and names the first field at fault.
func (s *Scenario) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return bad("name is required")
	}
	start, err := time.ParseInLocation("2006-01-02", s.Start, helsinki)
	if err != nil {
		return bad("start %q: want YYYY-MM-DD", s.Start)
	}
	s.start = start
	if s.Days < 1 || s.Days > 366 {
		return bad("days %d: want 1..366", s.Days)
	}
	if s.Replications < 1 || s.Replications > 1000 {
		return bad("replications %d: want 1..1000", s.Replications)
	}
	if s.ServiceLevelTarget <= 0 {
		return bad("service_level_target must be positive")
	}
	cut, err := civil.ParseTimeOfDay(s.SameDayCutoff)
	if err != nil {
		return bad("same_day_cutoff %q: want HH:MM", s.SameDayCutoff)
	}
	s.cutoff = cut
	if len(s.Areas) == 0 {
		return bad("areas: at least one area is required")
	}
	areas := map[string]bool{}
	for i, a := range s.Areas {
		if a.ID == "" || areas[a.ID] {
			return bad("areas[%d].id %q: empty or repeated", i, a.ID)
		}
		areas[a.ID] = true
		if len(a.PostalCodes) == 0 {
			return bad("areas[%d].postal_codes: at least one is required", i)
		}
		if !finite(a.Clients) || a.Clients < 0 {
			return bad("areas[%d].clients must be a non-negative weight", i)
		}
	}
	for i, a := range s.Areas {
		for _, n := range a.Neighbours {
			if !areas[n] {
				return bad("areas[%d].neighbours: unknown area %q", i, n)
			}
		}
	}
	teams := map[string]bool{}
	perArea := map[string]int{}
	for i, t := range s.Teams {
		if t.ID == "" || teams[t.ID] {
			return bad("teams[%d].id %q: empty or repeated", i, t.ID)
		}
		teams[t.ID] = true
		if t.Central == (t.Area != "") {
			return bad("teams[%d]: a team has an area or is central, not both or neither", i)
		}
		if t.Area != "" && !areas[t.Area] {
			return bad("teams[%d].area: unknown area %q", i, t.Area)
		}
		if t.Area != "" {
			perArea[t.Area]++
		}
		if t.Role == "" {
			return bad("teams[%d].role is required", i)
		}
		c := t.Capacity
		if c.Synchronous < 0 || c.Chat < 0 || c.Message < 0 || c.Synchronous+c.Chat+c.Message == 0 || c.Synchronous+c.Chat+c.Message > 100 {
			return bad("teams[%d].capacity: want non-negative counts, 1..100 in all", i)
		}
		if t.WrapUp < 0 {
			return bad("teams[%d].wrap_up must not be negative", i)
		}
		if err := t.Roster.validate(fmt.Sprintf("teams[%d].roster", i)); err != nil {
			return err
		}
		if t.CallbackRoster != nil {
			if err := t.CallbackRoster.validate(fmt.Sprintf("teams[%d].callback_roster", i)); err != nil {
				return err
			}
		}
	}
	for _, a := range s.Areas {
		if perArea[a.ID] == 0 {
			return bad("areas %q: no team serves the area", a.ID)
		}
	}
	if len(s.Policies) == 0 {
		return bad("policies: at least one (the default, errand \"\") is required")
	}
	for i, p := range s.Policies {
		if len(p.Steps) == 0 {
			return bad("policies[%d].steps: at least one is required", i)
		}
		if k := channel.Kind(p.Channel); p.Channel != "" && (!k.Valid() || k == channel.EBooking || k == channel.InPerson) {
			return bad("policies[%d].channel %q: want a routed channel", i, p.Channel)
		}
		for j, st := range p.Steps {
			if !slices.Contains(targetNames, st.Target) {
				return bad("policies[%d].steps[%d].target %q: want one of %s", i, j, st.Target, strings.Join(targetNames, ", "))
			}
			if st.Target == "team" && !teams[st.Team] {
				return bad("policies[%d].steps[%d].team: unknown team %q", i, j, st.Team)
			}
			if st.Timeout < 0 {
				return bad("policies[%d].steps[%d].timeout must not be negative", i, j)
			}
		}
	}
	if len(s.Demand) == 0 {
		return bad("demand: at least one stream is required")
	}
	for i := range s.Demand {
		if err := s.Demand[i].validate(i); err != nil {
			return err
		}
	}
	c := s.Clients
	if c.Population < 1 || c.Population > 10_000_000 {
		return bad("clients.population %d: want 1..10000000", c.Population)
	}
	if !share(c.OwnTeamShare) {
		return bad("clients.own_team_share must be in [0, 1]")
	}
	if !share(c.OwnProfessionalShare) {
		return bad("clients.own_professional_share must be in [0, 1]")
	}
	r := s.Resolution
	if !share(r.OwnTeam) || !share(r.Other) {
		return bad("resolution.own_team and resolution.other must be in [0, 1]")
	}
	if r.OwnTeam < 1 || r.Other < 1 {
		if _, err := r.Recontact.Dist("resolution.recontact"); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	if err := s.validateCallbacks(); err != nil {
		return err
	}
	for i, e := range s.Escalations {
		from, to := channel.Kind(e.From), channel.Kind(e.To)
		if _, ok := channel.DefaultGraph().Lookup(from, to); !ok {
			return bad("escalations[%d]: no escalation from %q to %q in the escalation graph", i, e.From, e.To)
		}
		if !share(e.Probability) {
			return bad("escalations[%d].probability must be in [0, 1]", i)
		}
		if _, err := e.Handling.Dist(fmt.Sprintf("escalations[%d].handling", i)); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	if s.EBooking != nil {
		if err := s.EBooking.validate(); err != nil {
			return err
		}
	}
	d := s.Duplicates
	if !share(d.Probability) {
		return bad("duplicates.probability must be in [0, 1]")
	}
	if d.Probability > 0 {
		k := channel.Kind(d.Channel)
		if !k.Valid() || k == channel.EBooking || k == channel.InPerson {
			return bad("duplicates.channel %q: want a routed channel", d.Channel)
		}
		if !demand.Policy(d.Policy).Valid() {
			return bad("duplicates.policy %q: want merge, keep_both or redirect", d.Policy)
		}
		if d.After < 0 {
			return bad("duplicates.after must not be negative")
		}
	}
	return nil
}

// validate checks a roster; field names it in errors.
func (r RosterSpec) validate(field string) error {
	for _, d := range []struct {
		name string
		v    []int
	}{{"weekday", r.Weekday}, {"saturday", r.Saturday}, {"sunday", r.Sunday}} {
		name, v := d.name, d.v
		if name == "weekday" && len(v) != 24 || len(v) != 0 && len(v) != 24 {
			return bad("%s.%s: want 24 hourly counts", field, name)
		}
		for h, n := range v {
			if n < 0 || n > 10000 {
				return bad("%s.%s[%d]: want 0..10000", field, name, h)
			}
		}
	}
	return nil
}

// validateCallbacks checks the callback section and builds the planner's
// configuration from it (callback.Config.Validate names the field at
// fault in the package's terms).
func (s *Scenario) validateCallbacks() error {
	c := s.Callbacks
	cfg := callback.Config{Cutoff: s.cutoff, WindowLength: time.Duration(c.Window), MaxAttempts: c.MaxAttempts,
		RetryGap: time.Duration(c.RetryGap), SameDayTarget: c.SameDayTarget}
	for _, f := range []struct {
		name string
		in   string
		out  *civil.TimeOfDay
	}{{"first_window", c.FirstWindow, &cfg.FirstWindow}, {"day_end", c.DayEnd, &cfg.DayEnd}} {
		if f.in == "" {
			continue
		}
		t, err := civil.ParseTimeOfDay(f.in)
		if err != nil {
			return bad("callbacks.%s %q: want HH:MM", f.name, f.in)
		}
		*f.out = t
	}
	if c.Window < 0 || c.RetryGap < 0 || c.NoAnswerTime < 0 || c.MaxAttempts < 0 {
		return bad("callbacks: window, retry_gap, no_answer_time and max_attempts must not be negative")
	}
	if !share(c.NoAnswer) {
		return bad("callbacks.no_answer must be in [0, 1]")
	}
	if !share(c.SameDayTarget) {
		return bad("callbacks.same_day_target must be in [0, 1]")
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: callbacks: %w", ErrInvalid, err)
	}
	s.cb = cfg
	return nil
}

var targetNames = []string{"own_professional", "own_team", "home_area", "neighbour_areas", "central_pool", "team"}

func (d *DemandSpec) validate(i int) error {
	k := channel.Kind(d.Channel)
	if !k.Valid() || k == channel.EBooking || k == channel.InPerson {
		return bad("demand[%d].channel %q: want a routed channel (inbound_phone, callback, video, chat, secure_message)", i, d.Channel)
	}
	if d.Errand == "" {
		return bad("demand[%d].errand is required", i)
	}
	for _, v := range []float64{d.PerDay.Weekday, d.PerDay.Saturday, d.PerDay.Sunday} {
		if !finite(v) || v < 0 || v > 1e7 {
			return bad("demand[%d].per_day: want 0..1e7 contacts a day", i)
		}
	}
	if len(d.Hourly) != 24 {
		return bad("demand[%d].hourly: want 24 weights", i)
	}
	sum := 0.0
	for h, w := range d.Hourly {
		if !finite(w) || w < 0 {
			return bad("demand[%d].hourly[%d]: want a non-negative weight", i, h)
		}
		sum += w
	}
	if sum <= 0 {
		return bad("demand[%d].hourly: weights sum to zero", i)
	}
	if _, err := d.Handling.Dist(fmt.Sprintf("demand[%d].handling", i)); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if d.Patience != nil {
		if _, err := d.Patience.Dist(fmt.Sprintf("demand[%d].patience", i)); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	if !share(d.CallbackShare) {
		return bad("demand[%d].callback_share must be in [0, 1]", i)
	}
	if d.CallbackShare > 0 && k != channel.InboundPhone {
		return bad("demand[%d].callback_share applies to inbound_phone only", i)
	}
	switch d.Priority {
	case "", "routine", "high", "urgent":
	default:
		return bad("demand[%d].priority %q: want routine, high or urgent", i, d.Priority)
	}
	return nil
}
