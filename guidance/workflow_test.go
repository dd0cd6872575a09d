package guidance_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

// northCallback returns a callback.requested text for area north.
func northCallback(fi string) guidance.Entry {
	return guidance.Entry{Text: &guidance.Text{Key: guidance.KeyCallbackRequested, Area: "north",
		Text: guidance.Localized{"fi": fi, "sv": "Vi ringer {callback_window}."}}}
}

func TestWorkflowHappyPathRecordsWhoAndWhen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := northCallback("Soitamme {callback_window}.")
	ref, err := f.g.Draft(ctx, editor, e, "first version")
	require.NoError(t, err)
	require.Equal(t, guidance.Ref{Subject: "text/callback.requested/north/*", Number: 1}, ref)
	require.Equal(t, "text/callback.requested/north/*@1", ref.String())

	steps := []struct {
		actor audit.Actor
		do    func(audit.Actor) error
		state guidance.State
	}{
		{editor, func(a audit.Actor) error {
			return f.g.Edit(ctx, a, ref, northCallback("Soitamme sinulle {callback_window}."), "typo")
		}, guidance.StateDraft},
		{editor, func(a audit.Actor) error { return f.g.Submit(ctx, a, ref, "") }, guidance.StateInReview},
		{reviewer, func(a audit.Actor) error { return f.g.Review(ctx, a, ref, "looks good") }, guidance.StateInReview},
		{manager, func(a audit.Actor) error { return f.g.Approve(ctx, a, ref, "") }, guidance.StateApproved},
		{manager, func(a audit.Actor) error { return f.g.Publish(ctx, a, ref, "") }, guidance.StatePublished},
	}
	for i, s := range steps {
		f.advance(time.Minute)
		require.NoError(t, s.do(s.actor), "step %d", i)
		rec, err := f.g.Record(ctx, ref.Subject)
		require.NoError(t, err)
		v, ok := rec.Version(1)
		require.True(t, ok)
		require.Equal(t, s.state, v.State, "step %d", i)
	}
	rec, err := f.g.Record(ctx, ref.Subject)
	require.NoError(t, err)
	v, _ := rec.Latest()
	want := []struct {
		action guidance.Action
		actor  string
		at     time.Time
	}{
		{guidance.ActionDraft, editor.ID, t0},
		{guidance.ActionEdit, editor.ID, t0.Add(1 * time.Minute)},
		{guidance.ActionSubmit, editor.ID, t0.Add(2 * time.Minute)},
		{guidance.ActionReview, reviewer.ID, t0.Add(3 * time.Minute)},
		{guidance.ActionApprove, manager.ID, t0.Add(4 * time.Minute)},
		{guidance.ActionPublish, manager.ID, t0.Add(5 * time.Minute)},
	}
	require.Len(t, v.Steps, len(want))
	for i, w := range want {
		require.Equal(t, w.action, v.Steps[i].Action)
		require.Equal(t, w.actor, v.Steps[i].Actor.ID)
		require.Equal(t, w.at, v.Steps[i].At)
	}
	require.Equal(t, "Soitamme sinulle {callback_window}.", v.Entry.Text.Text["fi"])
	pub, ok := v.PublishedAt()
	require.True(t, ok)
	require.Equal(t, t0.Add(5*time.Minute), pub)

	events, err := f.log.Events(ctx, audit.Filter{Subject: "guidance/" + ref.Subject})
	require.NoError(t, err)
	var actions []string
	for _, e := range events {
		require.Equal(t, audit.Allowed, e.Outcome)
		require.Equal(t, "1", e.Detail["version"])
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"guidance.draft", "guidance.edit", "guidance.submit", "guidance.review", "guidance.approve", "guidance.publish"}, actions)
	require.Equal(t, "approved", events[5].Detail["from"])
	require.Equal(t, "published", events[5].Detail["to"])
}

