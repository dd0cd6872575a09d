package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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

// Regression tests of issue 15's bad input: each was accepted, or failed
// with an untyped error, before.
func TestBadInputRegressions(t *testing.T) {
	ctx := context.Background()
	ok := session.OpenRequest{Client: "client-a", Errand: channel.ErrandLabResults, Team: "team-a", Identity: channel.IdentityWeak}
	for _, tc := range []struct {
		name, field string
		run         func(f *fixture, s session.Session) error
	}{
		{"an ID that is a phone number", "id", func(f *fixture, _ session.Session) error {
			r := ok
			r.ID = "0401234567"
			_, err := f.m.Open(ctx, router, r)
			return err
		}},
		{"a team the directory does not know", "team", func(f *fixture, _ session.Session) error {
			r := ok
			r.Team = "team-nowhere"
			_, err := f.m.Open(ctx, router, r)
			return err
		}},
		{"a mebibyte transfer reason", "reason", func(f *fixture, s session.Session) error {
			_, err := f.m.Transfer(ctx, nurse1, s.ID, session.TransferRequest{Team: "team-b", Reason: strings.Repeat("r", 1<<20)})
			return err
		}},
		{"a note that is not UTF-8", "text", func(f *fixture, s session.Session) error {
			_, err := f.m.AddNote(ctx, nurse1, s.ID, "note \xff")
			return err
		}},
		{"a mebibyte invite role", "role", func(f *fixture, s session.Session) error {
			_, err := f.m.Invite(ctx, nurse1, s.ID, "doctor-1", strings.Repeat("r", 1<<20))
			return err
		}},
		{"an escalation to an unknown channel", "to", func(f *fixture, s session.Session) error {
			_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: "pigeon"})
			return err
		}},
		{"a report whose end is before its start", "until", func(f *fixture, _ session.Session) error {
			now := f.clk.Now()
			_, err := f.m.Report(ctx, supervisor, now, now.Add(-time.Hour))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.active(t, channel.ErrandLabResults, channel.IdentityWeak, channel.Callback, "")
			err := tc.run(f, s)
			require.ErrorIs(t, err, session.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
			require.Less(t, len(err.Error()), 300, "the error does not repeat the input")
			require.NotContains(t, err.Error(), "0401234567")
		})
	}
}

// A checklist item is free text: a phone number in it is redacted in the
// audit detail (it failed the whole operation with an untyped audit
// error).
func TestChecklistItemWithPersonalDataIsRedacted(t *testing.T) {
	f := newFixture(t)
	s := f.active(t, channel.ErrandLabResults, channel.IdentityWeak, channel.Callback, "")
	got, err := f.m.CompleteChecklistItem(context.Background(), nurse1, s.ID, "called 040 123 4567")
	require.NoError(t, err)
	require.True(t, got.Completed("called 040 123 4567"), "the session keeps the item as given")
	evs := f.events(t, audit.Filter{Action: "session.checklist"})
	require.Len(t, evs, 1)
	require.Equal(t, "called "+audit.Redacted, evs[0].Detail["item"])
}
