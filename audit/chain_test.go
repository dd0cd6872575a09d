package audit_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

func chainEvent(i int, detail string) audit.Event {
	return audit.Event{
		ID: "e" + string(rune('0'+i)), At: time.Date(2026, 3, 29, 0, 59, i, 0, time.UTC),
		Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "n1"}, Action: "booking.cancel",
		Subject: "appointment/a1", Client: "c1", Outcome: audit.Allowed, Detail: map[string]string{"reason": detail},
	}
}

// links builds a stream of n events as a store would.
func links(n int) ([]audit.Link, audit.Head) {
	head := audit.Head{Stream: "appointment/a1"}
	var out []audit.Link
	for i := range n {
		e := chainEvent(i, "r")
		if i == 2 {
			e.Actor = audit.Actor{Kind: audit.ActorClient, ID: "c1"} // the client acted
		}
		ln := audit.Next(head, e)
		out = append(out, ln)
		head = audit.Head{Stream: head.Stream, Seq: ln.Seq, Hash: ln.Hash}
	}
	return out, head
}

func TestChainIsCanonical(t *testing.T) {
	a, b := chainEvent(1, "x"), chainEvent(1, "x")
	b.Detail = map[string]string{"reason": "x"} // another map, same content
	require.Equal(t, audit.Chain(audit.Hash{}, 1, a, "d", ""), audit.Chain(audit.Hash{}, 1, b, "d", ""))
	for name, change := range map[string]func(e *audit.Event){
		"detail":  func(e *audit.Event) { e.Detail["reason"] = "y" },
		"key":     func(e *audit.Event) { e.Detail = map[string]string{"reasonx": ""} },
		"actor":   func(e *audit.Event) { e.Actor.ID = "n2" },
		"time":    func(e *audit.Event) { e.At = e.At.Add(time.Microsecond) },
		"outcome": func(e *audit.Event) { e.Outcome = audit.Denied },
		// Fields are length-prefixed: moving text between two fields changes the hash.
		"shifted": func(e *audit.Event) { e.Action, e.Subject = "booking.cancelappointment/", "a1" },
	} {
		c := chainEvent(1, "x")
		change(&c)
		require.NotEqual(t, audit.Chain(audit.Hash{}, 1, a, "d", ""), audit.Chain(audit.Hash{}, 1, c, "d", ""), name)
	}
	require.NotEqual(t, audit.Chain(audit.Hash{}, 1, a, "d", ""), audit.Chain(audit.Hash{}, 2, a, "d", ""), "the place is chained")
	require.NotEqual(t, audit.Chain(audit.Hash{1}, 1, a, "d", ""), audit.Chain(audit.Hash{}, 1, a, "d", ""), "the previous hash is chained")
}

func TestVerifyStream(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tamper  func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head)
		wantSeq int64 // 0: verifies
	}{
		{"untouched", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) { return ls, h }, 0},
		{"edited", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls[2].Event.Detail = map[string]string{"reason": "edited"}
			return ls, h
		}, 3},
		{"deleted", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			return append(ls[:1], ls[2:]...), h
		}, 2},
		{"last deleted", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) { return ls[:3], h }, 4},
		{"last deleted and head rewound", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			h.Seq = 3
			return ls[:3], h
		}, 3},
		{"reordered", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls[0], ls[1] = ls[1], ls[0]
			return ls, h
		}, 1},
		{"renumbered after a delete", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls = append(ls[:1], ls[2:]...)
			for i := range ls {
				ls[i].Seq = int64(i + 1)
			}
			return ls, h
		}, 2},
		{"client changed", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls[1].Event.Client = "c2"
			return ls, h
		}, 2},
		{"client pseudonymised", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls[1].Event.Client, ls[1].Pseudonymised = "erased-1", true
			return ls, h
		}, 0},
		{"client actor changed", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls[2].Event.Actor.ID = "c2"
			return ls, h
		}, 3},
		{"client actor pseudonymised", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls[2].Event.Actor.ID, ls[2].Event.Client, ls[2].Pseudonymised = string(audit.Pseudonym("c1")), audit.Pseudonym("c1"), true
			return ls, h
		}, 0},
		{"another stream's event", func(ls []audit.Link, h audit.Head) ([]audit.Link, audit.Head) {
			ls[3].Event.Subject = "appointment/a2"
			return ls, h
		}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, h := links(4)
			ls, h = tc.tamper(ls, h)
			b := audit.VerifyStream(h, ls)
			if tc.wantSeq == 0 {
				require.Nil(t, b)
				return
			}
			require.NotNil(t, b)
			require.Equal(t, tc.wantSeq, b.Seq, b.Problem)
			require.ErrorIs(t, b, audit.ErrTampered)
			require.NotContains(t, b.Error(), "c1", "no client reference in the error")
		})
	}
}

func TestChainHoldsAClientActorByDigest(t *testing.T) {
	e := chainEvent(1, "x")
	e.Actor = audit.Actor{Kind: audit.ActorClient, ID: "c1"}
	ln := audit.Next(audit.Head{Stream: e.Subject}, e)
	require.Equal(t, audit.ClientDigest("c1"), ln.ActorDigest)
	require.Empty(t, audit.ActorDigest(audit.Actor{Kind: audit.ActorProfessional, ID: "n1"}), "a professional is chained as recorded")
	pseudo := e
	pseudo.Actor.ID = "someone-else"
	require.Equal(t, ln.Hash, audit.Chain(audit.Hash{}, 1, pseudo, ln.ClientDigest, ln.ActorDigest), "the ID itself is not chained")
	require.NotEqual(t, ln.Hash, audit.Chain(audit.Hash{}, 1, e, ln.ClientDigest, ""), "a link without an actor digest holds the ID")
}

func TestPseudonym(t *testing.T) {
	for _, c := range []carecontact.ClientRef{"c1", "client-7f3a", "040 123 4567", "131052-308T", "x"} {
		p := audit.Pseudonym(c)
		require.True(t, audit.IsPseudonym(p), p)
		require.Equal(t, p, audit.Pseudonym(c), "stable")
		require.Equal(t, p, audit.Pseudonym(p), "a pseudonym is its own pseudonym")
		require.NotContains(t, string(p), string(c))
		require.NoError(t, audit.Event{At: time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), Actor: audit.Actor{Kind: audit.ActorClient, ID: string(p)}, Action: "a.b",
			Subject: "s/1", Client: p, Outcome: audit.Allowed}.Validate(), "a pseudonym never looks personal")
	}
	require.NotEqual(t, audit.Pseudonym("c1"), audit.Pseudonym("c2"))
	for i := range 5000 { // the digits of a digest never read as a phone number
		p := audit.Pseudonym(carecontact.ClientRef("client-" + strconv.Itoa(i)))
		require.Equal(t, string(p), audit.Redact(string(p)))
	}
	require.Empty(t, audit.Pseudonym(""))
	require.False(t, audit.IsPseudonym("pseudonym-x"))
}
