package frontdoor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// monday is 9:00 on a working Monday in Helsinki.
var monday = at(2026, time.November, 23, 9, 0)

// ev is an event of contact id of the client, about lab results.
func ev(k frontdoor.EventKind, when time.Time, id, client string) frontdoor.Event {
	return frontdoor.Event{Kind: k, At: when, Contact: id, Client: carecontact.ClientRef(client),
		Errand: channel.ErrandLabResults, Channel: channel.Chat}
}

func admit(id, client string, k channel.Kind, when time.Time, dup bool) frontdoor.Event {
	e := ev(frontdoor.EventAdmitted, when, id, client)
	e.Channel, e.Duplicate = k, dup
	return e
}

func merge(into, client string, k channel.Kind, when time.Time) frontdoor.Event {
	e := ev(frontdoor.EventMerged, when, into, client)
	e.Channel, e.Duplicate = k, true
	return e
}

func accept(id, client string, when time.Time, target routing.Target, waited time.Duration) frontdoor.Event {
	e := ev(frontdoor.EventAccepted, when, id, client)
	e.Professional, e.Target, e.Waited = "aino", target, waited
	return e
}

func closeAs(id, client string, when time.Time, o session.Outcome) frontdoor.Event {
	e := ev(frontdoor.EventClosed, when, id, client)
	e.Professional, e.Outcome = "aino", o
	return e
}

// callbackAt is a callback request of the client at when, promised
// window [from, to).
func callbackAt(id, client string, when, from, to time.Time) []frontdoor.Event {
	p := ev(frontdoor.EventCallbackPromised, when, id, client)
	p.Channel, p.Window = channel.Callback, callback.Window{Start: from.UTC(), End: to.UTC()}
	return []frontdoor.Event{admit(id, client, channel.Callback, when, false), p}
}

// called is the first call and close of callback id.
func called(id, client string, when time.Time, o session.Outcome) []frontdoor.Event {
	a := accept(id, client, when, routing.TargetOwnTeam, 0)
	a.Channel = channel.Callback
	return []frontdoor.Event{a, closeAs(id, client, when.Add(10*time.Minute), o)}
}

func cat(ss ...[]frontdoor.Event) []frontdoor.Event {
	var out []frontdoor.Event
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

func report(t *testing.T, cfg frontdoor.TallyConfig, asOf time.Time, es ...frontdoor.Event) frontdoor.KPIs {
	t.Helper()
	r, err := frontdoor.ComputeKPIs(es, cfg, asOf)
	require.NoError(t, err)
	return r.Total.KPIs
}

// Regression: the Door's duplicate-demand path and a second detector did
// not know each other, and one client's double click read as 87 %
// duplicate demand. The tally keeps no detector of its own: it takes the
// Door's Duplicate and leaves double clicks out.
func TestTallyDuplicateDemand(t *testing.T) {
	tests := []struct {
		name         string
		events       []frontdoor.Event
		contacts     int
		doubleClicks int
		dup          frontdoor.Ratio
	}{
		{"double click in 5 s, merged", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			merge("k1", "c1", channel.Chat, monday.Add(5*time.Second))}, 1, 1, frontdoor.Ratio{Num: 0, Den: 1}},
		{"double click in 5 s, kept as two contacts", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			admit("k2", "c1", channel.Chat, monday.Add(5*time.Second), true)}, 1, 1, frontdoor.Ratio{Num: 0, Den: 1}},
		{"five clicks, each close to the last", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			merge("k1", "c1", channel.Chat, monday.Add(time.Minute)), merge("k1", "c1", channel.Chat, monday.Add(2*time.Minute)),
			merge("k1", "c1", channel.Chat, monday.Add(3*time.Minute)), merge("k1", "c1", channel.Chat, monday.Add(4*time.Minute))},
			1, 4, frontdoor.Ratio{Num: 0, Den: 1}},
		{"chat then callback 20 min later", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			admit("k2", "c1", channel.Callback, monday.Add(20*time.Minute), true)}, 2, 0, frontdoor.Ratio{Num: 1, Den: 2}},
		{"chat then callback 5 s later is no double click", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			merge("k1", "c1", channel.Callback, monday.Add(5*time.Second))}, 2, 0, frontdoor.Ratio{Num: 1, Den: 2}},
		{"same chat after the debounce", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			merge("k1", "c1", channel.Chat, monday.Add(3*time.Minute))}, 2, 0, frontdoor.Ratio{Num: 1, Den: 2}},
		{"again after the first closed", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeResolved),
			admit("k2", "c1", channel.Chat, monday.Add(90*time.Second), false)}, 2, 0, frontdoor.Ratio{Num: 0, Den: 2}},
		{"two clients", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			admit("k2", "c2", channel.Chat, monday.Add(time.Second), false)}, 2, 0, frontdoor.Ratio{Num: 0, Den: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := report(t, frontdoor.TallyConfig{}, monday.Add(time.Hour), tc.events...)
			require.Equal(t, tc.contacts, k.Contacts)
			require.Equal(t, tc.doubleClicks, k.DoubleClicks)
			require.Equal(t, tc.dup, k.DuplicateDemand)
		})
	}
}