func TestWorkflowDenials(t *testing.T) {
	ctx := context.Background()
	type setup func(f fixture) guidance.Ref
	draft := func(f fixture) guidance.Ref {
		ref, err := f.g.Draft(ctx, editor, northCallback("Soitamme {callback_window}."), "")
		require.NoError(t, err)
		return ref
	}
	submitted := func(f fixture) guidance.Ref {
		ref := draft(f)
		require.NoError(t, f.g.Submit(ctx, editor, ref, ""))
		return ref
	}
	reviewed := func(f fixture) guidance.Ref {
		ref := submitted(f)
		require.NoError(t, f.g.Review(ctx, reviewer, ref, ""))
		return ref
	}
	approved := func(f fixture) guidance.Ref {
		ref := reviewed(f)
		require.NoError(t, f.g.Approve(ctx, manager, ref, ""))
		return ref
	}
	published := func(f fixture) guidance.Ref {
		ref := approved(f)
		require.NoError(t, f.g.Publish(ctx, manager, ref, ""))
		return ref
	}
	managerAuthored := func(f fixture) guidance.Ref {
		ref, err := f.g.Draft(ctx, manager, northCallback("Soitamme {callback_window}."), "")
		require.NoError(t, err)
		require.NoError(t, f.g.Submit(ctx, manager, ref, ""))
		require.NoError(t, f.g.Review(ctx, reviewer, ref, ""))
		return ref
	}
	tests := []struct {
		name   string
		setup  setup
		do     func(f fixture, ref guidance.Ref) error
		want   error
		reason string
	}{
		{"editor of another area cannot draft", nil, func(f fixture, _ guidance.Ref) error {
			_, err := f.g.Draft(ctx, editor2, northCallback("{callback_window}"), "")
			return err
		}, guidance.ErrDenied, "no_right"},
		{"reviewer cannot draft", nil, func(f fixture, _ guidance.Ref) error {
			_, err := f.g.Draft(ctx, reviewer, northCallback("{callback_window}"), "")
			return err
		}, guidance.ErrDenied, "no_right"},
		{"a client cannot draft", nil, func(f fixture, _ guidance.Ref) error {
			_, err := f.g.Draft(ctx, clientAct, northCallback("{callback_window}"), "")
			return err
		}, guidance.ErrDenied, "no_right"},
		{"area editor cannot draft a shared entry", nil, func(f fixture, _ guidance.Ref) error {
			e := northCallback("{callback_window}")
			e.Text.Area = ""
			_, err := f.g.Draft(ctx, editor, e, "")
			return err
		}, guidance.ErrDenied, "no_right"},
		{"second open version", draft, func(f fixture, _ guidance.Ref) error {
			_, err := f.g.Draft(ctx, editor, northCallback("Toinen {callback_window}"), "")
			return err
		}, guidance.ErrState, "state"},
		{"reviewer cannot edit", draft, func(f fixture, ref guidance.Ref) error {
			return f.g.Edit(ctx, reviewer, ref, northCallback("{callback_window}"), "")
		}, guidance.ErrDenied, "no_right"},
		{"reviewer cannot submit", draft, func(f fixture, ref guidance.Ref) error { return f.g.Submit(ctx, reviewer, ref, "") }, guidance.ErrDenied, "no_right"},
		{"cannot review a draft", draft, func(f fixture, ref guidance.Ref) error { return f.g.Review(ctx, reviewer, ref, "") }, guidance.ErrState, "state"},
		{"cannot approve a draft", draft, func(f fixture, ref guidance.Ref) error { return f.g.Approve(ctx, manager, ref, "") }, guidance.ErrState, "state"},
		{"cannot publish a draft", draft, func(f fixture, ref guidance.Ref) error { return f.g.Publish(ctx, manager, ref, "") }, guidance.ErrState, "state"},
		{"cannot edit in review", submitted, func(f fixture, ref guidance.Ref) error {
			return f.g.Edit(ctx, editor, ref, northCallback("{callback_window}"), "")
		}, guidance.ErrState, "state"},
		{"editor cannot review", submitted, func(f fixture, ref guidance.Ref) error { return f.g.Review(ctx, editor, ref, "") }, guidance.ErrDenied, "no_right"},
		{"manager approves only after a review", submitted, func(f fixture, ref guidance.Ref) error { return f.g.Approve(ctx, manager, ref, "") }, guidance.ErrState, "state"},
		{"editor cannot approve", reviewed, func(f fixture, ref guidance.Ref) error { return f.g.Approve(ctx, editor, ref, "") }, guidance.ErrDenied, "no_right"},
		{"reviewer cannot approve", reviewed, func(f fixture, ref guidance.Ref) error { return f.g.Approve(ctx, reviewer, ref, "") }, guidance.ErrDenied, "no_right"},
		{"manager of another area cannot approve", reviewed, func(f fixture, ref guidance.Ref) error { return f.g.Approve(ctx, managerS, ref, "") }, guidance.ErrDenied, "no_right"},
		{"author cannot approve own version", managerAuthored, func(f fixture, ref guidance.Ref) error { return f.g.Approve(ctx, manager, ref, "") }, guidance.ErrDenied, "no_right"},
		{"cannot publish before approval", reviewed, func(f fixture, ref guidance.Ref) error { return f.g.Publish(ctx, manager, ref, "") }, guidance.ErrState, "state"},
		{"editor cannot publish", approved, func(f fixture, ref guidance.Ref) error { return f.g.Publish(ctx, editor, ref, "") }, guidance.ErrDenied, "no_right"},
		{"cannot approve twice", approved, func(f fixture, ref guidance.Ref) error { return f.g.Approve(ctx, manager, ref, "") }, guidance.ErrState, "state"},
		{"cannot publish twice", published, func(f fixture, ref guidance.Ref) error { return f.g.Publish(ctx, manager, ref, "") }, guidance.ErrState, "state"},
		{"editor cannot withdraw a published version", published, func(f fixture, ref guidance.Ref) error { return f.g.Withdraw(ctx, editor, ref, "") }, guidance.ErrDenied, "no_right"},
		{"cannot return a published version", published, func(f fixture, ref guidance.Ref) error { return f.g.Return(ctx, manager, ref, "why") }, guidance.ErrState, "state"},
		{"cannot withdraw twice", published, func(f fixture, ref guidance.Ref) error {
			require.NoError(t, f.g.Withdraw(ctx, manager, ref, ""))
			return f.g.Withdraw(ctx, manager, ref, "")
		}, guidance.ErrState, "state"},
		{"unknown version", draft, func(f fixture, ref guidance.Ref) error {
			ref.Number = 9
			return f.g.Submit(ctx, editor, ref, "")
		}, guidance.ErrNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			var ref guidance.Ref
			if tc.setup != nil {
				ref = tc.setup(f)
			}
			before, err := f.store.List(ctx)
			require.NoError(t, err)
			err = tc.do(f, ref)
			require.ErrorIs(t, err, tc.want)
			after, err := f.store.List(ctx)
			require.NoError(t, err)
			if len(before) > 0 && !errors.Is(tc.want, guidance.ErrNotFound) && tc.name != "cannot withdraw twice" {
				require.Equal(t, before, after, "a refused step changes nothing")
			}
			denied, err := f.log.Events(ctx, audit.Filter{})
			require.NoError(t, err)
			var found bool
			for _, e := range denied {
				if e.Outcome == audit.Denied {
					require.Equal(t, tc.reason, e.Detail["reason"])
					found = true
				}
			}
			require.Equal(t, tc.reason != "", found, "a denial is an audit event")
		})
	}
}

