package badinput_test

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

func doorCases() []badCase {
	contact := func(base frontdoor.ContactRequest, edit func(*frontdoor.ContactRequest)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			edit(&base)
			_, err := w.door.Contact(ctx, base)
			return err
		}
	}
	chat := func(edit func(*frontdoor.ContactRequest)) func(context.Context, *world) error {
		return contact(chatRequest("c-1"), edit)
	}
	cb := func(edit func(*frontdoor.ContactRequest)) func(context.Context, *world) error {
		return contact(callbackRequest("c-1"), edit)
	}
	inHand := func(f func(ctx context.Context, w *world, id string) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			id, err := w.inHand(ctx)
			if err != nil {
				return err
			}
			return f(ctx, w, id)
		}
	}
	queued := func(f func(ctx context.Context, w *world, id string) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			c, err := w.queued(ctx, "c-1")
			if err != nil {
				return err
			}
			return f(ctx, w, c.ID)
		}
	}
	query := func(edit func(*frontdoor.BookingQuery)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			q := frontdoor.BookingQuery{Client: "c-1", Group: "adult", Area: "kallio", Service: "flu-vaccination"}
			edit(&q)
			_, err := w.door.BookSearch(ctx, q)
			return err
		}
	}
	feedback := func(edit func(*frontdoor.Feedback)) func(context.Context, *world) error {
		return pure(func() error {
			t, err := frontdoor.NewTally(frontdoor.TallyConfig{})
			if err != nil {
				return setup(err)
			}
			f := frontdoor.Feedback{Professional: "n-aino", Guidance: guidance.Ref{Subject: "text/advice.intro/*/*", Number: 1}, Rating: 4, At: monday}
			edit(&f)
			return t.AddFeedback(f)
		})
	}
	line := func(l frontdoor.Line) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error { return w.door.Line(ctx, l) }
	}
	return []badCase{
		{"door/Contact/empty client", chat(func(r *frontdoor.ContactRequest) { r.Client = "" }), invalid("client")},
		{"door/Contact/mebibyte client", chat(func(r *frontdoor.ContactRequest) { r.Client = carecontact.ClientRef(mib) }), invalid("client")},
		{"door/Contact/NUL in client", chat(func(r *frontdoor.ContactRequest) { r.Client = carecontact.ClientRef(withNUL) }), invalid("client")},
		{"door/Contact/client that is an identity code", chat(func(r *frontdoor.ContactRequest) { r.Client = carecontact.ClientRef(hetu) }), invalid("client")},
		{"door/Contact/empty errand", chat(func(r *frontdoor.ContactRequest) { r.Errand = "" }), invalid("errand")},
		{"door/Contact/mebibyte errand", chat(func(r *frontdoor.ContactRequest) { r.Errand = channel.Errand(mib) }), invalid("errand")},
		{"door/Contact/channel pigeon", chat(func(r *frontdoor.ContactRequest) { r.Channel = "pigeon" }), invalid("channel")},
		{"door/Contact/no postal code or own team", chat(func(r *frontdoor.ContactRequest) { r.PostalCode = "" }), invalid("postalCode")},
		{"door/Contact/malformed postal code", chat(func(r *frontdoor.ContactRequest) { r.PostalCode = "abc" }), invalid("postalCode")},
		{"door/Contact/language klingon!!", chat(func(r *frontdoor.ContactRequest) { r.Language = "klingon!!" }), invalid("language")},
		{"door/Contact/language se", chat(func(r *frontdoor.ContactRequest) { r.Language = "se" }),
			accepted("frontdoor.ContactRequest.Language: any well-formed BCP 47 tag (\"se\"); falls back to the content's default")},
		{"door/Contact/priority 9", chat(func(r *frontdoor.ContactRequest) { r.Priority = 9 }), invalid("priority")},
		{"door/Contact/identity 9", chat(func(r *frontdoor.ContactRequest) { r.Identity = 9 }), invalid("identity")},
		{"door/Contact/mebibyte own team", chat(func(r *frontdoor.ContactRequest) { r.OwnTeam = carecontact.TeamID(mib) }), invalid("ownTeam")},
		{"door/Contact/unknown own team", func(ctx context.Context, w *world) error {
			r := chatRequest("c-1")
			r.OwnTeam = "ghost-team"
			c, err := w.door.Contact(ctx, r)
			if err != nil {
				return err
			}
			s, err := w.parts.Sessions.Get(ctx, super, c.ID)
			if err != nil {
				return setup(err)
			}
			if s.Team != "kallio-a" {
				return checkf("the session belongs to %q, not the route's first team", s.Team)
			}
			return nil
		}, accepted("routing.Directory.Route: the steps that have no candidate are listed as skipped; the session gets the route's first team")},
		{"door/Contact/mebibyte group", chat(func(r *frontdoor.ContactRequest) { r.Group = mib }), invalid("group")},
		{"door/Contact/identity method with a code", func(ctx context.Context, w *world) error {
			r := chatRequest("c-1")
			r.IdentityMethod = "hetu " + hetu
			if _, err := w.door.Contact(ctx, r); err != nil {
				return err
			}
			return w.auditClean(ctx, "session.open")
		}, accepted("session doc: an identification method enters audit details through audit.Redact")},
		{"door/Contact/callback without phone", cb(func(r *frontdoor.ContactRequest) { r.Phone = "" }), invalid("phone")},
		{"door/Contact/callback to not a phone number", cb(func(r *frontdoor.ContactRequest) { r.Phone = "not a phone number" }), invalid("phone")},
		{"door/Contact/callback urgency 9", cb(func(r *frontdoor.ContactRequest) { r.Urgency = 9 }), invalid("urgency")},
		{"door/Contact/callback from an unknown postal code", cb(func(r *frontdoor.ContactRequest) { r.PostalCode = "99999" }),
			accepted("routing.StandardPolicy: ... then the central pool until served (a postal code no area has gives no home area)")},
		{"door/Contact/e-booking is not a contact", chat(func(r *frontdoor.ContactRequest) { r.Channel = channel.EBooking }), invalid("channel")},
		{"door/Withdraw/unknown", func(ctx context.Context, w *world) error {
			return w.door.Withdraw(ctx, clientActor("c-1"), "k-none", "")
		}, fails(carecontact.ErrNotFound)},
		{"door/Withdraw/mebibyte id", func(ctx context.Context, w *world) error {
			return w.door.Withdraw(ctx, clientActor("c-1"), mib, "")
		}, invalid("id")},
		{"door/Withdraw/reason with a phone number", queued(func(ctx context.Context, w *world, id string) error {
			return w.door.Withdraw(ctx, clientActor("c-1"), id, withPII)
		}), invalid("reason")},
		{"door/Withdraw/short label", queued(func(ctx context.Context, w *world, id string) error {
			if err := w.door.Withdraw(ctx, clientActor("c-1"), id, "no_longer_needed"); err != nil {
				return err
			}
			return w.auditClean(ctx, "frontdoor.withdraw")
		}), accepted("frontdoor.Door.Withdraw: reason is a short label (\"no_longer_needed\")")},
		{"door/Withdraw/mebibyte reason", queued(func(ctx context.Context, w *world, id string) error {
			return w.door.Withdraw(ctx, clientActor("c-1"), id, mib)
		}), invalid("reason")},
		{"door/Withdraw/another client's contact", queued(func(ctx context.Context, w *world, id string) error {
			return w.door.Withdraw(ctx, clientActor("c-2"), id, "")
		}), fails(carecontact.ErrNotAllowed)},
		{"door/Withdraw/in hand", inHand(func(ctx context.Context, w *world, id string) error {
			return w.door.Withdraw(ctx, clientActor("c-1"), id, "")
		}), fails(carecontact.ErrIllegalTransition)},
		{"door/Accept/unknown item", func(ctx context.Context, w *world) error {
			_, err := w.door.Accept(ctx, "n-aino", "k-none")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"door/Accept/empty professional", queued(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Accept(ctx, "", carecontact.ItemID(id))
			return err
		}), invalid("professional")},
		{"door/Close/outcome bogus", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Close(ctx, "n-aino", id, "bogus")
			return err
		}), invalid("outcome")},
		{"door/Close/unknown contact", func(ctx context.Context, w *world) error {
			_, err := w.door.Close(ctx, "n-aino", "k-none", session.OutcomeResolved)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"door/Close/by someone else", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Close(ctx, "n-eero", id, session.OutcomeResolved)
			return err
		}), fails(carecontact.ErrNotAllowed)},
		{"door/Transfer/empty reason", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Transfer(ctx, "n-aino", id, frontdoor.TransferRequest{Team: "vallila-a"})
			return err
		}), invalid("reason")},
		{"door/Transfer/unknown team", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Transfer(ctx, "n-aino", id, frontdoor.TransferRequest{Team: "ghost-team", Reason: "x"})
			return err
		}), fails(carecontact.ErrNotFound)},
		{"door/Transfer/reason with a phone number", inHand(func(ctx context.Context, w *world, id string) error {
			if _, err := w.door.Transfer(ctx, "n-aino", id, frontdoor.TransferRequest{Team: "vallila-a", Reason: withPII}); err != nil {
				return err
			}
			return w.auditClean(ctx, "session.transfer")
		}), accepted("session doc: a transfer reason enters audit details through audit.Redact: replaced, never refused")},
		{"door/Invite/unknown guest", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Invite(ctx, "n-aino", id, "ghost", "doctor")
			return err
		}), fails(carecontact.ErrNotFound)},
		{"door/Note/mebibyte note", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Note(ctx, "n-aino", id, mib)
			return err
		}), invalid("text")},
		{"door/Identify/level 9", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Identify(ctx, "n-aino", id, 9, "bank_id")
			return err
		}), invalid("level")},
		{"door/Switch/to pigeon", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.Switch(ctx, "n-aino", id, frontdoor.SwitchRequest{To: "pigeon"})
			return err
		}), invalid("to")},
		{"door/SendChat/mebibyte text", inHand(func(ctx context.Context, w *world, id string) error {
			return w.door.SendChat(ctx, aino, id, mib)
		}), invalid("text")},
		{"door/ReceiveChat/another client's chat", inHand(func(ctx context.Context, w *world, id string) error {
			return w.door.ReceiveChat(ctx, clientActor("c-2"), id, "hei")
		}), fails(carecontact.ErrNotAllowed)},
		{"door/ReceiveChat/text with a phone number", inHand(func(ctx context.Context, w *world, id string) error {
			if err := w.door.ReceiveChat(ctx, clientActor("c-1"), id, "soita "+phone); err != nil {
				return err
			}
			return w.auditClean(ctx, "frontdoor.chat_receive")
		}), accepted("frontdoor.Door.ReceiveChat: the message is audited without the text")},
		{"door/VerifyPersonalCode/invalid code", inHand(func(ctx context.Context, w *world, id string) error {
			_, err := w.door.VerifyPersonalCode(ctx, "n-aino", id, "131052-308X",
				func(context.Context, session.PersonalCode) (carecontact.ClientRef, error) { return "c-1", nil })
			return err
		}), invalid("code")},
		{"door/SetPresence/unknown", func(ctx context.Context, w *world) error {
			_, err := w.door.SetPresence(ctx, "ghost", routing.PresenceAvailable)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"door/Line/kind bogus", line(frontdoor.Line{Kind: "bogus", Contact: "k0001"}), invalid("kind")},
		{"door/Line/no contact", line(frontdoor.Line{Kind: frontdoor.LineCallAnswered}), invalid("contact")},
		{"door/Line/unknown contact", line(frontdoor.Line{Kind: frontdoor.LineCallAnswered, Contact: "k-none"}), fails(carecontact.ErrNotFound)},
		{"door/BookSearch/end before start", query(func(q *frontdoor.BookingQuery) { q.From = monday.Add(48 * time.Hour); q.To = monday }), invalid("to")},
		{"door/BookSearch/no client", query(func(q *frontdoor.BookingQuery) { q.Client = "" }), invalid("client")},
		{"door/BookSearch/no service", query(func(q *frontdoor.BookingQuery) { q.Service = "" }), invalid("service")},
		{"door/BookSearch/malformed postal code", query(func(q *frontdoor.BookingQuery) { q.Area = ""; q.PostalCode = "abc" }), invalid("area")},
		{"door/BookSearch/language klingon!!", query(func(q *frontdoor.BookingQuery) { q.Language = "klingon!!" }), invalid("language")},
		{"door/BookHold/no slot", func(ctx context.Context, w *world) error {
			_, err := w.door.BookHold(ctx, frontdoor.BookingRequest{Client: "c-1", Group: "adult"})
			return err
		}, invalid("area")},
		{"door/BookConfirm/no hold", func(ctx context.Context, w *world) error {
			_, err := w.door.BookConfirm(ctx, frontdoor.BookingRequest{Client: "c-1", Group: "adult"})
			return err
		}, invalid("hold")},
		{"door/BookConfirm/unknown hold", func(ctx context.Context, w *world) error {
			_, err := w.door.BookConfirm(ctx, frontdoor.BookingRequest{Client: "c-1", Group: "adult", Hold: "apt-none"})
			return err
		}, fails(carecontact.ErrNotFound)},
		{"door/AddFeedback/rating 0", feedback(func(f *frontdoor.Feedback) { f.Rating = 0 }), invalid("rating")},
		{"door/AddFeedback/rating 6", feedback(func(f *frontdoor.Feedback) { f.Rating = 6 }), invalid("rating")},
		{"door/AddFeedback/label with a phone number", feedback(func(f *frontdoor.Feedback) { f.Label = phone }), invalid("label")},
		{"door/AddFeedback/no time", feedback(func(f *frontdoor.Feedback) { f.At = time.Time{} }), invalid("at")},
		{"door/NewTally/negative debounce", pure(func() error {
			_, err := frontdoor.NewTally(frontdoor.TallyConfig{Debounce: -time.Minute})
			return err
		}), invalid("debounce")},
		{"door/NewTally/cut-off 25:00", pure(func() error {
			_, err := frontdoor.NewTally(frontdoor.TallyConfig{Cutoff: civil.TimeOfDay(25 * 60)})
			return err
		}), invalid("cutoff")},
		{"door/New/no clock", func(ctx context.Context, w *world) error {
			_, err := frontdoor.New(ctx, frontdoor.Config{})
			return err
		}, invalid("clock")},
		{"door/New/callback clock set", func(ctx context.Context, w *world) error {
			o := organisation()
			_, err := frontdoor.New(ctx, frontdoor.Config{Clock: w.clk, Organisation: &o, Callback: callback.Config{Clock: w.clk},
				Stores: frontdoor.Stores{Routing: w.db.RoutingStore(), Callback: w.db.CallbackStore(), Session: w.db.SessionStore(),
					Demand: w.db.DemandStore(), Audit: w.db.AuditLog()}})
			return err
		}, invalid("callback")},
		{"door/New/NaN same-day target", func(ctx context.Context, w *world) error {
			db := memory.New()
			o := organisation()
			_, err := frontdoor.New(ctx, frontdoor.Config{Clock: w.clk, Organisation: &o, Callback: callback.Config{SameDayTarget: nan},
				Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
					Demand: db.DemandStore(), Audit: db.AuditLog()}})
			return err
		}, invalid("SameDayTarget")},
		{"door/BookHold/foreign requester group", func(ctx context.Context, w *world) error {
			s, err := w.slot(ctx)
			if err != nil {
				return err
			}
			_, err = w.door.BookHold(ctx, frontdoor.BookingRequest{Client: "c-1", Group: "senior", Slot: s})
			return err
		}, fails(carecontact.ErrNotAllowed)},
		{"door/Session/zero-padded contact ID", func(ctx context.Context, w *world) error {
			_, err := w.door.Session(ctx, "n-aino", "k00012345")
			return err
		}, fails(carecontact.ErrNotFound)},
	}
}