func TestTallyDebounceIsConfigurable(t *testing.T) {
	es := []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false), merge("k1", "c1", channel.Chat, monday.Add(20*time.Second))}
	k := report(t, frontdoor.TallyConfig{Debounce: 10 * time.Second}, monday, es...)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 2}, k.DuplicateDemand)
}

func TestTallyFailureDemand(t *testing.T) {
	later := monday.Add(24 * time.Hour)
	tests := []struct {
		name    string
		events  []frontdoor.Event
		failure frontdoor.Ratio
	}{
		{"after a follow-up", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeFollowUp), admit("k2", "c1", channel.Chat, later, false)},
			frontdoor.Ratio{Num: 1, Den: 2}},
		{"after no answer", []frontdoor.Event{admit("k1", "c1", channel.Callback, monday, false),
			closeAs("k1", "c1", monday.Add(time.Hour), session.OutcomeNoAnswer), admit("k2", "c1", channel.Chat, later, false)},
			frontdoor.Ratio{Num: 1, Den: 2}},
		{"after a resolved contact", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeResolved), admit("k2", "c1", channel.Chat, later, false)},
			frontdoor.Ratio{Num: 0, Den: 2}},
		{"after a withdrawal nothing settled", []frontdoor.Event{admit("k1", "c1", channel.Callback, monday, false),
			ev(frontdoor.EventWithdrawn, monday.Add(time.Minute), "k1", "c1"), admit("k2", "c1", channel.Chat, later, false)},
			frontdoor.Ratio{Num: 1, Den: 2}},
		{"after a withdrawal a settling close caused", []frontdoor.Event{admit("k1", "c1", channel.Callback, monday, false),
			admit("k2", "c1", channel.Chat, monday.Add(20*time.Minute), true),
			closeAs("k2", "c1", monday.Add(30*time.Minute), session.OutcomeBooked),
			ev(frontdoor.EventWithdrawn, monday.Add(30*time.Minute), "k1", "c1"), admit("k3", "c1", channel.Chat, later, false)},
			frontdoor.Ratio{Num: 0, Den: 3}},
		{"a follow-up, then settled, then again", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeFollowUp), admit("k2", "c1", channel.Chat, later, false),
			closeAs("k2", "c1", later.Add(time.Minute), session.OutcomeReferred), admit("k3", "c1", channel.Chat, later.Add(time.Hour), false)},
			frontdoor.Ratio{Num: 1, Den: 3}},
		{"a merge ends nothing", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeDuplicateMerged), admit("k2", "c1", channel.Chat, later, false)},
			frontdoor.Ratio{Num: 0, Den: 2}},
		{"past the lookback", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeFollowUp),
			admit("k2", "c1", channel.Chat, monday.Add(15*24*time.Hour), false)},
			frontdoor.Ratio{Num: 0, Den: 2}},
		{"another errand", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeFollowUp),
			func() frontdoor.Event {
				e := admit("k2", "c1", channel.Chat, later, false)
				e.Errand = channel.ErrandPrescriptionRenewal
				return e
			}()},
			frontdoor.Ratio{Num: 0, Den: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := report(t, frontdoor.TallyConfig{}, later.Add(30*24*time.Hour), tc.events...)
			require.Equal(t, tc.failure, k.FailureDemand)
		})
	}
}

