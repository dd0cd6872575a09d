package channel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/carecontact/carecontact"
)

// Escalation is one allowed switch of a contact from one channel to another
// inside the same session (a callback that becomes a video call, a chat that
// becomes a callback).
type Escalation struct {
	From Kind `json:"from"`
	To   Kind `json:"to"`
	// Consent says the client must agree to the switch (a video call
	// enters the client's home; a callback uses their phone number).
	Consent bool `json:"consent"`
	// Identity is the minimum client identification the switch needs,
	// whatever the errand; the suitability matrix may ask for more.
	Identity IdentityLevel `json:"identity"`
}

// Graph is the escalation graph: the switches a session may make. A Graph is
// immutable once built and safe for concurrent use.
type Graph struct {
	edges map[[2]Kind]Escalation
}

// Errors of the escalation graph.
var (
	// ErrEscalationNotAllowed: the graph has no edge for the switch.
	ErrEscalationNotAllowed = carecontact.Sentinel(carecontact.ErrIllegalTransition, "channel: escalation not allowed")
	// ErrConsentRequired: the switch needs the client's consent, which was not given.
	ErrConsentRequired = carecontact.Sentinel(carecontact.ErrNotAllowed, "channel: client consent required")
	// ErrInvalidGraph: a graph definition cannot be used.
	ErrInvalidGraph = carecontact.Sentinel(carecontact.ErrInvalid, "channel: invalid escalation graph")
)

// NewGraph returns a graph of the given edges. A From of "" means "from any
// channel" and expands to every kind except To itself. Later edges replace
// earlier ones for the same pair.
func NewGraph(edges ...Escalation) (*Graph, error) {
	g := &Graph{edges: map[[2]Kind]Escalation{}}
	for i, e := range edges {
		if !e.To.Valid() {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("edges[%d].to", i), fmt.Sprintf("unknown channel %q", clip(string(e.To))))
		}
		if e.From != "" && !e.From.Valid() {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("edges[%d].from", i), fmt.Sprintf("unknown channel %q", clip(string(e.From))))
		}
		if e.From == e.To {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("edges[%d]", i), fmt.Sprintf("from and to are both %s", e.To))
		}
		if !e.Identity.Valid() {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("edges[%d].identity", i), "unknown level")
		}
		froms := []Kind{e.From}
		if e.From == "" {
			froms = slices.DeleteFunc(Kinds(), func(k Kind) bool { return k == e.To })
		}
		for _, f := range froms {
			ee := e
			ee.From = f
			g.edges[[2]Kind{f, e.To}] = ee
		}
	}
	return g, nil
}

// DefaultEscalations are the edges of DefaultGraph:
//
//   - callback -> video and inbound phone -> video: with consent, strong identification;
//   - chat -> callback: with consent (the client's number is used), weak identification;
//   - chat -> video: with consent, strong identification;
//   - video -> callback: the fallback when a video call fails, weak identification;
//   - any -> in person (book a visit): weak identification, no consent needed
//     beyond the booking itself.
func DefaultEscalations() []Escalation {
	return []Escalation{
		{From: "", To: InPerson, Identity: IdentityWeak},
		{From: Callback, To: Video, Consent: true, Identity: IdentityStrong},
		{From: InboundPhone, To: Video, Consent: true, Identity: IdentityStrong},
		{From: Chat, To: Callback, Consent: true, Identity: IdentityWeak},
		{From: Chat, To: Video, Consent: true, Identity: IdentityStrong},
		{From: Video, To: Callback, Identity: IdentityWeak},
	}
}

// DefaultGraph returns the graph of DefaultEscalations.
func DefaultGraph() *Graph {
	g, err := NewGraph(DefaultEscalations()...)
	if err != nil {
		// DefaultEscalations is a constant table the tests check.
		return &Graph{edges: map[[2]Kind]Escalation{}}
	}
	return g
}

// Lookup returns the edge from -> to.
func (g *Graph) Lookup(from, to Kind) (Escalation, bool) {
	e, ok := g.edges[[2]Kind{from, to}]
	return e, ok
}

