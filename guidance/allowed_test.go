package guidance_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/guidance"
)

func TestAllowedFollowsTheWorkflowWithoutWriting(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ref, err := f.g.Draft(ctx, editor, northCallback("Soitamme {callback_window}."), "")
	require.NoError(t, err)
	allowed := func(a audit.Actor) []guidance.Action {
		t.Helper()
		got, err := f.g.Allowed(ctx, a, ref)
		require.NoError(t, err)
		return got
	}
	before, err := f.g.Record(ctx, ref.Subject)
	require.NoError(t, err)
	cases := []struct {
		name  string
		step  func() error
		actor audit.Actor
		want  []guidance.Action
	}{
		{"author of a draft", nil, editor, []guidance.Action{guidance.ActionEdit, guidance.ActionSubmit, guidance.ActionWithdraw}},
		{"reviewer of a draft", nil, reviewer, []guidance.Action{}},
		{"editor of another area", nil, editor2, []guidance.Action{}},
		{"client", nil, audit.Actor{Kind: audit.ActorClient, ID: "c1"}, []guidance.Action{}},
		{"invalid actor", nil, audit.Actor{}, []guidance.Action{}},
		{"reviewer once submitted", func() error { return f.g.Submit(ctx, editor, ref, "") }, reviewer,
			[]guidance.Action{guidance.ActionReview, guidance.ActionReturn}},
		{"author in review", nil, editor, []guidance.Action{guidance.ActionWithdraw}},
		{"manager before a review", nil, manager, []guidance.Action{guidance.ActionReturn, guidance.ActionWithdraw}},
		{"manager after a review", func() error { return f.g.Review(ctx, reviewer, ref, "") }, manager,
			[]guidance.Action{guidance.ActionReturn, guidance.ActionApprove, guidance.ActionWithdraw}},
		{"manager once approved", func() error { return f.g.Approve(ctx, manager, ref, "") }, manager,
			[]guidance.Action{guidance.ActionPublish, guidance.ActionWithdraw}},
		{"editor once published", func() error { return f.g.Publish(ctx, manager, ref, "") }, editor, []guidance.Action{}},
		{"manager once published", nil, manager, []guidance.Action{guidance.ActionWithdraw}},
	}
	for _, c := range cases {
		if c.step != nil {
			require.NoError(t, c.step(), c.name)
			before, err = f.g.Record(ctx, ref.Subject)
			require.NoError(t, err)
		}
		require.Equal(t, c.want, allowed(c.actor), c.name)
		after, err := f.g.Record(ctx, ref.Subject)
		require.NoError(t, err)
		require.Equal(t, before, after, "%s: Allowed wrote", c.name)
	}
	_, err = f.g.Allowed(ctx, editor, guidance.Ref{Subject: ref.Subject, Number: 9})
	require.ErrorIs(t, err, guidance.ErrNotFound)
	_, err = f.g.Allowed(ctx, editor, guidance.Ref{Subject: "text/none/*/*", Number: 1})
	require.ErrorIs(t, err, guidance.ErrNotFound)
}