func TestTallyFirstContactResolution(t *testing.T) {
	tests := []struct {
		name   string
		events []frontdoor.Event
		fcr    frontdoor.Ratio
	}{
		{"resolved", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeResolved)}, frontdoor.Ratio{Num: 1, Den: 1}},
		{"booked", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeBooked)}, frontdoor.Ratio{Num: 1, Den: 1}},
		{"referred", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeReferred)}, frontdoor.Ratio{Num: 1, Den: 1}},
		{"follow-up", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeFollowUp)}, frontdoor.Ratio{Num: 0, Den: 1}},
		{"resolved on the second contact", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeNoAnswer), admit("k2", "c1", channel.Chat, monday.Add(time.Hour), false),
			closeAs("k2", "c1", monday.Add(2*time.Hour), session.OutcomeResolved)}, frontdoor.Ratio{Num: 0, Den: 2}},
		{"a duplicate resolved", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			admit("k2", "c1", channel.Callback, monday.Add(20*time.Minute), true),
			closeAs("k2", "c1", monday.Add(time.Hour), session.OutcomeResolved),
			ev(frontdoor.EventWithdrawn, monday.Add(time.Hour), "k1", "c1")}, frontdoor.Ratio{Num: 0, Den: 1}},
		{"a double click resolved", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			admit("k2", "c1", channel.Chat, monday.Add(5*time.Second), true),
			closeAs("k2", "c1", monday.Add(time.Hour), session.OutcomeResolved),
			ev(frontdoor.EventWithdrawn, monday.Add(time.Hour), "k1", "c1")}, frontdoor.Ratio{Num: 1, Den: 1}},
		{"a merge is no contact", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false),
			closeAs("k1", "c1", monday.Add(time.Minute), session.OutcomeDuplicateMerged)}, frontdoor.Ratio{}},
		{"still open", []frontdoor.Event{admit("k1", "c1", channel.Chat, monday, false)}, frontdoor.Ratio{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := report(t, frontdoor.TallyConfig{}, monday.Add(48*time.Hour), tc.events...)
			require.Equal(t, tc.fcr, k.FirstContactResolution)
		})
	}
}

func TestTallySameDayCallback(t *testing.T) {
	everyDay := civil.WorkdayFunc(func(civil.Date) bool { return true })
	late := frontdoor.TallyConfig{Cutoff: civil.At(23, 59), Workdays: everyDay}
	// 2026-10-25 is the Sunday clocks go back in Helsinki (04:00 EEST
	// becomes 03:00 EET): a 25-hour day.
	dstEarly := at(2026, time.October, 25, 0, 30) // 21:30 UTC on the 24th
	dstLate := at(2026, time.October, 25, 23, 30) // 21:30 UTC on the 25th
	tue := monday.Add(24 * time.Hour)
	epiphany := at(2026, time.January, 6, 10, 0) // a Tuesday, a public holiday
	tests := []struct {
		name      string
		cfg       frontdoor.TallyConfig
		requested time.Time
		call      time.Time // zero: not called, still open
		sameDay   frontdoor.Ratio
	}{
		{"before the cut-off, called the same day", frontdoor.TallyConfig{}, monday.Add(time.Hour), monday.Add(4 * time.Hour), frontdoor.Ratio{Num: 1, Den: 1}},
		{"before the cut-off, called the next day", frontdoor.TallyConfig{}, monday.Add(time.Hour), tue, frontdoor.Ratio{Num: 0, Den: 1}},
		{"after the cut-off", frontdoor.TallyConfig{}, monday.Add(6 * time.Hour), monday.Add(7 * time.Hour), frontdoor.Ratio{}},
		{"not closed yet", frontdoor.TallyConfig{}, monday.Add(time.Hour), time.Time{}, frontdoor.Ratio{}},
		{"on a public holiday", frontdoor.TallyConfig{}, epiphany, epiphany.Add(time.Hour), frontdoor.Ratio{}},
		{"the day after a public holiday", frontdoor.TallyConfig{}, epiphany.Add(24 * time.Hour), epiphany.Add(25 * time.Hour), frontdoor.Ratio{Num: 1, Den: 1}},
		{"DST Sunday is no working day", frontdoor.TallyConfig{}, dstEarly, dstLate, frontdoor.Ratio{}},
		{"DST day, 24 h later, the same civil day", late, dstEarly, dstLate, frontdoor.Ratio{Num: 1, Den: 1}},
		{"DST day, the same UTC day, the next civil day", late, dstLate, at(2026, time.October, 26, 1, 0), frontdoor.Ratio{Num: 0, Den: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := callbackAt("k1", "c1", tc.requested, tc.requested, tc.requested.Add(2*time.Hour))
			if !tc.call.IsZero() {
				es = append(es, called("k1", "c1", tc.call, session.OutcomeResolved)...)
			}
			k := report(t, tc.cfg, tc.requested.Add(72*time.Hour), es...)
			require.Equal(t, tc.sameDay, k.SameDayCallback)
		})
	}
	require.Equal(t, civil.DateOf(dstLate.UTC(), time.UTC), civil.DateOf(at(2026, time.October, 26, 1, 0).UTC(), time.UTC),
		"the last case is the same day in UTC")
}

