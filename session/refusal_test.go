package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

// TestGetRefusalsAuditedWithoutIdentity: a refused read is audited as
// denied with the actor's kind, and neither the error nor the event
// repeats an ID that may be personal data.
func TestGetRefusalsAuditedWithoutIdentity(t *testing.T) {
	const code = "131052-308T"
	cases := []struct {
		name     string
		actor    audit.Actor
		id       string // "" means the opened session
		wantErr  error
		wantKind string
		wantWho  audit.Actor
	}{
		{"zero actor", audit.Actor{}, "", audit.ErrInvalidEvent, "none",
			audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}},
		{"unknown kind", audit.Actor{Kind: "robot", ID: "r2"}, "", audit.ErrInvalidEvent, "unknown",
			audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}},
		{"client with an identity code as ID", audit.Actor{Kind: audit.ActorClient, ID: code}, "", audit.ErrInvalidEvent, "client",
			audit.Actor{Kind: audit.ActorClient, ID: audit.Unidentified}},
		{"identity code as session ID", nurse1, code, session.ErrInvalid, "professional", nurse1},
		{"phone number as session ID", clientA, "040 123 4567", session.ErrInvalid, "client", clientA},
		{"other client", clientB, "", session.ErrAccessDenied, "", clientB},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.open(t, channel.ErrandOther, channel.IdentityNone)
			id := tc.id
			if id == "" {
				id = s.ID
			}
			_, err := f.m.Get(context.Background(), tc.actor, id)
			require.ErrorIs(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), "131052")
			require.NotContains(t, err.Error(), "123 4567")
			denied := f.events(t, audit.Filter{Action: "session.read"})
			require.Len(t, denied, 1)
			ev := denied[0]
			require.Equal(t, audit.Denied, ev.Outcome)
			require.Equal(t, tc.wantWho, ev.Actor)
			require.NoError(t, ev.Validate())
			if tc.wantKind != "" {
				require.Equal(t, tc.wantKind, ev.Detail["actor_kind"])
			}
			for k, v := range ev.Detail {
				require.False(t, strings.Contains(k+v, "131052") || strings.Contains(k+v, "4567"), "detail %s=%s", k, v)
			}
		})
	}
}

// TestVerifyPersonalCodeChecksAccessBeforeLookup: the population register
// is asked only after the caller has been found allowed to identify the
// session's client; a refused caller is audited and the register is not
// asked.
func TestVerifyPersonalCodeChecksAccessBeforeLookup(t *testing.T) {
	cases := []struct {
		name       string
		actor      audit.Actor
		id         string // "" means the active session
		wantErr    error
		wantLookup bool
	}{
		{"assigned professional", nurse1, "", nil, true},
		{"team member not assigned", nurse2, "", session.ErrAccessDenied, false},
		{"outsider", outsider, "", session.ErrAccessDenied, false},
		{"the client", clientA, "", session.ErrAccessDenied, false},
		{"zero actor", audit.Actor{}, "", audit.ErrInvalidEvent, false},
		{"missing session", nurse1, "s-missing", session.ErrNotFound, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			s := f.active(t, channel.ErrandLabResults, channel.IdentityWeak, channel.InboundPhone, "call-in-1")
			id := tc.id
			if id == "" {
				id = s.ID
			}
			called := false
			lookup := func(context.Context, session.PersonalCode) (carecontact.ClientRef, error) {
				called = true
				return "client-a", nil
			}
			_, err := f.m.VerifyPersonalCode(ctx, tc.actor, id, "131052-308T", lookup)
			require.Equal(t, tc.wantLookup, called, "lookup called")
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), "131052")
			if tc.id == "" {
				evs := f.events(t, audit.Filter{Action: "session.identify"})
				require.Len(t, evs, 1, "the refusal is audited")
				require.Equal(t, audit.Denied, evs[0].Outcome)
			}
		})
	}
}

// TestInviteTransferUnknown: an invite of a professional, or a transfer to
// a team, that the team directory does not know is refused with an
// ErrInvalid *carecontact.FieldError naming the field; known ones pass.
func TestInviteTransferUnknown(t *testing.T) {
	cases := []struct {
		name      string
		do        func(f *fixture, id string) error
		wantField string // "" means accepted
	}{
		{"invite unknown professional", func(f *fixture, id string) error {
			_, err := f.m.Invite(context.Background(), nurse1, id, "ghost-1", "gp")
			return err
		}, "professional"},
		{"invite known professional", func(f *fixture, id string) error {
			_, err := f.m.Invite(context.Background(), nurse1, id, "doctor-1", "gp")
			return err
		}, ""},
		{"transfer to unknown team", func(f *fixture, id string) error {
			_, err := f.m.Transfer(context.Background(), nurse1, id, session.TransferRequest{Team: "team-x", Reason: "other team"})
			return err
		}, "team"},
		{"transfer to known team", func(f *fixture, id string) error {
			_, err := f.m.Transfer(context.Background(), nurse1, id, session.TransferRequest{Team: "team-b", Reason: "physio"})
			return err
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Video, "")
			err := tc.do(f, s.ID)
			if tc.wantField == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, session.ErrInvalid)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.wantField, fe.Field)
			after, gerr := f.m.Get(context.Background(), router, s.ID)
			require.NoError(t, gerr)
			require.Equal(t, session.StateActive, after.State, "a refused request changes nothing")
		})
	}
}
