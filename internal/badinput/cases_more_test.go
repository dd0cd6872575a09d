package badinput_test

import (
	"context"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// moreCases reach the corners the first groups leave: desks, guests,
// leg starts, confirmations, exports and the pure KPI functions.
func moreCases() []badCase {
	inHand := func(f func(ctx context.Context, w *world, id string) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			id, err := w.inHand(ctx)
			if err != nil {
				return err
			}
			return f(ctx, w, id)
		}
	}
	return []badCase{
		{"door/Desk/unknown professional", func(ctx context.Context, w *world) error {
			_, err := w.door.Desk(ctx, "ghost")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"door/Desk/mebibyte professional", func(ctx context.Context, w *world) error {
			_, err := w.door.Desk(ctx, carecontact.ProfessionalID(mib))
			return err
		}, fails(carecontact.ErrNotFound)},
		{"door/Tick/empty item", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Tick(ctx, "n-aino", id, "")
			return err
		}), invalid("item")},
		{"door/Tick/mebibyte item", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Tick(ctx, "n-aino", id, mib)
			return err
		}), invalid("item")},
		{"door/Leave/not a guest", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Leave(ctx, "n-aino", id, "d-carita")
			return err
		}), fails(carecontact.ErrConflict)},
		{"door/NoAnswer/on a chat", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.NoAnswer(ctx, "n-aino", id)
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"door/Switch/to video outside the pilot", func(ctx context.Context, w *world) error {
			if _, err := w.door.SetPresence(ctx, "n-kaisa", routing.PresenceAvailable); err != nil {
				return setup(err)
			}
			r := chatRequest("c-1")
			r.PostalCode = "99999" // no home area: the central pool, kaisa
			c, err := w.door.Contact(ctx, r)
			if err != nil {
				return setup(err)
			}
			if _, err := w.door.Accept(ctx, "n-kaisa", carecontact.ItemID(c.ID)); err != nil {
				return setup(err)
			}
			_, err = w.door.Switch(ctx, "n-kaisa", c.ID, frontdoor.SwitchRequest{To: channel.Video, Consent: true})
			return err
		}, fails(carecontact.ErrNotAllowed)},
		{"door/Switch/without consent", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Switch(ctx, "n-aino", id, frontdoor.SwitchRequest{To: channel.Video})
			return err
		}), fails(carecontact.ErrNotAllowed)},
		{"session/StartLeg/kind pigeon", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.parts.Sessions.StartLeg(ctx, aino, id, "pigeon", "")
			return err
		}), invalid("kind")},
		{"session/Release/mebibyte reason", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.parts.Sessions.Release(ctx, aino, id, mib)
			return err
		}), invalid("reason")},
		{"session/Assign/empty professional", func(ctx context.Context, w *world) error {
			c, err := w.queued(ctx, "c-1")
			if err != nil {
				return err
			}
			_, err = w.parts.Sessions.Assign(ctx, super, c.ID, "")
			return err
		}, invalid("professional")},
		{"session/Leave/not a participant", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.parts.Sessions.Leave(ctx, aino, id, "d-carita")
			return err
		}), fails(carecontact.ErrConflict)},
		{"session/Compute/no sessions", pure(func() error {
			if k := session.Compute(nil); k.Closed != 0 || k.FirstContactResolution != 0 {
				return checkf("KPIs of nothing: %+v", k)
			}
			return nil
		}), accepted("session.Compute: a pure function of the closed sessions among sessions (none)")},
		{"callback/ComputeKPIs/NaN target", pure(func() error {
			if k := callback.ComputeKPIs(nil, nan, monday); k.TargetMet {
				return checkf("a NaN target was met")
			}
			return nil
		}), accepted("callback.KPIs: SameDayShare is 1 when there are none; TargetMet compares it with the target (never NaN)")},
		{"callback/Withdraw/zero actor", func(ctx context.Context, w *world) error {
			p, err := w.parts.Callbacks.Request(ctx, callbackReq())
			if err != nil {
				return setup(err)
			}
			_, _, err = w.parts.Callbacks.Withdraw(ctx, p.Request, audit.Actor{})
			return err
		}, invalid("actor.kind")},
		{"booking/Confirm/after the hold lapsed", func(ctx context.Context, w *world) error {
			s, err := w.slot(ctx)
			if err != nil {
				return err
			}
			a, err := w.booker.Hold(ctx, booking.BookRequest{Slot: s, Client: "c-1", By: proRequester})
			if err != nil {
				return setup(err)
			}
			w.clk.set(monday.Add(time.Hour))
			_, err = w.booker.Confirm(ctx, a.ID, proRequester)
			return err
		}, fails(carecontact.ErrIllegalTransition)},
		{"booking/Confirm/unknown hold", func(ctx context.Context, w *world) error {
			_, err := w.booker.Confirm(ctx, "apt-none", proRequester)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"booking/Confirm/mebibyte ID", func(ctx context.Context, w *world) error {
			_, err := w.booker.Confirm(ctx, mib, proRequester)
			return err
		}, invalid("id")},
		{"booking/ClientAppointments/mebibyte client", func(ctx context.Context, w *world) error {
			_, err := w.booker.ClientAppointments(ctx, carecontact.ClientRef(mib), proRequester)
			return err
		}, invalid("client")},
		{"guidance/Export/year 9999", func(ctx context.Context, w *world) error {
			c, err := w.guide.Export(ctx, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
			if err == nil && len(c.Texts) == 0 {
				return checkf("nothing exported")
			}
			return err
		}, accepted("guidance.Guide.Export: the content that was in service at t (still published in 9999)")},
		{"guidance/Render/mebibyte key", func(ctx context.Context, w *world) error {
			c, err := w.guide.Published(ctx, w.clk.Now())
			if err != nil {
				return setup(err)
			}
			_, err = c.Render(mib, guidance.Scope{}, nil, nil)
			return err
		}, invalid("key")},
		{"demand/Pending/mebibyte client", func(ctx context.Context, w *world) error {
			_, err := w.parts.Demand.Pending(ctx, system, carecontact.ClientRef(mib))
			return err
		}, invalid("client")},
		{"door/ComputeKPIs/no events", pure(func() error {
			_, err := frontdoor.ComputeKPIs(nil, frontdoor.TallyConfig{}, time.Time{})
			return err
		}), accepted("frontdoor.ComputeKPIs: the figures of a recorded stream (an empty one)")},
		{"door/ComputeKPIs/negative lookback", pure(func() error {
			_, err := frontdoor.ComputeKPIs(nil, frontdoor.TallyConfig{Lookback: -time.Hour}, monday)
			return err
		}), invalid("lookback")},
		{"routing/Continue/unknown kind", func(ctx context.Context, w *world) error {
			id, err := w.inHand(ctx)
			if err != nil {
				return err
			}
			_, err = w.parts.Dispatcher.Continue(ctx, carecontact.ItemID(id), "n-aino", "pigeon")
			return err
		}, invalid("kind")},
		{"routing/Invite/host as guest", func(ctx context.Context, w *world) error {
			id, err := w.inHand(ctx)
			if err != nil {
				return err
			}
			_, err = w.parts.Dispatcher.Invite(ctx, carecontact.ItemID(id), "n-aino", "n-aino")
			return err
		}, fails(carecontact.ErrConflict)},
		{"routing/Invite/unknown guest", func(ctx context.Context, w *world) error {
			id, err := w.inHand(ctx)
			if err != nil {
				return err
			}
			_, err = w.parts.Dispatcher.Invite(ctx, carecontact.ItemID(id), "n-aino", carecontact.ProfessionalID(strings.Repeat("g", 1<<20)))
			return err
		}, fails(carecontact.ErrNotFound)},
	}
}