func TestTallyPromiseKept(t *testing.T) {
	from, to := monday.Add(time.Hour), monday.Add(3*time.Hour) // 10-12
	replan := func() frontdoor.Event {
		e := ev(frontdoor.EventCallbackPromised, from.Add(30*time.Minute), "k1", "")
		e.Channel, e.Window = channel.Callback, callback.Window{Start: to.Add(time.Hour), End: to.Add(3 * time.Hour)}
		return e
	}
	tests := []struct {
		name   string
		events []frontdoor.Event
		asOf   time.Time
		kept   frontdoor.Ratio
	}{
		{"called in the window", called("k1", "c1", from.Add(time.Hour), session.OutcomeResolved), to, frontdoor.Ratio{Num: 1, Den: 1}},
		{"called late", called("k1", "c1", to.Add(30*time.Minute), session.OutcomeResolved), to.Add(time.Hour), frontdoor.Ratio{Num: 0, Den: 1}},
		{"not called, window open", nil, from.Add(time.Hour), frontdoor.Ratio{}},
		{"not called, window over", nil, to, frontdoor.Ratio{Num: 0, Den: 1}},
		{"withdrawn before the call", []frontdoor.Event{ev(frontdoor.EventWithdrawn, from, "k1", "c1")}, to.Add(time.Hour), frontdoor.Ratio{}},
		{"re-planned, called in the new window", append([]frontdoor.Event{replan()},
			called("k1", "c1", to.Add(2*time.Hour), session.OutcomeResolved)...), to.Add(4 * time.Hour), frontdoor.Ratio{Num: 0, Den: 1}},
		{"re-planned, called in the first window", append([]frontdoor.Event{replan()},
			called("k1", "c1", from.Add(time.Hour), session.OutcomeResolved)...), to.Add(4 * time.Hour), frontdoor.Ratio{Num: 1, Den: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := cat(callbackAt("k1", "c1", monday, from, to), tc.events)
			k := report(t, frontdoor.TallyConfig{}, tc.asOf, es...)
			require.Equal(t, tc.kept, k.PromiseKept)
		})
	}
}

func TestTallyDelayPercentiles(t *testing.T) {
	var es []frontdoor.Event
	for i := 1; i <= 20; i++ { // inbound waits of 1..20 minutes
		id, client := "k"+string(rune('a'+i)), "c"+string(rune('a'+i))
		es = append(es, admit(id, client, channel.Chat, monday, false),
			accept(id, client, monday.Add(time.Duration(i)*time.Minute), routing.TargetOwnTeam, time.Duration(i)*time.Minute))
	}
	// A callback called two hours after the promise, then again on a retry.
	es = cat(es, callbackAt("cb", "c0", monday, monday, monday.Add(3*time.Hour)), called("cb", "c0", monday.Add(2*time.Hour), session.OutcomeFollowUp))
	es = append(es[:len(es)-1], ev(frontdoor.EventCallbackRetry, monday.Add(2*time.Hour), "cb", ""),
		accept("cb", "c0", monday.Add(5*time.Hour), routing.TargetOwnTeam, 0))
	k := report(t, frontdoor.TallyConfig{}, monday.Add(6*time.Hour), es...)
	require.Equal(t, frontdoor.Delays{N: 20, P50: 10 * time.Minute, P90: 18 * time.Minute, P95: 19 * time.Minute}, k.InboundDelay)
	require.Equal(t, frontdoor.Delays{N: 1, P50: 2 * time.Hour, P90: 2 * time.Hour, P95: 2 * time.Hour}, k.CallbackDelay,
		"the first call counts")
	require.Equal(t, frontdoor.Delays{}, report(t, frontdoor.TallyConfig{}, monday).InboundDelay)
}

