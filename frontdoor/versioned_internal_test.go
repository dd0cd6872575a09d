package frontdoor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

// setFailingStore fails the Save of one change set's record while fail
// is set.
type setFailingStore struct {
	guidance.Store
	set  string
	fail bool
}

func (s *setFailingStore) Save(ctx context.Context, rec guidance.Record, events []audit.Event) (int64, error) {
	if s.fail && rec.Subject == guidance.SetSubject(s.set) {
		return 0, errors.New("disk full")
	}
	return s.Store.Save(ctx, rec, events)
}

// TestVersionedIsSetAware: after a PublishSet that stopped part-way, the
// member is prepared as published in the set's name but not served; the
// version named for a text is the one the catalog serves, not the
// prepared one.
func TestVersionedIsSetAware(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC))
	db := memory.New()
	fs := &setFailingStore{Store: db.GuidanceStore(), set: "s"}
	editor := audit.Actor{Kind: audit.ActorProfessional, ID: "editor-1"}
	reviewer := audit.Actor{Kind: audit.ActorProfessional, ID: "reviewer-1"}
	head := audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}
	g, err := guidance.New(guidance.Config{Store: fs, Audit: db.AuditLog(), Clock: clk,
		Roles: guidance.Grants{"editor-1": {{Role: guidance.RoleEditor}}, "reviewer-1": {{Role: guidance.RoleReviewer}},
			"head-1": {{Role: guidance.RoleManager}}}})
	require.NoError(t, err)
	text := func(fi string) guidance.Entry {
		return guidance.Entry{Text: &guidance.Text{Key: guidance.AdviceKey(channel.Callback), Area: "north", Text: guidance.Localized{"fi": fi}}}
	}
	old, err := g.Draft(ctx, editor, text("Jätä soittopyyntö."), "")
	require.NoError(t, err)
	require.NoError(t, g.Submit(ctx, editor, old, ""))
	require.NoError(t, g.Review(ctx, reviewer, old, ""))
	require.NoError(t, g.Approve(ctx, head, old, ""))
	require.NoError(t, g.Publish(ctx, head, old, ""))
	clk.Add(time.Minute)

	require.NoError(t, g.NewSet(ctx, editor, "s", "north", ""))
	next, err := g.DraftInSet(ctx, editor, "s", text("Jätä soittopyyntö, soitamme."), "")
	require.NoError(t, err)
	require.NoError(t, g.SubmitSet(ctx, editor, "s", ""))
	require.NoError(t, g.ReviewSet(ctx, reviewer, "s", ""))
	require.NoError(t, g.ApproveSet(ctx, head, "s", ""))
	fs.fail = true
	require.Error(t, g.PublishSet(ctx, head, "s", time.Time{}, ""))
	rec, err := g.Record(ctx, next.Subject)
	require.NoError(t, err)
	prepared, _ := rec.LiveAt(clk.Now())
	require.Equal(t, next.Number, prepared.Number, "set-unaware, the prepared member looks live")

	cat, err := g.Published(ctx, clk.Now())
	require.NoError(t, err)
	r, err := cat.Render(guidance.AdviceKey(channel.Callback), guidance.Scope{Area: "north"}, nil, nil)
	require.NoError(t, err)
	require.Equal(t, old, r.Version)
	require.Equal(t, old, versioned(cat, r).Version)
	r.Version = guidance.Ref{} // as from a renderer that does not name it
	require.Equal(t, old, versioned(cat, r).Version, "the version the catalog serves")
}
