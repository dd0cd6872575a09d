package badinput_test

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/storage/memory"
)

func demandCases() []badCase {
	admit := func(edit func(*demand.Request)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			r := demand.Request{Actor: system, Client: "c-1", Errand: channel.ErrandLabResults, Kind: channel.Chat}
			edit(&r)
			_, err := w.parts.Demand.Admit(ctx, r)
			return err
		}
	}
	admitted := func(f func(ctx context.Context, w *world, id string) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			a, err := w.parts.Demand.Admit(ctx, demand.Request{Actor: system, Client: "c-1", Errand: channel.ErrandLabResults, Kind: channel.Chat})
			if err != nil {
				return setup(err)
			}
			return f(ctx, w, a.Contact.ID)
		}
	}
	return []badCase{
		{"demand/Admit/empty client", admit(func(r *demand.Request) { r.Client = "" }), invalid("Client")},
		{"demand/Admit/mebibyte client", admit(func(r *demand.Request) { r.Client = carecontact.ClientRef(mib) }), invalid("Client")},
		{"demand/Admit/empty errand", admit(func(r *demand.Request) { r.Errand = "" }), invalid("Errand")},
		{"demand/Admit/NUL in errand", admit(func(r *demand.Request) { r.Errand = channel.Errand(withNUL) }), invalid("Errand")},
		{"demand/Admit/invalid UTF-8 ref", admit(func(r *demand.Request) { r.Ref = badUTF8 }), invalid("Ref")},
		{"demand/Admit/mebibyte id", admit(func(r *demand.Request) { r.ID = mib }), invalid("ID")},
		{"demand/Admit/id that is a phone number", admit(func(r *demand.Request) { r.ID = "0401234567" }), invalid("ID")},
		{"demand/Admit/kind pigeon", admit(func(r *demand.Request) { r.Kind = "pigeon" }), invalid("Kind")},
		{"demand/Admit/unsuitable channel", admit(func(r *demand.Request) { r.Errand = channel.ErrandCertificate; r.Kind = channel.SecureMessage }),
			fails(carecontact.ErrNotAllowed)},
		{"demand/Admit/zero actor", admit(func(r *demand.Request) { r.Actor.Kind = "" }), invalid("actor.kind")},
		{"demand/Admit/duplicate id", admitted(func(ctx context.Context, w *world, id string) error {
			_, err := w.parts.Demand.Admit(ctx, demand.Request{Actor: system, Client: "c-2", Errand: channel.ErrandOther, Kind: channel.Chat, ID: id})
			return err
		}), fails(carecontact.ErrConflict)},
		{"demand/Settle/unknown", func(ctx context.Context, w *world) error {
			_, err := w.parts.Demand.Settle(ctx, system, "c-none")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"demand/Settle/twice", admitted(func(ctx context.Context, w *world, id string) error {
			if _, err := w.parts.Demand.Settle(ctx, system, id); err != nil {
				return setup(err)
			}
			_, err := w.parts.Demand.Settle(ctx, system, id)
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"demand/Close/reason with a phone number", admitted(func(ctx context.Context, w *world, id string) error {
			if _, err := w.parts.Demand.Close(ctx, system, id, withPII); err != nil {
				return err
			}
			return w.auditClean(ctx, "channel.close")
		}), accepted("free text never blocks the operation and reaches audit details redacted (issue 15, defect 2)")},
		{"demand/Close/mebibyte reason", admitted(func(ctx context.Context, w *world, id string) error {
			_, err := w.parts.Demand.Close(ctx, system, id, mib)
			return err
		}), invalid("reason")},
		{"demand/Stats/until before since", func(ctx context.Context, w *world) error {
			_, err := w.parts.Demand.Stats(ctx, monday, monday.Add(-time.Hour))
			return err
		}, invalid("until")},
		{"demand/New/policy bogus", func(_ context.Context, w *world) error {
			_, err := demand.New(demand.Config{Matrix: channel.DefaultMatrix(), Store: memory.NewDemandStore(nil), Clock: w.clk, Audit: memory.NewAuditLog(), Policy: "bogus"})
			return err
		}, invalid("Policy")},
	}
}
