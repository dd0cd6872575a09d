package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

func validEvent() audit.Event {
	return audit.Event{
		At:      time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
		Actor:   audit.Actor{Kind: audit.ActorProfessional, ID: "staff-17", Role: "nurse"},
		Action:  "session.read",
		Subject: "session/42",
		Client:  "client-9",
		Outcome: audit.Allowed,
	}
}

func TestEventValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*audit.Event)
		wantErr string
	}{
		{"valid", func(*audit.Event) {}, ""},
		{"zero time", func(e *audit.Event) { e.At = time.Time{} }, "at"},
		{"bad actor kind", func(e *audit.Event) { e.Actor.Kind = "robot" }, "actor.kind"},
		{"empty actor id", func(e *audit.Event) { e.Actor.ID = "" }, "actor.id"},
		{"empty action", func(e *audit.Event) { e.Action = "" }, "action"},
		{"empty subject", func(e *audit.Event) { e.Subject = "" }, "subject"},
		{"bad outcome", func(e *audit.Event) { e.Outcome = "maybe" }, "outcome"},
		{"identity code as client", func(e *audit.Event) { e.Client = "131052-308T" }, "client"},
		{"identity code in detail", func(e *audit.Event) { e.Detail = map[string]string{"note": "hetu 010101A123N"} }, "detail.note"},
		{"phone in detail", func(e *audit.Event) { e.Detail = map[string]string{"callback": "+358 40 123 4567"} }, "detail.callback"},
		{"NUL in action", func(e *audit.Event) { e.Action = "session.open\x00" }, "action"},
		{"invalid UTF-8 client", func(e *audit.Event) { e.Client = "c-\xff" }, "client"},
		{"mebibyte subject", func(e *audit.Event) { e.Subject = strings.Repeat("s", 1<<20) }, "subject"},
		{"identity code as actor", func(e *audit.Event) { e.Actor.ID = "131052-308T" }, "actor.id"},
		{"uuid subject with digit groups", func(e *audit.Event) { e.Subject = "session/00000000-0412-4567-8901-234567890123" }, ""},
		{"uuid client and detail", func(e *audit.Event) {
			e.Client = "0412aaaa-0412-0456-0789-041234567890"
			e.Detail = map[string]string{"item": "01234567-0123-0123-0123-012345678901"}
		}, ""},
		{"phone next to a uuid", func(e *audit.Event) {
			e.Detail = map[string]string{"note": "00000000-0412-4567-8901-234567890123 0401234567"}
		}, "detail.note"},
		{"plain detail", func(e *audit.Event) { e.Detail = map[string]string{"reason": "client left", "from": "pending"} }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := validEvent()
			tc.mutate(&e)
			err := e.Validate()
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, audit.ErrInvalidEvent)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.wantErr, fe.Field, "the field at fault")
			require.Less(t, len(err.Error()), 200, "the error never repeats the value")
			require.NotContains(t, err.Error(), "131052-308T")
			require.NotContains(t, err.Error(), "123 4567")
		})
	}
}

func TestRandomUUIDsAreNotPersonalData(t *testing.T) {
	for range 20000 {
		e := validEvent()
		e.Subject = "item/" + uuid.NewString()
		require.NoError(t, e.Validate(), e.Subject)
	}
}

func TestFilterMatch(t *testing.T) {
	e := validEvent()
	tests := []struct {
		name string
		f    audit.Filter
		want bool
	}{
		{"zero filter", audit.Filter{}, true},
		{"client", audit.Filter{Client: "client-9"}, true},
		{"other client", audit.Filter{Client: "client-8"}, false},
		{"subject", audit.Filter{Subject: "session/42"}, true},
		{"action", audit.Filter{Action: "session.open"}, false},
		{"actor", audit.Filter{ActorID: "staff-17"}, true},
		{"since inclusive", audit.Filter{Since: e.At}, true},
		{"until exclusive", audit.Filter{Until: e.At}, false},
		{"until later", audit.Filter{Until: e.At.Add(time.Second)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.f.Match(e))
		})
	}
}

func TestStandIn(t *testing.T) {
	cases := []struct {
		name     string
		actor    audit.Actor
		want     audit.Actor
		wantKind string
	}{
		{"valid actor stands for itself", audit.Actor{Kind: audit.ActorProfessional, ID: "staff-1", Role: "nurse"},
			audit.Actor{Kind: audit.ActorProfessional, ID: "staff-1", Role: "nurse"}, "professional"},
		{"zero actor", audit.Actor{}, audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}, "none"},
		{"unknown kind", audit.Actor{Kind: "robot", ID: "r1"}, audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}, "unknown"},
		{"empty id keeps the kind", audit.Actor{Kind: audit.ActorClient, Role: "x"}, audit.Actor{Kind: audit.ActorClient, ID: audit.Unidentified}, "client"},
		{"identity code as id", audit.Actor{Kind: audit.ActorClient, ID: "131052-308T"}, audit.Actor{Kind: audit.ActorClient, ID: audit.Unidentified}, "client"},
		{"phone as id", audit.Actor{Kind: audit.ActorProfessional, ID: "040 123 4567", Role: "supervisor"}, audit.Actor{Kind: audit.ActorProfessional, ID: audit.Unidentified}, "professional"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, kind := audit.StandIn(tc.actor)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.wantKind, kind)
			require.NoError(t, got.Validate())
		})
	}
}

func TestActorValidateRedactsKind(t *testing.T) {
	err := audit.Actor{Kind: "131052-308T", ID: "x"}.Validate()
	require.ErrorIs(t, err, audit.ErrInvalidEvent)
	require.NotContains(t, err.Error(), "131052")
}

func TestRefusal(t *testing.T) {
	at := time.Date(2026, 3, 29, 3, 30, 0, 0, time.FixedZone("EEST", 3*3600))
	nurse := audit.Actor{Kind: audit.ActorProfessional, ID: "n1"}
	e := audit.Refusal(nurse, at, "booking.read", "appointment/a1", "c1", "not allowed")
	require.NoError(t, e.Validate())
	require.Equal(t, audit.Event{At: at.UTC(), Actor: nurse, Action: "booking.read", Subject: "appointment/a1", Client: "c1",
		Outcome: audit.Denied, Detail: map[string]string{"reason": "not allowed"}}, e)
	bad := audit.Refusal(audit.Actor{Kind: audit.ActorClient, ID: "040 123 4567"}, at, "x.y", "s/1", "", "not allowed")
	require.NoError(t, bad.Validate(), "an unrecordable actor is recorded as its stand-in")
	require.Equal(t, audit.Unidentified, bad.Actor.ID)
	require.Equal(t, map[string]string{"reason": "invalid actor", "actor_kind": "client"}, bad.Detail)
}
