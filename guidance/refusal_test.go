package guidance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
)

// TestApproveInvalidActorAudited: an approval by an actor that cannot be
// recorded is refused and audited as denied under audit.StandIn, with the
// actor's kind and no raw identity in the error or the event.
func TestApproveInvalidActorAudited(t *testing.T) {
	cases := []struct {
		name     string
		actor    audit.Actor
		wantWho  audit.Actor
		wantKind string
	}{
		{"zero actor", audit.Actor{}, audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}, "none"},
		{"unknown kind", audit.Actor{Kind: "robot", ID: "r1"}, audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}, "unknown"},
		{"identity code as ID", audit.Actor{Kind: audit.ActorProfessional, ID: "131052-308T", Role: "head nurse"},
			audit.Actor{Kind: audit.ActorProfessional, ID: audit.Unidentified}, "professional"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			ref, err := f.g.Draft(ctx, editor, northCallback("Soitamme {callback_window}."), "new")
			require.NoError(t, err)
			require.NoError(t, f.g.Submit(ctx, editor, ref, ""))
			require.NoError(t, f.g.Review(ctx, reviewer, ref, "ok"))
			f.advance(time.Minute)

			err = f.g.Approve(ctx, tc.actor, ref, "")
			require.ErrorIs(t, err, audit.ErrInvalidEvent)
			require.NotContains(t, err.Error(), "131052")

			evs, err := f.log.Events(ctx, audit.Filter{Action: "guidance.approve"})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			ev := evs[0]
			require.Equal(t, audit.Denied, ev.Outcome)
			require.Equal(t, tc.wantWho, ev.Actor)
			require.Equal(t, tc.wantKind, ev.Detail["actor_kind"])
			require.Equal(t, "invalid_actor", ev.Detail["reason"])
			for k, v := range ev.Detail {
				require.False(t, strings.Contains(k+v, "131052"), "detail %s=%s", k, v)
			}
		})
	}
}
