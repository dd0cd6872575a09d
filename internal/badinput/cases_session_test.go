package badinput_test

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

func sessionCases() []badCase {
	open := func(edit func(*session.OpenRequest)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			r := session.OpenRequest{Client: "c-1", Errand: channel.ErrandLabResults, Team: "kallio-a", Identity: channel.IdentityWeak}
			edit(&r)
			_, err := w.parts.Sessions.Open(ctx, system, r)
			return err
		}
	}
	// active runs f on the session of a chat n-aino has accepted.
	active := func(f func(ctx context.Context, w *world, m *session.Manager, id string) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			id, err := w.inHand(ctx)
			if err != nil {
				return err
			}
			return f(ctx, w, w.parts.Sessions, id)
		}
	}
	errAsked := errors.New("the register was asked")
	noLookup := func(context.Context, session.PersonalCode) (carecontact.ClientRef, error) { return "", errAsked }
	return []badCase{
		{"session/Open/mebibyte id", open(func(r *session.OpenRequest) { r.ID = mib }), invalid("id")},
		{"session/Open/NUL in id", open(func(r *session.OpenRequest) { r.ID = withNUL }), invalid("id")},
		{"session/Open/id that is a phone number", open(func(r *session.OpenRequest) { r.ID = "0401234567" }), invalid("id")},
		{"session/Open/empty client", open(func(r *session.OpenRequest) { r.Client = "" }), invalid("client")},
		{"session/Open/invalid UTF-8 client", open(func(r *session.OpenRequest) { r.Client = carecontact.ClientRef(badUTF8) }), invalid("client")},
		{"session/Open/empty team", open(func(r *session.OpenRequest) { r.Team = "" }), invalid("team")},
		{"session/Open/unknown team", open(func(r *session.OpenRequest) { r.Team = "ghost-team" }), invalid("team")},
		{"session/Open/empty errand", open(func(r *session.OpenRequest) { r.Errand = "" }), invalid("errand")},
		{"session/Open/identity level 9", open(func(r *session.OpenRequest) { r.Identity = 9 }), invalid("identity")},
		{"session/Open/long identity method", open(func(r *session.OpenRequest) { r.IdentityMethod = strings.Repeat("m", 41) }), invalid("identityMethod")},
		{"session/Open/identity method with a code", func(ctx context.Context, w *world) error {
			_, err := w.parts.Sessions.Open(ctx, system, session.OpenRequest{Client: "c-1", Errand: channel.ErrandLabResults, Team: "kallio-a",
				Identity: channel.IdentityWeak, IdentityMethod: "id " + hetu})
			if err != nil {
				return err
			}
			return w.auditClean(ctx, "session.open")
		}, accepted("session doc: an identification method enters audit details through audit.Redact")},
		{"session/Get/unknown", func(ctx context.Context, w *world) error {
			_, err := w.parts.Sessions.Get(ctx, super, "s-none")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"session/Get/identity code as ID", func(ctx context.Context, w *world) error {
			_, err := w.parts.Sessions.Get(ctx, super, hetu)
			return err
		}, invalid("id")},
		{"session/Get/zero actor", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Get(ctx, audit.Actor{}, id)
			return err
		}), invalid("actor.kind")},
		{"session/Transfer/unknown team", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Transfer(ctx, aino, id, session.TransferRequest{Team: "ghost-team", Reason: "x"})
			return err
		}), invalid("team")},
		{"session/Transfer/empty team", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Transfer(ctx, aino, id, session.TransferRequest{Reason: "x"})
			return err
		}), invalid("team")},
		{"session/Transfer/mebibyte reason", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Transfer(ctx, aino, id, session.TransferRequest{Team: "vallila-a", Reason: mib})
			return err
		}), invalid("reason")},
		{"session/Transfer/reason with a phone number", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			if _, err := m.Transfer(ctx, aino, id, session.TransferRequest{Team: "vallila-a", Reason: withPII}); err != nil {
				return err
			}
			return w.auditClean(ctx, "session.transfer")
		}), accepted("session doc: a transfer reason enters audit details through audit.Redact: replaced, never refused")},
		{"session/Invite/unknown professional", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Invite(ctx, aino, id, "ghost", "doctor")
			return err
		}), invalid("professional")},
		{"session/Invite/empty professional", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Invite(ctx, aino, id, "", "doctor")
			return err
		}), invalid("professional")},
		{"session/Invite/mebibyte role", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Invite(ctx, aino, id, "d-carita", mib)
			return err
		}), invalid("role")},
		{"session/AddNote/mebibyte note", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.AddNote(ctx, aino, id, mib)
			return err
		}), invalid("text")},
		{"session/AddNote/invalid UTF-8 note", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.AddNote(ctx, aino, id, badUTF8)
			return err
		}), invalid("text")},
		{"session/AddNote/empty note", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.AddNote(ctx, aino, id, "")
			return err
		}), invalid("text")},
		{"session/AddNote/note with a phone number", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			if _, err := m.AddNote(ctx, aino, id, "asiakas pyysi soittamaan "+phone); err != nil {
				return err
			}
			return w.auditClean(ctx, "session.note")
		}), accepted("session.Manager.AddNote: the text stays in the session, never in the audit trail")},
		{"session/Close/outcome bogus", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Close(ctx, aino, id, "bogus")
			return err
		}), invalid("outcome")},
		{"session/Close/resolved while active", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Close(ctx, aino, id, session.OutcomeResolved)
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"session/Identify/level 9", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Identify(ctx, aino, id, 9, "bank_id")
			return err
		}), invalid("level")},
		{"session/Identify/mebibyte method", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Identify(ctx, aino, id, channel.IdentityStrong, mib)
			return err
		}), invalid("method")},
		{"session/CompleteChecklistItem/empty item", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.CompleteChecklistItem(ctx, aino, id, "")
			return err
		}), invalid("item")},
		{"session/CompleteChecklistItem/mebibyte item", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.CompleteChecklistItem(ctx, aino, id, mib)
			return err
		}), invalid("item")},
		{"session/CompleteChecklistItem/item with a phone number", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			if _, err := m.CompleteChecklistItem(ctx, aino, id, "called "+phone); err != nil {
				return err
			}
			return w.auditClean(ctx, "session.checklist")
		}), accepted("session doc: free text never blocks the operation and reaches audit details redacted")},
		{"session/EndLeg/mebibyte reason", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.EndLeg(ctx, aino, id, mib)
			return err
		}), invalid("reason")},
		{"session/Escalate/to pigeon", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.Escalate(ctx, aino, id, session.EscalateRequest{To: "pigeon"})
			return err
		}), invalid("to")},
		{"session/Report/until before since", func(ctx context.Context, w *world) error {
			_, err := w.parts.Sessions.Report(ctx, super, monday, monday.Add(-time.Hour))
			return err
		}, invalid("until")},
		{"session/VerifyPersonalCode/bad check character", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.VerifyPersonalCode(ctx, aino, id, "131052-308X", noLookup)
			if errors.Is(err, errAsked) {
				return checkf("the register was asked for an invalid code")
			}
			return err
		}), invalid("code")},
		{"session/VerifyPersonalCode/mebibyte code", active(func(ctx context.Context, w *world, m *session.Manager, id string) error {
			_, err := m.VerifyPersonalCode(ctx, aino, id, mib, noLookup)
			return err
		}), invalid("code")},
		{"session/ParsePersonalCode/30 February", pure(func() error { _, err := session.ParsePersonalCode("300252-308T"); return err }),
			invalid("code")},
		{"session/ParsePersonalCode/NUL", pure(func() error { _, err := session.ParsePersonalCode("131052-308T\x00"); return err }),
			invalid("code")},
		{"session/ParsePersonalCode/lower case with spaces", pure(func() error { _, err := session.ParsePersonalCode(" 131052-308t "); return err }),
			accepted("session.ParsePersonalCode: surrounding spaces are ignored and letters may be lower case")},
	}
}