func TestTallyContinuity(t *testing.T) {
	var es []frontdoor.Event
	for i, target := range []routing.Target{routing.TargetOwnProfessional, routing.TargetOwnTeam, routing.TargetOwnTeam,
		routing.TargetHomeArea, routing.TargetCentralPool} {
		id := "k" + string(rune('a'+i))
		es = append(es, admit(id, id, channel.Chat, monday, false), accept(id, id, monday.Add(time.Minute), target, time.Minute))
	}
	// Reclaimed and accepted again at another step: the first acceptance
	// counts.
	es = append(es, ev(frontdoor.EventReclaimed, monday.Add(2*time.Minute), "ka", "ka"),
		accept("ka", "ka", monday.Add(3*time.Minute), routing.TargetCentralPool, 3*time.Minute))
	es = append(es, admit("kz", "kz", channel.Chat, monday, false)) // never accepted
	k := report(t, frontdoor.TallyConfig{}, monday.Add(time.Hour), es...)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 5}, k.OwnProfessional)
	require.Equal(t, frontdoor.Ratio{Num: 2, Den: 5}, k.OwnTeam)
	require.InDelta(t, 0.4, k.OwnTeam.Share(), 1e-9)
}

func TestTallyWithdrawnInCallIsClosedByTheProfessional(t *testing.T) {
	es := cat(callbackAt("k1", "c1", monday, monday, monday.Add(2*time.Hour)),
		[]frontdoor.Event{accept("k1", "c1", monday.Add(time.Hour), routing.TargetOwnTeam, 0),
			ev(frontdoor.EventWithdrawn, monday.Add(time.Hour+time.Minute), "k1", "c1"),
			closeAs("k1", "c1", monday.Add(time.Hour+5*time.Minute), session.OutcomeResolved)})
	k := report(t, frontdoor.TallyConfig{}, monday.Add(3*time.Hour), es...)
	require.Equal(t, 1, k.Contacts)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 1}, k.FirstContactResolution)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 1}, k.SameDayCallback)
}

func TestTallyRefusesBadInput(t *testing.T) {
	for _, cfg := range []frontdoor.TallyConfig{{Cutoff: -1}, {Debounce: -time.Second}, {Lookback: -time.Hour}} {
		_, err := frontdoor.NewTally(cfg)
		require.ErrorIs(t, err, frontdoor.ErrTallyConfig)
		require.ErrorIs(t, err, carecontact.ErrInvalid)
	}
	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{})
	require.NoError(t, err)
	good := frontdoor.Feedback{Professional: "aino", Guidance: guidance.Ref{Subject: "advice.video", Number: 2}, Rating: 4, At: monday}
	require.NoError(t, tally.AddFeedback(good))
	tests := []struct {
		field string
		edit  func(*frontdoor.Feedback)
	}{
		{"professional", func(f *frontdoor.Feedback) { f.Professional = "" }},
		{"guidance", func(f *frontdoor.Feedback) { f.Guidance.Number = 0 }},
		{"rating", func(f *frontdoor.Feedback) { f.Rating = 6 }},
		{"at", func(f *frontdoor.Feedback) { f.At = time.Time{} }},
		{"label", func(f *frontdoor.Feedback) { f.Label = "call 0401234567" }},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			f := good
			tc.edit(&f)
			err := tally.AddFeedback(f)
			require.ErrorIs(t, err, frontdoor.ErrInvalidFeedback)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
}