func TestWorkflowReturnAndResubmitNeedsNewReview(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ref, err := f.g.Draft(ctx, editor, northCallback("Soitamme {callback_window}."), "")
	require.NoError(t, err)
	require.NoError(t, f.g.Submit(ctx, editor, ref, ""))
	require.NoError(t, f.g.Review(ctx, reviewer, ref, ""))
	require.ErrorIs(t, f.g.Return(ctx, reviewer, ref, ""), guidance.ErrInvalid, "a return needs a note")
	require.NoError(t, f.g.Return(ctx, manager, ref, "lisää aukioloajat"))
	rec, err := f.g.Record(ctx, ref.Subject)
	require.NoError(t, err)
	require.Equal(t, guidance.StateDraft, rec.Versions[0].State)
	require.Equal(t, "lisää aukioloajat", rec.Versions[0].Steps[len(rec.Versions[0].Steps)-1].Note)
	require.NoError(t, f.g.Edit(ctx, editor, ref, northCallback("Soitamme {callback_window} arkisin."), ""))
	require.NoError(t, f.g.Submit(ctx, editor, ref, "korjattu"))
	require.ErrorIs(t, f.g.Approve(ctx, manager, ref, ""), guidance.ErrState, "the old review does not count")
	require.NoError(t, f.g.Review(ctx, reviewer, ref, ""))
	require.NoError(t, f.g.Approve(ctx, manager, ref, ""))
	require.ErrorIs(t, f.g.Edit(ctx, editor, ref, northCallback("x {callback_window}"), ""), guidance.ErrState)
	require.NoError(t, f.g.Withdraw(ctx, editor, ref, "not needed after all"))
	_, err = f.g.Draft(ctx, editor, northCallback("Uusi {callback_window}"), "")
	require.NoError(t, err, "after a withdrawal a new version may be drafted")
}

