package guidance_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

func BenchmarkRender(b *testing.B) {
	cat := starterCatalog(b)
	prefs := tags("sv-FI")
	vals := guidance.Vars{guidance.VarCallbackWindow: "i dag kl. 13–15"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "koivikko"}, prefs, vals); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAdvise(b *testing.B) {
	cat := starterCatalog(b)
	m := channel.DefaultMatrix()
	s := guidance.Situation{Errand: channel.ErrandWoundCare, Area: "rantala", Languages: tags("sv-FI"), Identity: channel.IdentityStrong}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cat.Advise(m, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRequired(b *testing.B) {
	cat := starterCatalog(b)
	b.ReportAllocs()
	for b.Loop() {
		if len(cat.Required("leg.start", channel.Video)) == 0 {
			b.Fatal("nothing required")
		}
	}
}

func BenchmarkDecodeStarter(b *testing.B) {
	data := encode(b, starter(b))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := guidance.Decode("content.json", bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublished reconstructs the catalog at a past moment from the
// memory store holding the starter content (30 subjects) published once.
func BenchmarkPublished(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	refs, err := f.g.Import(ctx, chiefEditor, starter(b))
	require.NoError(b, err)
	for _, step := range []func(guidance.Ref) error{
		func(r guidance.Ref) error { return f.g.Submit(ctx, chiefEditor, r, "") },
		func(r guidance.Ref) error { return f.g.Review(ctx, chiefReviewer, r, "") },
		func(r guidance.Ref) error { return f.g.Approve(ctx, chief, r, "") },
		func(r guidance.Ref) error { return f.g.Publish(ctx, chief, r, "") },
	} {
		for _, r := range refs {
			require.NoError(b, step(r))
		}
	}
	at := f.advance(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.g.Published(ctx, at); err != nil {
			b.Fatal(err)
		}
	}
}
