package guidance_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

func northChannels(kinds ...channel.Kind) guidance.Entry {
	hours := guidance.Localized{"fi": "ma–pe 8–16", "sv": "mån–fre 8–16"}
	cfg := &guidance.ChannelConfig{Area: "north", AreaName: guidance.Localized{"fi": "Pohjoinen", "sv": "Norra"}}
	for i, k := range kinds {
		cfg.Offers = append(cfg.Offers, guidance.Offer{Kind: k, Rank: i + 1, Identity: channel.IdentityWeak, Hours: hours})
	}
	return guidance.Entry{Channels: cfg}
}

func northAdvice(k channel.Kind, fi, sv string) guidance.Entry {
	loc := guidance.Localized{"fi": fi}
	if sv != "" {
		loc["sv"] = sv
	}
	return guidance.Entry{Text: &guidance.Text{Key: guidance.AdviceKey(k), Area: "north", Text: loc}}
}

// setFixture publishes the baseline (north offers callbacks, with their
// advice text) and drafts change set "video" offering video as well.
func setFixture(t *testing.T) (fixture, guidance.Ref, guidance.Ref) {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	f.publish(t, northAdvice(channel.Callback, "Jätä soittopyyntö.", "Lämna en begäran."))
	oldCfg := f.publish(t, northChannels(channel.Callback))
	f.advance(time.Minute)
	require.NoError(t, f.g.NewSet(ctx, editor, "video", "north", "video offer"))
	cfgRef, err := f.g.DraftInSet(ctx, editor, "video", northChannels(channel.Callback, channel.Video), "offer video")
	require.NoError(t, err)
	return f, oldCfg, cfgRef
}

func offers(t *testing.T, c *guidance.Catalog) []channel.Kind {
	t.Helper()
	var out []channel.Kind
	for _, cfg := range c.Content().Channels {
		for _, o := range cfg.Offers {
			out = append(out, o.Kind)
		}
	}
	return out
}

