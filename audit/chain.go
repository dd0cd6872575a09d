package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/carecontact/carecontact"
)

// The audit trail is tamper-evident: the events of one stream form a hash
// chain. A stream is the events of one Subject (everything recorded about
// "appointment/…" or "session/…"), so writers of different subjects never
// wait for each other, and one subject's history can be checked on its own.
// Each event's link holds its place in the stream (1, 2, …), the hash of
// the link before it and its own hash, SHA-256 over the previous hash and a
// canonical encoding of the event. A store keeps the head of each stream
// (its last place and hash) beside the events, so a deleted last event is
// detected as well as an edited, deleted or reordered one.
//
// The chain enters the client reference as its digest (ClientDigest), not
// as it was: a store may pseudonymise an erased client's events (replace
// the reference) and keep the chain verifiable, since the digest stays.
//
// A chain inside the database proves that rows were not changed by anyone
// who did not also recompute every later hash and the heads. A host that
// needs proof against its own database administrators exports the heads
// (Heads) to a place they cannot write, and compares later.

// Hash is a SHA-256 digest of the chain.
type Hash [sha256.Size]byte

// String returns the hash in hexadecimal.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Link is one event's place in its stream's chain, as a store keeps it.
type Link struct {
	// Event is the event as stored. Its Client may be a pseudonym after an
	// erasure; ClientDigest is what the chain holds.
	Event Event
	// Seq is the event's place in its stream, from 1.
	Seq int64
	// ClientDigest is ClientDigest of the client the event was recorded
	// for.
	ClientDigest string
	// Pseudonymised says the event's Client was replaced after the event was
	// recorded, so it no longer matches ClientDigest.
	Pseudonymised bool
	// Prev is the hash of the link before (zero for the first).
	Prev Hash
	// Hash is this link's hash.
	Hash Hash
}

// Head is the last link of a stream.
type Head struct {
	Stream string
	Seq    int64
	Hash   Hash
}

// ClientDigest is the digest of a client reference the chain holds ("" for
// no client).
func ClientDigest(c carecontact.ClientRef) string {
	if c == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("carecontact/audit/client\x00" + string(c)))
	return hex.EncodeToString(sum[:])
}

// Chain returns the hash of event e at place seq of its stream after the
// link with hash prev, with the client entered as clientDigest.
func Chain(prev Hash, seq int64, e Event, clientDigest string) Hash {
	h := sha256.New()
	h.Write(prev[:])
	var buf [binary.MaxVarintLen64]byte
	field := func(s string) {
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	field(strconv.FormatInt(seq, 10))
	for _, s := range []string{e.ID, e.At.UTC().Format(time.RFC3339Nano), string(e.Actor.Kind), e.Actor.ID,
		e.Actor.Role, e.Action, e.Subject, clientDigest, string(e.Outcome)} {
		field(s)
	}
	// Every field is written with its length, and the detail in key order,
	// so the encoding is canonical and no two events share one.
	keys := slices.Sorted(maps.Keys(e.Detail))
	field(strconv.Itoa(len(keys)))
	for _, k := range keys {
		field(k)
		field(e.Detail[k])
	}
	var out Hash
	h.Sum(out[:0])
	return out
}

// Next returns the link of event e after head (a zero head for a new
// stream).
func Next(head Head, e Event) Link {
	d := ClientDigest(e.Client)
	seq := head.Seq + 1
	return Link{Event: e, Seq: seq, ClientDigest: d, Prev: head.Hash, Hash: Chain(head.Hash, seq, e, d)}
}

// Break is the first broken link a verification found.
type Break struct {
	// Stream is the stream (the subject) whose chain is broken.
	Stream string `json:"stream"`
	// Seq is the place of the first link that does not verify.
	Seq int64 `json:"seq"`
	// EventID is that link's event, empty when the link is missing.
	EventID string `json:"event_id,omitempty"`
	// Problem says what is wrong.
	Problem string `json:"problem"`
}

// Error returns the break as text.
func (b *Break) Error() string {
	return fmt.Sprintf("audit: chain of %q broken at %d: %s", b.Stream, b.Seq, b.Problem)
}

// ErrTampered reports an audit trail whose chain does not verify; the
// error is a *Break.
var ErrTampered = carecontact.Sentinel(carecontact.ErrConflict, "audit: trail tampered")

// Unwrap returns ErrTampered, so errors.Is(b, ErrTampered) and the root
// kind conflict hold.
func (b *Break) Unwrap() error { return ErrTampered }

// Verification is what Verify found.
type Verification struct {
	// Streams and Events count what was checked.
	Streams int `json:"streams"`
	Events  int `json:"events"`
	// Unchained counts events recorded before the store kept a chain
	// (PostgreSQL rows older than its chain migration); they are not
	// checked.
	Unchained int `json:"unchained,omitempty"`
	// Broken is the first broken link, nil when every chain verifies.
	Broken *Break `json:"broken,omitempty"`
}

// Verifier checks an audit trail's chains.
type Verifier interface {
	// Verify checks every stream and reports the first broken link.
	Verify(ctx context.Context) (Verification, error)
}

// VerifyStream checks the links of one stream, in the order the store
// keeps them, against its head. It returns nil when they verify.
func VerifyStream(head Head, links []Link) *Break {
	prev := Hash{}
	broken := func(l Link, problem string) *Break {
		return &Break{Stream: head.Stream, Seq: l.Seq, EventID: l.Event.ID, Problem: problem}
	}
	for i, l := range links {
		want := int64(i + 1)
		switch {
		case l.Event.Subject != head.Stream:
			return broken(l, "event belongs to another stream")
		case l.Seq != want:
			return &Break{Stream: head.Stream, Seq: want, EventID: l.Event.ID, Problem: fmt.Sprintf("link %d missing or out of order (found %d)", want, l.Seq)}
		case l.Prev != prev:
			return broken(l, "previous hash does not match")
		case !l.Pseudonymised && l.ClientDigest != ClientDigest(l.Event.Client):
			return broken(l, "client does not match its digest")
		case Chain(prev, l.Seq, l.Event, l.ClientDigest) != l.Hash:
			return broken(l, "event does not match its hash")
		}
		prev = l.Hash
	}
	n := int64(len(links))
	switch {
	case head.Seq != n:
		return &Break{Stream: head.Stream, Seq: n + 1, Problem: fmt.Sprintf("head is at %d, the stream ends at %d", head.Seq, n)}
	case head.Hash != prev:
		return &Break{Stream: head.Stream, Seq: n, Problem: "head hash does not match the last link"}
	}
	return nil
}
