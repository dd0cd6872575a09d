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
	"strings"
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
// as it was, and so the ID of a client actor (ActorDigest): a store may
// pseudonymise an erased client's events (replace the reference and, where
// the client acted, the actor's ID with Pseudonym) and keep the chain
// verifiable, since the digests stay. Links recorded before actors were
// digested hold a client actor's ID as it was (an empty ActorDigest); such
// an actor ID cannot be replaced without breaking the chain.
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
	// ActorDigest is ActorDigest of the event's actor as recorded: the
	// digest of a client actor's ID, "" for other actors. The chain holds
	// it in place of the ID. Links recorded before actors were digested
	// have "" and hold the ID as it is.
	ActorDigest string
	// Pseudonymised says the event's Client, or a client actor's ID, was
	// replaced after the event was recorded (see Pseudonym), so it no
	// longer matches its digest.
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

// ActorDigest is the digest of a client actor's ID the chain holds in
// place of the ID ("" for a professional or system actor, whose ID the
// chain holds as it is). A client actor's ID is the client's reference.
func ActorDigest(a Actor) string {
	if a.Kind != ActorClient {
		return ""
	}
	return ClientDigest(carecontact.ClientRef(a.ID))
}

// pseudonymPrefix begins every Pseudonym.
const pseudonymPrefix = "pseudonym-"

// Pseudonym is the stable pseudonym that replaces client reference c in a
// pseudonymised event: "pseudonym-" and a digest of c (other than
// ClientDigest) in the UUID form, the same for every event of c and in
// every store. It is derived from c one way: the pseudonym does not give
// the reference back, but whoever holds the reference can compute it (as
// they can ClientDigest). A pseudonym is its own pseudonym, and "" stays
// "".
func Pseudonym(c carecontact.ClientRef) carecontact.ClientRef {
	if c == "" || IsPseudonym(c) {
		return c
	}
	sum := sha256.Sum256([]byte("carecontact/audit/pseudonym\x00" + string(c)))
	x := hex.EncodeToString(sum[:16])
	return carecontact.ClientRef(pseudonymPrefix + x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32])
}

// IsPseudonym reports whether c has the form of a Pseudonym.
func IsPseudonym(c carecontact.ClientRef) bool {
	rest, ok := strings.CutPrefix(string(c), pseudonymPrefix)
	return ok && len(rest) == 36 && uuidPattern.MatchString(rest)
}

// Chain returns the hash of event e at place seq of its stream after the
// link with hash prev, with the client entered as clientDigest and the
// actor's ID as actorDigest when it is not "" (as it is when it is).
func Chain(prev Hash, seq int64, e Event, clientDigest, actorDigest string) Hash {
	h := sha256.New()
	h.Write(prev[:])
	var buf [binary.MaxVarintLen64]byte
	field := func(s string) {
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	field(strconv.FormatInt(seq, 10))
	actor := e.Actor.ID
	if actorDigest != "" {
		// Marked, so an ID that happens to read as a digest is told apart.
		actor = "digest:" + actorDigest
	}
	for _, s := range []string{e.ID, e.At.UTC().Format(time.RFC3339Nano), string(e.Actor.Kind), actor,
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
	d, a := ClientDigest(e.Client), ActorDigest(e.Actor)
	seq := head.Seq + 1
	return Link{Event: e, Seq: seq, ClientDigest: d, ActorDigest: a, Prev: head.Hash, Hash: Chain(head.Hash, seq, e, d, a)}
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
		case !l.Pseudonymised && l.ActorDigest != "" && l.ActorDigest != ActorDigest(l.Event.Actor):
			return broken(l, "actor does not match its digest")
		case Chain(prev, l.Seq, l.Event, l.ClientDigest, l.ActorDigest) != l.Hash:
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