func TestChangeSetIsValidatedReviewedApprovedAndPublishedAtOnce(t *testing.T) {
	ctx := context.Background()
	f, oldCfg, cfgRef := setFixture(t)

	// A video offer without its advice text does not validate as a whole.
	err := f.g.SubmitSet(ctx, editor, "video", "")
	require.ErrorIs(t, err, guidance.ErrNotFound)
	require.Contains(t, err.Error(), "advice.video")

	textRef, err := f.g.DraftInSet(ctx, editor, "video", northAdvice(channel.Video, "Videovastaanotto {opening_hours}.", "Videomottagning {opening_hours}."), "text")
	require.NoError(t, err)
	// A member moves only with its set.
	require.ErrorIs(t, f.g.Submit(ctx, editor, textRef, ""), guidance.ErrState)
	f.advance(time.Minute)
	require.NoError(t, f.g.SubmitSet(ctx, editor, "video", "please review"))

	// Authors do not review; one person does not review and approve alone.
	require.ErrorIs(t, f.g.ReviewSet(ctx, editor, "video", ""), guidance.ErrDenied)
	err = f.g.ApproveSet(ctx, editor, "video", "")
	require.ErrorIs(t, err, guidance.ErrDenied)
	require.Contains(t, err.Error(), "needs role", "an editor without the manager's role is told so, not that she wrote a member")
	require.NoError(t, f.g.ReviewSet(ctx, dual, "video", "ok"))
	require.ErrorIs(t, f.g.ApproveSet(ctx, dual, "video", ""), guidance.ErrDenied)
	require.NoError(t, f.g.ReviewSet(ctx, reviewer, "video", "ok"))
	require.ErrorIs(t, f.g.PublishSet(ctx, manager, "video", time.Time{}, ""), guidance.ErrState, "not approved yet")
	require.NoError(t, f.g.ApproveSet(ctx, manager, "video", "approved"))
	for _, ref := range []guidance.Ref{cfgRef, textRef} {
		rec, err := f.g.Record(ctx, ref.Subject)
		require.NoError(t, err)
		v, _ := rec.Version(ref.Number)
		require.Equal(t, guidance.StateApproved, v.State, ref)
	}

	// Published from 1 April: not live before, live from then on.
	from := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	require.ErrorIs(t, f.g.PublishSet(ctx, editor, "video", from, ""), guidance.ErrDenied)
	require.ErrorIs(t, f.g.PublishSet(ctx, manager, "video", f.clock.Now().Add(-time.Hour), ""), guidance.ErrInvalid)
	require.NoError(t, f.g.PublishSet(ctx, manager, "video", from, "from 1 April"))

	before, err := f.g.Published(ctx, from.Add(-time.Second))
	require.NoError(t, err)
	require.Equal(t, []channel.Kind{channel.Callback}, offers(t, before))
	_, err = before.Render(guidance.AdviceKey(channel.Video), guidance.Scope{Area: "north"}, nil, guidance.Vars{guidance.VarOpeningHours: "8–16"})
	require.ErrorIs(t, err, guidance.ErrNotFound)
	r, err := before.Render(guidance.AdviceKey(channel.Callback), guidance.Scope{Area: "north"}, nil, nil)
	require.NoError(t, err)
	require.Equal(t, guidance.Ref{Subject: "text/advice.callback/north/*", Number: 1}, r.Version)

	at, err := f.g.Published(ctx, from)
	require.NoError(t, err)
	require.Equal(t, []channel.Kind{channel.Callback, channel.Video}, offers(t, at))
	r, err = at.Render(guidance.AdviceKey(channel.Video), guidance.Scope{Area: "north"}, []language.Tag{language.Swedish}, guidance.Vars{guidance.VarOpeningHours: "8–16"})
	require.NoError(t, err)
	require.Equal(t, textRef, r.Version)
	require.Equal(t, language.Swedish, r.Language)
	require.Equal(t, "Videomottagning 8–16.", r.Plain)

	set, err := f.g.Record(ctx, guidance.SetSubject("video"))
	require.NoError(t, err)
	require.Equal(t, guidance.StatePublished, set.Versions[0].State)
	require.Equal(t, []guidance.Ref{oldCfg}, set.Versions[0].ChangeSet.Replaced)
	require.Equal(t, from, set.Versions[0].ChangeSet.Effective)

	// Rolled back on 2 April: the previous published set serves again,
	// and what was live on 1 April stays answerable.
	f.clock.Set(from.Add(24 * time.Hour))
	require.ErrorIs(t, f.g.RollbackSet(ctx, reviewer, "video", ""), guidance.ErrDenied)
	require.NoError(t, f.g.RollbackSet(ctx, manager, "video", "advice wrong"))
	after, err := f.g.Published(ctx, f.clock.Now())
	require.NoError(t, err)
	require.Equal(t, []channel.Kind{channel.Callback}, offers(t, after))
	c := after.Content()
	require.Len(t, c.Texts, 1)
	at, err = f.g.Published(ctx, from.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, []channel.Kind{channel.Callback, channel.Video}, offers(t, at))
	require.ErrorIs(t, f.g.RollbackSet(ctx, manager, "video", ""), guidance.ErrState)

	rb, err := f.log.Events(ctx, audit.Filter{Action: "guidance.rollback"})
	require.NoError(t, err)
	allowed := 0
	for _, e := range rb {
		if e.Outcome == audit.Allowed {
			allowed++
		}
	}
	require.Equal(t, 3, allowed, "the set and both members")
	restored, err := f.log.Events(ctx, audit.Filter{Action: "guidance.restore"})
	require.NoError(t, err)
	require.Len(t, restored, 1)
	require.Equal(t, "guidance/"+oldCfg.Subject, restored[0].Subject)
}

// failingStore fails the Save of one subject while fail is set.
type failingStore struct {
	guidance.Store
	subject string
	fail    bool
}

func (s *failingStore) Save(ctx context.Context, rec guidance.Record, events []audit.Event) (int64, error) {
	if s.fail && rec.Subject == s.subject {
		return 0, errors.New("disk full")
	}
	return s.Store.Save(ctx, rec, events)
}

func TestPublishSetStoppedPartWayServesNothingOfIt(t *testing.T) {
	ctx := context.Background()
	f, _, _ := setFixture(t)
	fs := &failingStore{Store: f.store, subject: guidance.SetSubject("video"), fail: false}
	g, err := guidance.New(guidance.Config{Store: fs, Audit: f.log, Roles: grants, Clock: f.clock})
	require.NoError(t, err)
	_, err = g.DraftInSet(ctx, editor, "video", northAdvice(channel.Video, "Video {opening_hours}.", ""), "text")
	require.NoError(t, err)
	require.NoError(t, g.SubmitSet(ctx, editor, "video", ""))
	require.NoError(t, g.ReviewSet(ctx, reviewer, "video", ""))
	require.NoError(t, g.ApproveSet(ctx, manager, "video", ""))

	fs.fail = true
	require.Error(t, g.PublishSet(ctx, manager, "video", time.Time{}, ""))
	// The members are prepared, but the set is not published: nothing of
	// it is served, and the old configuration still is.
	c, err := g.Published(ctx, f.clock.Now())
	require.NoError(t, err)
	require.Equal(t, []channel.Kind{channel.Callback}, offers(t, c))
	require.Len(t, c.Content().Texts, 1)

	fs.fail = false
	require.NoError(t, g.PublishSet(ctx, manager, "video", time.Time{}, ""))
	c, err = g.Published(ctx, f.clock.Now())
	require.NoError(t, err)
	require.Equal(t, []channel.Kind{channel.Callback, channel.Video}, offers(t, c))
	require.Len(t, c.Content().Texts, 2)
}