// pilotDirectory pilots video with team kallio-a (aino); cecilia's
// kallio-b is outside the pilot.
func pilotDirectory(t *testing.T) *routing.Directory {
	t.Helper()
	pro := func(id string, team carecontact.TeamID) routing.Professional {
		return routing.Professional{ID: carecontact.ProfessionalID(id), Role: routing.RoleNurse, Languages: []civil.Language{"fi"},
			Teams: []carecontact.TeamID{team}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas:         []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
		Teams:         []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"}, {ID: "kallio-b", NameFi: "Kallio B", Area: "kallio"}},
		Professionals: []routing.Professional{pro("aino", "kallio-a"), pro("cecilia", "kallio-b")},
		Policies:      []routing.Policy{routing.StandardPolicy("")},
		Pilots:        []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-a"}}},
	})
	require.NoError(t, err)
	return dir
}

func TestTallySplitsByPilotCohort(t *testing.T) {
	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{Cohorts: frontdoor.PilotCohorts{Directory: pilotDirectory(t), Channel: channel.Video}})
	require.NoError(t, err)
	by := func(e frontdoor.Event, p carecontact.ProfessionalID) frontdoor.Event { e.Professional = p; return e }
	for _, e := range []frontdoor.Event{
		admit("k1", "c1", channel.Chat, monday, false),
		by(accept("k1", "c1", monday.Add(time.Minute), routing.TargetOwnTeam, time.Minute), "aino"),
		by(closeAs("k1", "c1", monday.Add(5*time.Minute), session.OutcomeResolved), "aino"),
		admit("k2", "c2", channel.Chat, monday, false),
		by(accept("k2", "c2", monday.Add(2*time.Minute), routing.TargetHomeArea, 2*time.Minute), "cecilia"),
		by(closeAs("k2", "c2", monday.Add(5*time.Minute), session.OutcomeFollowUp), "cecilia"),
		admit("k3", "c3", channel.Chat, monday, false), // waits
	} {
		tally.Add(e)
	}
	ref := guidance.Ref{Subject: "advice.video", Number: 3}
	for _, f := range []frontdoor.Feedback{
		{Professional: "aino", Guidance: ref, Rating: 5, At: monday.Add(time.Hour)},
		{Professional: "aino", Guidance: ref, Rating: 3, Label: "unclear", At: monday.Add(30 * time.Minute)},
		{Professional: "cecilia", Guidance: guidance.Ref{Subject: "callback.requested", Number: 1}, Rating: 2, At: monday},
	} {
		require.NoError(t, tally.AddFeedback(f))
	}
	r := tally.Report(monday.Add(2 * time.Hour))
	require.Len(t, r.Cohorts, 3)
	require.Equal(t, 3, r.Total.KPIs.Contacts)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 2}, r.Total.KPIs.FirstContactResolution)
	require.Len(t, r.Total.Feedback, 3)

	pilot, ok := r.Cohort(frontdoor.CohortPilot)
	require.True(t, ok)
	require.Equal(t, 1, pilot.KPIs.Contacts)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 1}, pilot.KPIs.FirstContactResolution)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 1}, pilot.KPIs.OwnTeam)
	require.Len(t, pilot.Feedback, 2)
	require.True(t, pilot.Feedback[0].At.Before(pilot.Feedback[1].At), "in order of time")
	require.Equal(t, []frontdoor.GuidanceFeedback{{Guidance: ref, N: 2, RatingSum: 8, Labels: map[string]int{"unclear": 1}}}, pilot.ByGuidance)
	require.InDelta(t, 4.0, pilot.ByGuidance[0].Mean(), 1e-9)

	rest, ok := r.Cohort(frontdoor.CohortRest)
	require.True(t, ok)
	require.Equal(t, frontdoor.Ratio{Num: 0, Den: 1}, rest.KPIs.FirstContactResolution)
	require.Len(t, rest.Feedback, 1)

	none, ok := r.Cohort(frontdoor.CohortNone)
	require.True(t, ok, "the contact nobody accepted")
	require.Equal(t, 1, none.KPIs.Contacts)
	require.Empty(t, none.Feedback)

	_, ok = r.Cohort("other")
	require.False(t, ok)
}

