package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

// Free text with a phone number or identity code in it (a reason, a role,
// a method) never makes the operation fail: the audit detail has it
// redacted.
func TestFreeTextWithPersonalDataIsRedacted(t *testing.T) {
	ctx := context.Background()
	const text = "soittakaa 040 123 4567"
	for _, tc := range []struct {
		name, action, key string
		run               func(f *fixture, s session.Session) error
	}{
		{"transfer reason", "session.transfer", "reason", func(f *fixture, s session.Session) error {
			_, err := f.m.Transfer(ctx, nurse1, s.ID, session.TransferRequest{Team: "team-b", Reason: text})
			return err
		}},
		{"leg end reason", "session.leg_end", "reason", func(f *fixture, s session.Session) error {
			_, err := f.m.EndLeg(ctx, nurse1, s.ID, text)
			return err
		}},
		{"release reason", "session.release", "reason", func(f *fixture, s session.Session) error {
			if _, err := f.m.EndLeg(ctx, nurse1, s.ID, "no_answer"); err != nil {
				return err
			}
			_, err := f.m.Release(ctx, nurse1, s.ID, text)
			return err
		}},
		{"identification method", "session.identify", "method", func(f *fixture, s session.Session) error {
			_, err := f.m.Identify(ctx, nurse1, s.ID, channel.IdentityWeak, "hetu 131052-308T")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.active(t, channel.ErrandLabResults, channel.IdentityWeak, channel.Callback, "")
			require.NoError(t, tc.run(f, s))
			evs := f.events(t, audit.Filter{Action: tc.action})
			require.Len(t, evs, 1)
			require.Contains(t, evs[0].Detail[tc.key], audit.Redacted)
			require.NotContains(t, evs[0].Detail[tc.key], "4567")
			require.NotContains(t, evs[0].Detail[tc.key], "308T")
		})
	}
}

// The IDs of an opened session are bounded, valid UTF-8 and free of
// control characters; a bad one is a field error naming it.
func TestOpenRefusesBadIDs(t *testing.T) {
	ctx := context.Background()
	ok := session.OpenRequest{Client: "client-a", Errand: channel.ErrandLabResults, Team: "team-a", Identity: channel.IdentityWeak}
	huge := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		field  string
		mutate func(r *session.OpenRequest)
	}{
		{"id", func(r *session.OpenRequest) { r.ID = huge }},
		{"id", func(r *session.OpenRequest) { r.ID = "s\x00" }},
		{"client", func(r *session.OpenRequest) { r.Client = carecontact.ClientRef("client-\xff") }},
		{"workItem", func(r *session.OpenRequest) { r.WorkItem = carecontact.ItemID(huge) }},
		{"contact", func(r *session.OpenRequest) { r.Contact = "c\x00" }},
		{"identityMethod", func(r *session.OpenRequest) { r.IdentityMethod = strings.Repeat("m", 41) }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			f := newFixture(t)
			req := ok
			tc.mutate(&req)
			_, err := f.m.Open(ctx, router, req)
			require.ErrorIs(t, err, session.ErrInvalid)
			require.ErrorContains(t, err, tc.field)
			var fe *carecontact.FieldError
			if errors.As(err, &fe) {
				require.Equal(t, tc.field, fe.Field)
			}
			require.Empty(t, f.events(t, audit.Filter{Action: "session.open"}))
		})
	}
}