func TestChangeSetRefusals(t *testing.T) {
	ctx := context.Background()
	f, _, _ := setFixture(t)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"bad id", f.g.NewSet(ctx, editor, "Video!", "north", ""), guidance.ErrInvalid},
		{"exists", f.g.NewSet(ctx, editor, "video", "north", ""), guidance.ErrState},
		{"other area", f.g.NewSet(ctx, editor, "south-x", "south", ""), guidance.ErrDenied},
		{"unknown set", f.g.SubmitSet(ctx, editor, "nope", ""), guidance.ErrNotFound},
		{"return without note", f.g.ReturnSet(ctx, reviewer, "video", ""), guidance.ErrInvalid},
		{"return a draft", f.g.ReturnSet(ctx, reviewer, "video", "why"), guidance.ErrState},
		{"rollback unpublished", f.g.RollbackSet(ctx, manager, "video", ""), guidance.ErrState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.ErrorIs(t, tt.err, tt.want) })
	}
	_, err := f.g.DraftInSet(ctx, editor, "video", guidance.Entry{Text: &guidance.Text{Key: guidance.KeyAdviceIntro, Text: guidance.Localized{"fi": "Hei"}}}, "")
	require.ErrorIs(t, err, guidance.ErrInvalid, "an entry of another area")
	_, err = f.g.DraftInSet(ctx, editor, "video", northChannels(channel.Chat), "")
	require.ErrorIs(t, err, guidance.ErrState, "a second version of one subject")
	require.True(t, strings.HasPrefix(guidance.SetSubject("x"), "changeset/"))
}

func TestWithdrawSetAbandonsAnUnpublishedSet(t *testing.T) {
	ctx := context.Background()
	f, _, cfgRef := setFixture(t)
	require.ErrorIs(t, f.g.Withdraw(ctx, editor, cfgRef, ""), guidance.ErrState, "a member goes with its set")
	require.NoError(t, f.g.WithdrawSet(ctx, editor, "video", "not now"))
	rec, err := f.g.Record(ctx, cfgRef.Subject)
	require.NoError(t, err)
	v, _ := rec.Version(cfgRef.Number)
	require.Equal(t, guidance.StateWithdrawn, v.State)
	// The subject is free for a new draft.
	_, err = f.g.Draft(ctx, editor, northChannels(channel.Callback, channel.Chat), "")
	require.NoError(t, err)
	require.NoError(t, f.g.WithdrawSet(ctx, editor, "video", ""), "taking the step again completes it")
}

func TestWhoEditedAMemberNeitherReviewsNorApprovesTheSet(t *testing.T) {
	ctx := context.Background()
	f, _, cfgRef := setFixture(t)
	textRef, err := f.g.DraftInSet(ctx, editor, "video", northAdvice(channel.Video, "Video {opening_hours}.", ""), "")
	require.NoError(t, err)
	// The manager corrects the text in the set, so they are one of its
	// authors though they did not open the set.
	require.NoError(t, f.g.Edit(ctx, manager, textRef, northAdvice(channel.Video, "Videovastaanotto {opening_hours}.", ""), "typo"))
	require.NoError(t, f.g.SubmitSet(ctx, editor, "video", ""))
	require.NoError(t, f.g.ReviewSet(ctx, reviewer, "video", "ok"))
	// Allowed, and so the worklist, offers the manager no approval either.
	setRef := guidance.Ref{Subject: guidance.SetSubject("video"), Number: 1}
	acts, err := f.g.Allowed(ctx, manager, setRef)
	require.NoError(t, err)
	require.NotContains(t, acts, guidance.ActionApprove)
	acts, err = f.g.Allowed(ctx, chief, setRef)
	require.NoError(t, err)
	require.Contains(t, acts, guidance.ActionApprove)
	err = f.g.ApproveSet(ctx, manager, "video", "")
	require.ErrorIs(t, err, guidance.ErrDenied)
	require.Contains(t, err.Error(), textRef.String())
	// Nothing moved: the set and its members are still in review.
	for _, ref := range []guidance.Ref{{Subject: guidance.SetSubject("video"), Number: 1}, cfgRef, textRef} {
		rec, err := f.g.Record(ctx, ref.Subject)
		require.NoError(t, err)
		v, _ := rec.Version(ref.Number)
		require.Equal(t, guidance.StateInReview, v.State, ref)
	}
	require.NoError(t, f.g.ApproveSet(ctx, chief, "video", "approved by the chief"))
}

