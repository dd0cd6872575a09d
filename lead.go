package carecontact

// Fence is a fencing token: the name of a leader lease and the term in
// which its holder took it. Each takeover of the lease gives a greater
// Token, so a store that checks a change's Fence against the lease in the
// change's own transaction refuses a decision of a leader that has been
// replaced, however late it arrives. The zero Fence fences nothing.
type Fence struct {
	// Lease names the lease the token belongs to. Required.
	Lease string
	// Token is the term of the holder; greater is newer. Required.
	Token int64
}

// IsZero reports whether f fences nothing.
func (f Fence) IsZero() bool { return f.Lease == "" && f.Token == 0 }

// Leadership tells a replica whether it is the elected leader for the
// time-driven decisions (offer timeouts, widening, offers, callback
// planning) and the fence its decisions carry. A PostgreSQL lease
// implements it; a single process needs none.
type Leadership interface {
	// Leading returns the fence of the current term and true while this
	// replica holds the lease by its own reckoning; false once it may
	// have lapsed. A store still refuses a stale fence.
	Leading() (Fence, bool)
}
