package badinput_test

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// routingContact is a Kallio client's chat for the dispatcher.
func routingContact() routing.Contact {
	return routing.Contact{Client: "c-1", Errand: channel.ErrandLabResults, Channel: channel.Chat, PostalCode: "00530", Language: "fi"}
}

func routingCases() []badCase {
	enqueue := func(id carecontact.ItemID, edit func(*routing.Contact)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			c := routingContact()
			edit(&c)
			_, err := w.parts.Dispatcher.Enqueue(ctx, id, c)
			return err
		}
	}
	contact := func(edit func(*routing.Contact)) func(context.Context, *world) error { return enqueue("item-1", edit) }
	keep := func(*routing.Contact) {}
	route := func(edit func(*routing.Contact)) func(context.Context, *world) error {
		return func(_ context.Context, w *world) error {
			c := routingContact()
			edit(&c)
			_, err := w.built.Directory.Route(c)
			return err
		}
	}
	directory := func(edit func(*routing.Config)) func(context.Context, *world) error {
		return func(_ context.Context, w *world) error {
			cfg := organisation().Routing
			edit(&cfg)
			_, err := routing.NewDirectory(cfg)
			return err
		}
	}
	dispatcher := func(edit func(*routing.DispatcherConfig)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			cfg := routing.DispatcherConfig{Directory: w.built.Directory, Clock: w.clk, Store: memory.NewRoutingStore(nil)}
			edit(&cfg)
			_, err := routing.NewDispatcher(ctx, cfg)
			return err
		}
	}
	onQueued := func(f func(ctx context.Context, w *world, d *routing.Dispatcher) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			d := w.parts.Dispatcher
			if _, err := d.Enqueue(ctx, "item-1", routingContact()); err != nil {
				return setup(err)
			}
			return f(ctx, w, d)
		}
	}
	onOffered := func(f func(ctx context.Context, w *world, d *routing.Dispatcher) error) func(context.Context, *world) error {
		return onQueued(func(ctx context.Context, w *world, d *routing.Dispatcher) error {
			if _, err := d.SetPresence(ctx, "n-aino", routing.PresenceAvailable); err != nil {
				return setup(err)
			}
			return f(ctx, w, d)
		})
	}
	parse := func(s string) func(context.Context, *world) error {
		return pure(func() error { _, err := routing.ParsePostalCode(s); return err })
	}
	return []badCase{
		{"routing/Enqueue/empty id", enqueue("", keep), invalid("id")},
		{"routing/Enqueue/mebibyte id", enqueue(carecontact.ItemID(mib), keep), invalid("id")},
		{"routing/Enqueue/NUL in id", enqueue(carecontact.ItemID(withNUL), keep), invalid("id")},
		{"routing/Enqueue/invalid UTF-8 id", enqueue(carecontact.ItemID(badUTF8), keep), invalid("id")},
		{"routing/Enqueue/empty client", contact(func(c *routing.Contact) { c.Client = "" }), invalid("client")},
		{"routing/Enqueue/mebibyte client", contact(func(c *routing.Contact) { c.Client = carecontact.ClientRef(mib) }), invalid("client")},
		{"routing/Enqueue/NUL in client", contact(func(c *routing.Contact) { c.Client = carecontact.ClientRef(withNUL) }), invalid("client")},
		{"routing/Enqueue/empty errand", contact(func(c *routing.Contact) { c.Errand = "" }), invalid("errand")},
		{"routing/Enqueue/mebibyte errand", contact(func(c *routing.Contact) { c.Errand = channel.Errand(mib) }), invalid("errand")},
		{"routing/Enqueue/host's own errand", contact(func(c *routing.Contact) { c.Errand = "travel_vaccination" }),
			accepted("routing.Policy: the policy with an empty Errand is the default for errands that have none of their own")},
		{"routing/Enqueue/channel pigeon", contact(func(c *routing.Contact) { c.Channel = "pigeon" }), invalid("channel")},
		{"routing/Enqueue/e-booking is not routed", contact(func(c *routing.Contact) { c.Channel = channel.EBooking }), invalid("channel")},
		{"routing/Enqueue/priority -1", contact(func(c *routing.Contact) { c.Priority = -1 }), invalid("priority")},
		{"routing/Enqueue/priority 99", contact(func(c *routing.Contact) { c.Priority = 99 }), invalid("priority")},
		{"routing/Enqueue/malformed postal code", contact(func(c *routing.Contact) { c.PostalCode = "not a code" }), invalid("postalCode")},
		{"routing/Enqueue/postal code with Arabic digits", contact(func(c *routing.Contact) { c.PostalCode = "٠٠٥٣٠" }), invalid("postalCode")},
		{"routing/Enqueue/language klingon!!", contact(func(c *routing.Contact) { c.Language = "klingon!!" }), invalid("language")},
		{"routing/Enqueue/language sv-FI", contact(func(c *routing.Contact) { c.Language = "sv-FI" }),
			accepted("routing.Contact.Language: any well-formed BCP 47 tag, \"sv-FI\" is sv")},
		{"routing/Enqueue/mebibyte own team", contact(func(c *routing.Contact) { c.OwnTeam = carecontact.TeamID(mib) }), invalid("ownTeam")},
		{"routing/Enqueue/NUL in own professional", contact(func(c *routing.Contact) { c.OwnProfessional = carecontact.ProfessionalID(withNUL) }), invalid("ownProfessional")},
		{"routing/Enqueue/invalid UTF-8 area", contact(func(c *routing.Contact) { c.Area = carecontact.AreaID(badUTF8) }), invalid("area")},
		{"routing/Enqueue/duplicate id", onQueued(func(ctx context.Context, w *world, d *routing.Dispatcher) error {
			_, err := d.Enqueue(ctx, "item-1", routingContact())
			return err
		}), fails(carecontact.ErrConflict)},
		{"routing/Route/empty errand", route(func(c *routing.Contact) { c.Errand = "" }), invalid("errand")},
		{"routing/Route/language klingon!!", route(func(c *routing.Contact) { c.Language = "klingon!!" }), invalid("language")},
		{"routing/Accept/unknown item", func(ctx context.Context, w *world) error {
			_, err := w.parts.Dispatcher.Accept(ctx, "nothing", "n-aino")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"routing/Accept/mebibyte item", func(ctx context.Context, w *world) error {
			_, err := w.parts.Dispatcher.Accept(ctx, carecontact.ItemID(mib), "n-aino")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"routing/Accept/empty professional", onOffered(func(ctx context.Context, w *world, d *routing.Dispatcher) error {
			_, err := d.Accept(ctx, "item-1", "")
			return err
		}), invalid("professional")},
		{"routing/Accept/not offered to them", onOffered(func(ctx context.Context, w *world, d *routing.Dispatcher) error {
			_, err := d.Accept(ctx, "item-1", "n-eero")
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"routing/Decline/empty professional", onOffered(func(ctx context.Context, w *world, d *routing.Dispatcher) error {
			return d.Decline(ctx, "item-1", "")
		}), invalid("professional")},
		{"routing/Rescind/unknown item", func(ctx context.Context, w *world) error {
			return w.parts.Dispatcher.Rescind(ctx, "nothing", "left")
		}, fails(carecontact.ErrNotFound)},
		{"routing/Rescind/reason with a phone number", onQueued(func(ctx context.Context, w *world, d *routing.Dispatcher) error {
			if err := d.Rescind(ctx, "item-1", withPII); err != nil {
				return err
			}
			if _, ok := d.Item("item-1"); ok {
				return checkf("the item is still queued")
			}
			return nil
		}), accepted("routing.Dispatcher.Rescind: withdraws a queued or offered item; reason is recorded in the event")},
		{"routing/SetPresence/unknown professional", func(ctx context.Context, w *world) error {
			_, err := w.parts.Dispatcher.SetPresence(ctx, "ghost", routing.PresenceAvailable)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"routing/SetPresence/presence 99", func(ctx context.Context, w *world) error {
			_, err := w.parts.Dispatcher.SetPresence(ctx, "n-aino", routing.Presence(99))
			return err
		}, invalid("presence")},
		{"routing/SetPresence/wrap-up is derived", func(ctx context.Context, w *world) error {
			_, err := w.parts.Dispatcher.SetPresence(ctx, "n-aino", routing.PresenceWrapUp)
			return err
		}, invalid("presence")},
		{"routing/TeamLoad/unknown team", func(ctx context.Context, w *world) error {
			_, err := w.parts.Dispatcher.TeamLoad("ghost-team")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"routing/Wait/unknown item", func(ctx context.Context, w *world) error {
			_, err := w.parts.Dispatcher.Wait("nothing")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"routing/ParsePostalCode/empty", parse(""), invalid("postalCode")},
		{"routing/ParsePostalCode/four digits", parse("0053"), invalid("postalCode")},
		{"routing/ParsePostalCode/NUL", parse("00530\x00"), invalid("postalCode")},
		{"routing/ParsePostalCode/mebibyte", parse(mib), invalid("postalCode")},
		{"routing/ParsePostalCode/surrounding spaces", parse(" 00530 "), accepted("routing.ParsePostalCode: surrounding spaces ignored")},
		{"routing/NewDirectory/malformed postal code", directory(func(c *routing.Config) { c.Areas[0].PostalCodes = []routing.PostalCode{"abc"} }),
			invalid("postalCode")},
		{"routing/NewDirectory/duplicate area", directory(func(c *routing.Config) { c.Areas[1].ID = c.Areas[0].ID }), invalid("areas[kallio].id")},
		{"routing/NewDirectory/negative capacity", directory(func(c *routing.Config) { c.Professionals[0].Capacity.Chat = -1 }), invalid("professionals[n-aino].capacity")},
		{"routing/NewDirectory/negative wrap-up", directory(func(c *routing.Config) { c.Professionals[0].WrapUp = -time.Minute }), invalid("professionals[n-aino].wrapUp")},
		{"routing/NewDirectory/language klingon!!", directory(func(c *routing.Config) { c.Professionals[0].Languages = []civil.Language{"klingon!!"} }),
			invalid("professionals[n-aino].languages[0]")},
		{"routing/NewDirectory/team in an unknown area", directory(func(c *routing.Config) { c.Teams[0].Area = "atlantis" }), fails(carecontact.ErrNotFound)},
		{"routing/NewDirectory/negative step timeout", directory(func(c *routing.Config) {
			c.Policies = []routing.Policy{{Steps: []routing.Step{{Target: routing.TargetOwnTeam, Timeout: -time.Minute}, {Target: routing.TargetCentralPool}}}}
		}), invalid("policies[0].steps[0]")},
		{"routing/NewDirectory/opening hours closing before opening", directory(func(c *routing.Config) {
			c.Areas[0].Hours = routing.OpeningHours{{Day: time.Monday, Open: civil.At(16, 0), Close: civil.At(8, 0)}}
		}), invalid("areas[kallio].hours")},
		{"routing/NewDispatcher/negative offer timeout", dispatcher(func(c *routing.DispatcherConfig) { c.OfferTimeout = -time.Second }), invalid("config.offer_timeout")},
		{"routing/NewDispatcher/unknown sink kind", dispatcher(func(c *routing.DispatcherConfig) { c.SinkKinds = []routing.EventKind{99} }), invalid("config.sink_kinds")},
		{"routing/NewDispatcher/negative ageing", dispatcher(func(c *routing.DispatcherConfig) { c.Ageing = routing.Ageing{routing.PriorityHigh: -time.Hour} }), invalid("config.ageing")},
	}
}