// TestPublishSetRefusesBeforeItWrites: an ApproveSet that stopped
// part-way leaves the set approved and a member in review; PublishSet
// refuses it without writing any member, and taking ApproveSet again
// completes the approval so the set publishes.
func TestPublishSetRefusesBeforeItWrites(t *testing.T) {
	ctx := context.Background()
	f, oldCfg, cfgRef := setFixture(t)
	fs := &failingStore{Store: f.store}
	g, err := guidance.New(guidance.Config{Store: fs, Audit: f.log, Roles: grants, Clock: f.clock})
	require.NoError(t, err)
	textRef, err := g.DraftInSet(ctx, editor, "video", northAdvice(channel.Video, "Video {opening_hours}.", ""), "text")
	require.NoError(t, err)
	require.NoError(t, g.SubmitSet(ctx, editor, "video", ""))
	require.NoError(t, g.ReviewSet(ctx, reviewer, "video", ""))
	fs.subject, fs.fail = textRef.Subject, true
	require.Error(t, g.ApproveSet(ctx, manager, "video", ""))
	fs.fail = false

	state := func(ref guidance.Ref) guidance.State {
		rec, err := g.Record(ctx, ref.Subject)
		require.NoError(t, err)
		v, _ := rec.Version(ref.Number)
		return v.State
	}
	require.Equal(t, guidance.StateApproved, state(cfgRef))
	require.Equal(t, guidance.StateInReview, state(textRef))

	err = g.PublishSet(ctx, manager, "video", time.Time{}, "")
	require.ErrorIs(t, err, guidance.ErrState)
	require.Contains(t, err.Error(), "ApproveSet again")
	require.Equal(t, guidance.StateApproved, state(cfgRef), "the refusal wrote nothing")
	require.Equal(t, guidance.StatePublished, state(oldCfg), "the old version is not superseded")
	evs, err := f.log.Events(ctx, audit.Filter{Action: "guidance.publish"})
	require.NoError(t, err)
	denied := 0
	for _, e := range evs {
		if e.Outcome == audit.Denied {
			denied++
		}
	}
	require.Equal(t, 1, denied, "the refusal is recorded")

	require.NoError(t, g.ApproveSet(ctx, manager, "video", ""), "taking the step again completes it")
	require.NoError(t, g.PublishSet(ctx, manager, "video", time.Time{}, ""))
	require.Equal(t, guidance.StatePublished, state(cfgRef))
	require.Equal(t, guidance.StatePublished, state(textRef))
	require.Equal(t, guidance.StateSuperseded, state(oldCfg))
}

// racingStore runs before, once, just ahead of the second Load of
// subject after it is armed: between RollbackSet's check of its members
// and its write.
type racingStore struct {
	guidance.Store
	subject string
	loads   int
	before  func()
}

func (s *racingStore) Load(ctx context.Context, subject string) (guidance.Record, error) {
	if s.before != nil && subject == s.subject {
		if s.loads++; s.loads == 2 {
			f := s.before
			s.before = nil
			f()
		}
	}
	return s.Store.Load(ctx, subject)
}