// End to end: a Kallio station's Door feeds its events to a Tally.
func TestTallyOverADoor(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	dir := pilotDirectory(t) // video piloted by kallio-a, as at the station

	first := st.chatWith(t, "client-1", "aino")
	r := chat("client-1")
	r.Errand = channel.ErrandInfectionSymptoms
	st.clk.Add(5 * time.Second)
	again, err := st.door.Contact(ctx, r) // a double click
	require.NoError(t, err)
	require.True(t, again.Merged)
	_, err = st.door.Close(ctx, "aino", first, session.OutcomeResolved)
	require.NoError(t, err)

	st.clk.Add(time.Minute)
	followed := st.chatWith(t, "client-2", "aino")
	_, err = st.door.Close(ctx, "aino", followed, session.OutcomeFollowUp)
	require.NoError(t, err)
	st.clk.Add(time.Hour)
	second := st.chatWith(t, "client-2", "aino") // failure demand
	_, err = st.door.Close(ctx, "aino", second, session.OutcomeResolved)
	require.NoError(t, err)

	cb, err := st.door.Contact(ctx, callbackOf("client-3"))
	require.NoError(t, err)
	item := dueItem(t, st.door, st.clk, cb.ID)
	it, ok := st.door.Parts().Dispatcher.Item(item)
	require.True(t, ok)
	_, err = st.door.Accept(ctx, it.Professional, item)
	require.NoError(t, err)
	_, err = st.door.Close(ctx, it.Professional, cb.ID, session.OutcomeBooked)
	require.NoError(t, err)

	st.signIn(t, "cecilia")
	own := chat("client-4")
	own.OwnTeam = "kallio-b"
	c4, err := st.door.Contact(ctx, own)
	require.NoError(t, err)
	require.Equal(t, carecontact.ProfessionalID("cecilia"), c4.Item.Professional)
	_, err = st.door.Accept(ctx, "cecilia", c4.Item.ID)
	require.NoError(t, err)
	_, err = st.door.Close(ctx, "cecilia", c4.ID, session.OutcomeResolved)
	require.NoError(t, err)

	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{Cohorts: frontdoor.PilotCohorts{Directory: dir, Channel: channel.Video}})
	require.NoError(t, err)
	for _, e := range st.events {
		tally.Add(e)
	}
	rep := tally.Report(st.clk.Now())
	k := rep.Total.KPIs
	require.Equal(t, 5, k.Contacts)
	require.Equal(t, 1, k.DoubleClicks)
	require.Equal(t, frontdoor.Ratio{Num: 0, Den: 5}, k.DuplicateDemand, "the double click is no duplicate demand")
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 5}, k.FailureDemand)
	require.Equal(t, frontdoor.Ratio{Num: 3, Den: 5}, k.FirstContactResolution)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 1}, k.SameDayCallback)
	require.Equal(t, frontdoor.Ratio{Num: 1, Den: 1}, k.PromiseKept)
	require.Equal(t, 4, k.InboundDelay.N)
	require.Equal(t, 1, k.CallbackDelay.N)
	require.Equal(t, 5, k.OwnTeam.Den)
	require.Equal(t, 1, k.OwnTeam.Num, "client-4's own team; the callback of a client without one is no continuity, though the team that promised it called")

	rest, ok := rep.Cohort(frontdoor.CohortRest)
	require.True(t, ok)
	require.Equal(t, 1, rest.KPIs.Contacts, "cecilia is outside the pilot")
	pilot, ok := rep.Cohort(frontdoor.CohortPilot)
	require.True(t, ok)
	require.Equal(t, 4, pilot.KPIs.Contacts)

	again2, err := frontdoor.ComputeKPIs(st.events, frontdoor.TallyConfig{Cohorts: frontdoor.PilotCohorts{Directory: dir, Channel: channel.Video}}, st.clk.Now())
	require.NoError(t, err)
	require.Equal(t, rep, again2, "a recorded stream gives the same report")
}

func TestTallyReportsWhileTheDoorFeedsIt(t *testing.T) {
	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			id := fmt.Sprint("k", i)
			tally.Add(admit(id, id, channel.Chat, monday, false))
			tally.Add(closeAs(id, id, monday.Add(time.Minute), session.OutcomeResolved))
		}
	}()
	for i := 0; i < 50; i++ {
		_ = tally.Report(monday)
	}
	<-done
	require.Equal(t, frontdoor.Ratio{Num: 200, Den: 200}, tally.Report(monday).Total.KPIs.FirstContactResolution)
}