func TestDraftValidatesEntry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tests := []struct {
		name string
		e    guidance.Entry
		want error
		path string
	}{
		{"empty entry", guidance.Entry{}, guidance.ErrInvalid, "entry"},
		{"two payloads", guidance.Entry{Text: northCallback("{callback_window}").Text, Booking: &guidance.BookingConfig{Area: "north"}}, guidance.ErrInvalid, "entry"},
		{"unknown key", guidance.Entry{Text: &guidance.Text{Key: "callback.requestd", Area: "north", Text: guidance.Localized{"fi": "x"}}}, guidance.ErrUnknownKey, "text.key"},
		{"unknown variable", northCallback("{callback_window} {callback_windw}"), guidance.ErrUnknownVariable, "text.text.fi"},
		{"missing required variable", northCallback("Soitamme pian."), guidance.ErrMissingVariable, "text.text.fi"},
		{"template syntax", northCallback("{callback_window"), guidance.ErrTemplate, "text.text.fi"},
		{"missing default language", guidance.Entry{Text: &guidance.Text{Key: guidance.KeyCallbackRequested, Area: "north", Text: guidance.Localized{"sv": "{callback_window}"}}}, guidance.ErrLanguage, "text.text"},
		{"undeclared language", guidance.Entry{Text: &guidance.Text{Key: guidance.KeyCallbackRequested, Area: "north", Text: guidance.Localized{"fi": "{callback_window}", "de": "{callback_window}"}}}, guidance.ErrLanguage, "text.text.de"},
		{"bad channel kind", guidance.Entry{Channels: &guidance.ChannelConfig{Area: "north", AreaName: guidance.Localized{"fi": "P"},
			Offers: []guidance.Offer{{Kind: "fax", Rank: 1, Hours: guidance.Localized{"fi": "aina"}}}}}, guidance.ErrInvalid, "channels.offers[0].kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.g.Draft(ctx, editor, tc.e, "")
			require.ErrorIs(t, err, tc.want)
			require.ErrorContains(t, err, tc.path+":")
		})
	}
	recs, err := f.store.List(ctx)
	require.NoError(t, err)
	require.Empty(t, recs)
}

func TestPointInTimeReconstruction(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	render := func(at time.Time) (string, error) {
		cat, err := f.g.Published(ctx, at)
		require.NoError(t, err)
		require.Equal(t, at, cat.At())
		r, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "north"}, tags("fi"), guidance.Vars{guidance.VarCallbackWindow: "13–15"})
		return r.Plain, err
	}
	// Nothing is served before the first publication, nor while v1 waits.
	ref1, err := f.g.Draft(ctx, editor, northCallback("Versio 1: {callback_window}."), "")
	require.NoError(t, err)
	_, err = render(f.clock.Now())
	require.ErrorIs(t, err, guidance.ErrNotFound)

	f.advance(time.Hour)
	require.NoError(t, f.g.Submit(ctx, editor, ref1, ""))
	require.NoError(t, f.g.Review(ctx, reviewer, ref1, ""))
	require.NoError(t, f.g.Approve(ctx, manager, ref1, ""))
	p1 := f.advance(time.Hour)
	require.NoError(t, f.g.Publish(ctx, manager, ref1, ""))

	f.advance(24 * time.Hour)
	ref2, err := f.g.Draft(ctx, editor, northCallback("Versio 2: {callback_window}."), "")
	require.NoError(t, err)
	require.NoError(t, f.g.Submit(ctx, editor, ref2, ""))
	require.NoError(t, f.g.Review(ctx, reviewer, ref2, ""))
	require.NoError(t, f.g.Approve(ctx, manager, ref2, ""))
	p2 := f.advance(time.Hour)
	require.NoError(t, f.g.Publish(ctx, manager, ref2, ""))
	w2 := f.advance(48 * time.Hour)
	require.NoError(t, f.g.Withdraw(ctx, manager, ref2, "väärä tieto"))

	tests := []struct {
		at   time.Time
		want string
	}{
		{t0, ""},
		{p1.Add(-time.Nanosecond), ""},
		{p1, "Versio 1: 13–15."},
		{p2.Add(-time.Second), "Versio 1: 13–15."},
		{p2, "Versio 2: 13–15."},
		{w2.Add(-time.Second), "Versio 2: 13–15."},
		{w2, ""},
		{w2.Add(1000 * time.Hour), ""},
	}
	for _, tc := range tests {
		got, err := render(tc.at)
		if tc.want == "" {
			require.ErrorIs(t, err, guidance.ErrNotFound, "at %s", tc.at)
			continue
		}
		require.NoError(t, err, "at %s", tc.at)
		require.Equal(t, tc.want, got, "at %s", tc.at)
	}
	rec, err := f.g.Record(ctx, ref1.Subject)
	require.NoError(t, err)
	require.Equal(t, guidance.StateSuperseded, rec.Versions[0].State)
	require.Equal(t, guidance.StateWithdrawn, rec.Versions[1].State)
	end, ok := rec.Versions[0].EndedAt()
	require.True(t, ok)
	require.Equal(t, p2, end)
	sup, err := f.log.Events(ctx, audit.Filter{Action: "guidance.supersede"})
	require.NoError(t, err)
	require.Len(t, sup, 1)
	require.Equal(t, "1", sup[0].Detail["version"])
}

func TestConcurrentDraftsHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.g.Draft(ctx, editor, northCallback(fmt.Sprintf("Versio %d: {callback_window}", i)), "")
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.ErrorIs(t, err, guidance.ErrState)
	}
	require.Equal(t, 1, wins)
	rec, err := f.g.Record(ctx, "text/callback.requested/north/*")
	require.NoError(t, err)
	require.Len(t, rec.Versions, 1)
}

func TestConcurrentStepsOnDifferentSubjectsAllSucceed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	areas := []string{"north", "north", "north", "north"}
	var wg sync.WaitGroup
	for i, a := range areas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := guidance.Entry{Text: &guidance.Text{Key: guidance.KeyCallbackRequested, Area: carecontact.AreaID(a), Service: fmt.Sprintf("svc-%d", i),
				Text: guidance.Localized{"fi": "{callback_window}"}}}
			ref, err := f.g.Draft(ctx, editor, e, "")
			if err == nil {
				err = f.g.Submit(ctx, editor, ref, "")
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	recs, err := f.g.Records(ctx)
	require.NoError(t, err)
	require.Len(t, recs, len(areas))
	for _, r := range recs {
		require.Equal(t, guidance.StateInReview, r.Versions[0].State)
		require.Equal(t, int64(2), r.Rev)
	}
}

func TestNewGuideConfigErrors(t *testing.T) {
	f := newFixture(t)
	ok := guidance.Config{Store: f.store, Audit: f.log, Roles: grants, Clock: f.clock}
	tests := map[string]func(c *guidance.Config){
		"config.Store": func(c *guidance.Config) { c.Store = nil },
		"config.Audit": func(c *guidance.Config) { c.Audit = nil },
		"config.Roles": func(c *guidance.Config) { c.Roles = nil },
		"config.Clock": func(c *guidance.Config) { c.Clock = nil },
		"config.Languages": func(c *guidance.Config) {
			c.Languages = []string{"fi", "fi"}
		},
	}
	for field, mutate := range tests {
		c := ok
		mutate(&c)
		_, err := guidance.New(c)
		require.ErrorContains(t, err, field)
	}
}

func TestPublishedServesChannelsAndChecklist(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mc := miniContent()
	for _, e := range mc.Entries() {
		f.publish(t, e)
		f.advance(time.Minute)
	}
	cat, err := f.g.Published(ctx, f.clock.Now())
	require.NoError(t, err)
	require.Equal(t, []string{"av-tested", "identity-verified", "private-place"}, cat.Required("leg.start", channel.Video))
	adv, err := cat.Advise(fakeMatrix{}, guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult",
		Languages: tags("fi"), Identity: channel.IdentityStrong})
	require.NoError(t, err)
	require.Len(t, adv.Fits, 3)
	exp, err := f.g.Export(ctx, f.clock.Now())
	require.NoError(t, err)
	require.Equal(t, guidance.NewContent(mc.Languages, mc.Entries()), exp)
	empty, err := f.g.Export(ctx, t0.Add(-time.Hour))
	require.NoError(t, err)
	require.Empty(t, empty.Texts)
}