// TestRollbackSetRechecksMembersWhenItWrites: a later version published
// between RollbackSet's check and its write makes the rollback fail, and
// the version it replaced is not restored beside the later one.
func TestRollbackSetRechecksMembersWhenItWrites(t *testing.T) {
	ctx := context.Background()
	f, oldCfg, cfgRef := setFixture(t)
	_, err := f.g.DraftInSet(ctx, editor, "video", northAdvice(channel.Video, "Video {opening_hours}.", ""), "text")
	require.NoError(t, err)
	require.NoError(t, f.g.SubmitSet(ctx, editor, "video", ""))
	require.NoError(t, f.g.ReviewSet(ctx, reviewer, "video", ""))
	require.NoError(t, f.g.ApproveSet(ctx, manager, "video", ""))
	require.NoError(t, f.g.PublishSet(ctx, manager, "video", time.Time{}, ""))
	f.advance(time.Minute)

	rs := &racingStore{Store: f.store, subject: cfgRef.Subject}
	g, err := guidance.New(guidance.Config{Store: rs, Audit: f.log, Roles: grants, Clock: f.clock})
	require.NoError(t, err)
	var later guidance.Ref
	rs.before = func() { later = f.publish(t, northChannels(channel.Callback, channel.Video, channel.Chat)) }
	require.ErrorIs(t, g.RollbackSet(ctx, manager, "video", "wrong"), guidance.ErrState)
	require.NotZero(t, later.Number, "the later version was published in between")

	rec, err := f.g.Record(ctx, cfgRef.Subject)
	require.NoError(t, err)
	var published []int
	for _, v := range rec.Versions {
		if v.State == guidance.StatePublished {
			published = append(published, v.Number)
		}
	}
	require.Equal(t, []int{later.Number}, published, "only the later version is published")
	v, _ := rec.Version(oldCfg.Number)
	require.Equal(t, guidance.StateSuperseded, v.State, "the replaced version is not restored")
}

// predicateFailingStore fails the Save of every record fail accepts.
type predicateFailingStore struct {
	guidance.Store
	fail func(guidance.Record) bool
}

func (s *predicateFailingStore) Save(ctx context.Context, rec guidance.Record, events []audit.Event) (int64, error) {
	if s.fail != nil && s.fail(rec) {
		return 0, errors.New("disk full")
	}
	return s.Store.Save(ctx, rec, events)
}

// TestDraftInSetThatFailsToAddLeavesNoStuckDraft: a draft saved but not
// added to its set is withdrawn again; should that fail too, Withdraw
// takes the orphan, and the subject is free for a new draft.
func TestDraftInSetThatFailsToAddLeavesNoStuckDraft(t *testing.T) {
	ctx := context.Background()
	f, _, _ := setFixture(t)
	fs := &predicateFailingStore{Store: f.store}
	g, err := guidance.New(guidance.Config{Store: fs, Audit: f.log, Roles: grants, Clock: f.clock})
	require.NoError(t, err)
	text := northAdvice(channel.Video, "Video {opening_hours}.", "")
	state := func(ref guidance.Ref) guidance.State {
		rec, err := g.Record(ctx, ref.Subject)
		require.NoError(t, err)
		v, _ := rec.Version(ref.Number)
		return v.State
	}
	members := func() []guidance.Ref {
		rec, err := g.Record(ctx, guidance.SetSubject("video"))
		require.NoError(t, err)
		return rec.Versions[0].ChangeSet.Members
	}
	before := members()

	// The add fails: the draft is withdrawn in the set's name.
	fs.fail = func(r guidance.Record) bool { return r.Subject == guidance.SetSubject("video") }
	ref, err := g.DraftInSet(ctx, editor, "video", text, "")
	require.Error(t, err)
	require.Equal(t, guidance.StateWithdrawn, state(ref))
	require.Equal(t, before, members())

	// The add and the withdrawal fail: Withdraw takes the orphan.
	fs.fail = func(r guidance.Record) bool {
		if r.Subject == guidance.SetSubject("video") {
			return true
		}
		v, ok := r.Latest()
		return ok && v.State == guidance.StateWithdrawn && r.Subject == text.Subject() && len(r.Versions) == 2
	}
	ref, err = g.DraftInSet(ctx, editor, "video", text, "")
	require.Error(t, err)
	require.Contains(t, err.Error(), "does not list")
	require.Equal(t, guidance.StateDraft, state(ref))
	fs.fail = nil
	_, err = g.Draft(ctx, editor, text, "")
	require.ErrorIs(t, err, guidance.ErrState, "the orphan is still open")
	require.NoError(t, g.Withdraw(ctx, editor, ref, "orphan"))
	require.Equal(t, guidance.StateWithdrawn, state(ref))
	_, err = g.DraftInSet(ctx, editor, "video", text, "")
	require.NoError(t, err, "the subject is free again")
	require.Len(t, members(), len(before)+1)

	// A member the set lists still goes only with its set.
	require.ErrorIs(t, g.Withdraw(ctx, editor, members()[0], ""), guidance.ErrState)
}
