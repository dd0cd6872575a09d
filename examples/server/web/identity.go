package web

import (
	"context"
	"net/http"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Identified is a client's identification: the pseudonymous reference and
// the level and method established.
type Identified struct {
	Client carecontact.ClientRef
	Level  channel.IdentityLevel
	Method string
}

// Identifier establishes who a client is. A host plugs in its strong
// identification service here (a bank or mobile ID login that ends in a
// pseudonymous reference from the population register); claimed is the
// reference the request names, which an identifier may check or replace.
type Identifier interface {
	Identify(ctx context.Context, r *http.Request, claimed carecontact.ClientRef) (Identified, error)
}

// Unidentified is the default Identifier: the claimed reference with no
// identification, as on the phone before anyone asks.
type Unidentified struct{}

// Identify implements Identifier.
func (Unidentified) Identify(_ context.Context, _ *http.Request, claimed carecontact.ClientRef) (Identified, error) {
	return Identified{Client: claimed}, nil
}

// SimulatedStrong is the demo's Identifier: it accepts the claimed
// reference as strongly identified with method "simulated". Never use it
// outside a demonstration.
type SimulatedStrong struct{}

// Identify implements Identifier.
func (SimulatedStrong) Identify(_ context.Context, _ *http.Request, claimed carecontact.ClientRef) (Identified, error) {
	return Identified{Client: claimed, Level: channel.IdentityStrong, Method: "simulated"}, nil
}
