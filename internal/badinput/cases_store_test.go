package badinput_test

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

func storeCases() []badCase {
	badEvent := []audit.Event{{At: monday.UTC(), Actor: system, Action: "test.act", Subject: "thing/1", Outcome: audit.Allowed,
		Detail: map[string]string{"phone": phone}}}
	sess := session.Session{ID: "s-1", Client: "c-1", Errand: channel.ErrandOther, State: session.StateWaiting, Team: "kallio-a", OpenedAt: monday.UTC()}
	return []badCase{
		{"memory/routing/Item unknown", func(ctx context.Context, w *world) error {
			_, err := w.db.RoutingStore().Item(ctx, "nothing")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/routing/CreateItem with personal data in an event", func(ctx context.Context, w *world) error {
			_, err := w.db.RoutingStore().CreateItem(ctx, routing.Item{ID: "i-1", Contact: routingContact(), State: routing.ItemQueued}, badEvent)
			return err
		}, invalid("detail.phone")},
		{"memory/routing/Apply to a missing item", func(ctx context.Context, w *world) error {
			_, _, err := storeApply(ctx, w.db.RoutingStore(), &routing.Change{Item: routing.Item{ID: "nothing"}, Expect: 1})
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/routing/SetPresence wrap-up", func(ctx context.Context, w *world) error {
			_, err := w.db.RoutingStore().SetPresence(ctx, "n-aino", routing.PresenceWrapUp, monday, nil)
			return err
		}, invalid("presence")},
		{"memory/routing/Professional unknown", func(ctx context.Context, w *world) error {
			_, err := w.db.RoutingStore().Professional(ctx, "ghost")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/callback/Get unknown", func(ctx context.Context, w *world) error {
			_, err := w.db.CallbackStore().Get(ctx, "cb-none")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/callback/Update stale version", func(ctx context.Context, w *world) error {
			p, err := w.parts.Callbacks.Request(ctx, callbackReq())
			if err != nil {
				return setup(err)
			}
			r, err := w.db.CallbackStore().Get(ctx, p.Request)
			if err != nil {
				return setup(err)
			}
			r.Version--
			_, err = w.db.CallbackStore().Update(ctx, r, nil)
			return err
		}, fails(carecontact.ErrConflict)},
		{"memory/session/Create twice", func(ctx context.Context, w *world) error {
			if err := w.db.SessionStore().Create(ctx, sess, nil); err != nil {
				return setup(err)
			}
			return w.db.SessionStore().Create(ctx, sess, nil)
		}, fails(carecontact.ErrConflict)},
		{"memory/session/Update missing", func(ctx context.Context, w *world) error {
			return w.db.SessionStore().Update(ctx, sess, nil)
		}, fails(carecontact.ErrNotFound)},
		{"memory/session/Create with personal data in an event", func(ctx context.Context, w *world) error {
			return w.db.SessionStore().Create(ctx, sess, badEvent)
		}, invalid("detail.phone")},
		{"memory/demand/Get unknown", func(ctx context.Context, w *world) error {
			_, err := w.db.DemandStore().Get(ctx, "c-none")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/demand/Close unknown", func(ctx context.Context, w *world) error {
			_, err := w.db.DemandStore().Close(ctx, "c-none", monday, nil)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/booking/Appointment unknown", func(ctx context.Context, w *world) error {
			_, err := w.db.BookingStore().Appointment(ctx, "apt-none")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/booking/Claim without claims", func(ctx context.Context, w *world) error {
			return w.db.BookingStore().Claim(ctx, booking.ClaimRequest{Appointment: booking.Appointment{ID: "apt-x", Version: 1,
				Status: booking.StatusBooked, Start: monday, End: monday.Add(10 * time.Minute)}, Now: monday})
		}, invalid("claims")},
		{"memory/booking/AddWaiter twice", func(ctx context.Context, w *world) error {
			we := booking.WaitEntry{ID: "wait-1", Area: "kallio", Service: "flu-vaccination", Client: "c-1", Since: monday}
			if err := w.db.BookingStore().AddWaiter(ctx, we, nil); err != nil {
				return setup(err)
			}
			return w.db.BookingStore().AddWaiter(ctx, we, nil)
		}, fails(carecontact.ErrConflict)},
		{"memory/booking/Transition missing", func(ctx context.Context, w *world) error {
			return w.db.BookingStore().Transition(ctx, booking.TransitionRequest{Next: booking.Appointment{ID: "apt-none", Version: 2, Status: booking.StatusCancelled}, Now: monday})
		}, fails(carecontact.ErrNotFound)},
		{"memory/guidance/Load unknown", func(ctx context.Context, w *world) error {
			_, err := w.db.GuidanceStore().Load(ctx, "text/none/*/*")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"memory/guidance/Save stale revision", func(ctx context.Context, w *world) error {
			recs, err := w.db.GuidanceStore().List(ctx)
			if err != nil || len(recs) == 0 {
				return setup(err)
			}
			rec := recs[0]
			rec.Rev--
			_, err = w.db.GuidanceStore().Save(ctx, rec, nil)
			return err
		}, fails(carecontact.ErrConflict)},
		{"memory/guidance/Save new record over an existing one", func(ctx context.Context, w *world) error {
			_, err := w.db.GuidanceStore().Save(ctx, guidance.Record{Subject: "text/advice.chat/*/*"}, nil)
			return err
		}, fails(carecontact.ErrConflict)},
		{"memory/audit/Record an invalid event", func(ctx context.Context, w *world) error {
			return w.db.AuditLog().Record(ctx, audit.Event{})
		}, invalid("at")},
	}
}

// storeApply calls s.Apply with c and returns the item (zero if removed)
// and the professional (zero if none) as stored after it.
func storeApply(ctx context.Context, s routing.Store, c *routing.Change) (routing.Item, routing.ProfessionalState, error) {
	var it routing.Item
	var ps routing.ProfessionalState
	err := s.Apply(ctx, c, &it, &ps)
	return it, ps, err
}