// From returns the edges leaving channel k, ordered by target in Kinds order.
func (g *Graph) From(k Kind) []Escalation {
	var out []Escalation
	for _, to := range Kinds() {
		if e, ok := g.edges[[2]Kind{k, to}]; ok {
			out = append(out, e)
		}
	}
	return out
}

// Check reports whether a contact in channel from may switch to channel to,
// given the client's identification and whether they consented. Errors:
// ErrEscalationNotAllowed, ErrConsentRequired, or an *IdentityError.
func (g *Graph) Check(from, to Kind, have IdentityLevel, consent bool) error {
	e, ok := g.Lookup(from, to)
	if !ok {
		return fmt.Errorf("%w: %s -> %s", ErrEscalationNotAllowed, clip(string(from)), clip(string(to)))
	}
	if e.Consent && !consent {
		return fmt.Errorf("%s -> %s: %w", from, to, ErrConsentRequired)
	}
	if err := RequireIdentity(e.Identity, have); err != nil {
		return fmt.Errorf("%s -> %s: %w", from, to, err)
	}
	return nil
}

// Edges returns every edge of the graph, ordered by From then To in Kinds
// order ("any" edges appear expanded).
func (g *Graph) Edges() []Escalation {
	var out []Escalation
	for _, from := range Kinds() {
		out = append(out, g.From(from)...)
	}
	return out
}

// GraphFormatVersion is the version of the JSON format ParseGraph reads and
// MarshalJSON writes.
const GraphFormatVersion = 1

// MarshalJSON writes the graph in the format ParseGraph reads.
func (g *Graph) MarshalJSON() ([]byte, error) {
	edges := g.Edges()
	if edges == nil {
		edges = []Escalation{}
	}
	return json.Marshal(struct {
		Version     int          `json:"version"`
		Escalations []Escalation `json:"escalations"`
	}{GraphFormatVersion, edges})
}

// ParseGraph reads an escalation graph from its JSON configuration:
//
//	{
//	  "version": 1,
//	  "escalations": [
//	    {"from": "callback", "to": "video", "consent": true, "identity": "strong"},
//	    {"from": "*", "to": "in_person", "consent": false, "identity": "weak"}
//	  ]
//	}
//
// "from" may be "*" for any channel. Every edge needs "from", "to" and
// "identity"; "consent" defaults to false. Errors wrap ErrInvalidGraph and
// name the edge.
func ParseGraph(data []byte) (*Graph, error) {
	var f struct {
		Version     *int              `json:"version"`
		Escalations []json.RawMessage `json:"escalations"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, carecontact.Invalid(ErrInvalidGraph, "graph", err.Error())
	}
	if dec.More() {
		return nil, carecontact.Invalid(ErrInvalidGraph, "graph", "trailing data after the JSON object")
	}
	if f.Version == nil || *f.Version != GraphFormatVersion {
		return nil, carecontact.Invalid(ErrInvalidGraph, "version", fmt.Sprintf("must be %d", GraphFormatVersion))
	}
	edges := make([]Escalation, 0, len(f.Escalations))
	for i, raw := range f.Escalations {
		var e struct {
			From     *string `json:"from"`
			To       *string `json:"to"`
			Consent  bool    `json:"consent"`
			Identity *string `json:"identity"`
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("escalations[%d]", i), err.Error())
		}
		if e.From == nil || e.To == nil || e.Identity == nil {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("escalations[%d]", i), "from, to and identity are required")
		}
		lvl, err := ParseIdentityLevel(*e.Identity)
		if err != nil {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("escalations[%d].identity", i), "must be none, weak or strong")
		}
		from := Kind(*e.From)
		if from == "*" {
			from = ""
		} else if from == "" {
			return nil, carecontact.Invalid(ErrInvalidGraph, fmt.Sprintf("escalations[%d].from", i), "use \"*\" for any channel")
		}
		edges = append(edges, Escalation{From: from, To: Kind(*e.To), Consent: e.Consent, Identity: lvl})
	}
	return NewGraph(edges...)
}
