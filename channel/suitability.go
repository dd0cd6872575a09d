package channel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/carecontact/carecontact"
)

// Cell is one entry of the suitability matrix: whether an errand may be
// handled in a channel, why (always given when it may not), and how strongly
// the client must be identified before the errand is handled there.
type Cell struct {
	// Suitable says whether the errand may be handled in the channel.
	Suitable bool `json:"suitable"`
	// Reason explains the decision; required when Suitable is false, so a
	// client can be told why and where to go instead.
	Reason string `json:"reason,omitempty"`
	// Identity is the client identification the channel needs before the
	// errand's health data is discussed in it.
	Identity IdentityLevel `json:"identity"`
}

// Matrix is the errand x channel suitability matrix. A Matrix is immutable
// once built, so one value is safe for concurrent use by any number of
// goroutines.
type Matrix struct {
	rows map[Errand]map[Kind]Cell
}

// ErrInvalidMatrix reports a suitability configuration that cannot be used;
// the wrapping error names the errand, channel and field at fault.
var ErrInvalidMatrix = carecontact.Sentinel(carecontact.ErrInvalid, "channel: invalid suitability matrix")

// MatrixFormatVersion is the version of the JSON format ParseMatrix reads
// and MarshalJSON writes.
const MatrixFormatVersion = 1

// NewMatrix validates rows and returns a matrix holding a copy of them.
func NewMatrix(rows map[Errand]map[Kind]Cell) (*Matrix, error) {
	m := &Matrix{rows: make(map[Errand]map[Kind]Cell, len(rows))}
	for _, e := range slices.Sorted(maps.Keys(rows)) {
		if err := validErrand(e); err != nil {
			return nil, err
		}
		row := make(map[Kind]Cell, len(rows[e]))
		for _, k := range slices.Sorted(maps.Keys(rows[e])) {
			c := rows[e][k]
			if err := validCell(e, k, c); err != nil {
				return nil, err
			}
			row[k] = c
		}
		m.rows[e] = row
	}
	return m, nil
}

func validErrand(e Errand) error {
	if e == "" || len(e) > 64 {
		return carecontact.Invalid(ErrInvalidMatrix, "errands", "an errand name must be 1 to 64 characters")
	}
	for _, r := range string(e) {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return carecontact.Invalid(ErrInvalidMatrix, fmt.Sprintf("errands[%q]", e), "a name may hold only a-z, 0-9 and _")
		}
	}
	return nil
}

func validCell(e Errand, k Kind, c Cell) error {
	where := fmt.Sprintf("errands[%q][%q]", e, k)
	switch {
	case !k.Valid():
		return carecontact.Invalid(ErrInvalidMatrix, where, "unknown channel")
	case !c.Identity.Valid():
		return carecontact.Invalid(ErrInvalidMatrix, where+".identity", "unknown level")
	case !c.Suitable && c.Reason == "":
		return carecontact.Invalid(ErrInvalidMatrix, where+".reason", "is required when suitable is false")
	case len(c.Reason) > 500 || !utf8.ValidString(c.Reason):
		return carecontact.Invalid(ErrInvalidMatrix, where+".reason", "must be valid UTF-8 of at most 500 bytes")
	}
	return nil
}

// Suitable reports whether errand e may be handled in channel k and, when it
// may not, why. An errand or channel the matrix does not configure is not
// suitable.
func (m *Matrix) Suitable(e Errand, k Kind) (ok bool, reason string) {
	c, found := m.Cell(e, k)
	if !found {
		switch {
		case !k.Valid():
			return false, fmt.Sprintf("unknown channel %q", k)
		case m.rows[e] == nil:
			return false, fmt.Sprintf("errand %q is not configured", e)
		default:
			return false, fmt.Sprintf("channel %s is not configured for errand %q", k, e)
		}
	}
	return c.Suitable, c.Reason
}

// Cell returns the configured cell for errand e in channel k.
func (m *Matrix) Cell(e Errand, k Kind) (Cell, bool) {
	c, ok := m.rows[e][k]
	return c, ok
}

// RequiredIdentity returns the identification level errand e needs in
// channel k. An unconfigured pair requires IdentityStrong, the safe default.
func (m *Matrix) RequiredIdentity(e Errand, k Kind) IdentityLevel {
	if c, ok := m.Cell(e, k); ok {
		return c.Identity
	}
	return IdentityStrong
}

// Channels returns the channels errand e may be handled in, in Kinds order.
func (m *Matrix) Channels(e Errand) []Kind {
	var out []Kind
	for _, k := range Kinds() {
		if c, ok := m.rows[e][k]; ok && c.Suitable {
			out = append(out, k)
		}
	}
	return out
}

// Errands returns the configured errands in sorted order.
func (m *Matrix) Errands() []Errand { return slices.Sorted(maps.Keys(m.rows)) }

type cellFile struct {
	Suitable *bool   `json:"suitable"`
	Reason   string  `json:"reason,omitempty"`
	Identity *string `json:"identity"`
}

// MarshalJSON writes the matrix in the format ParseMatrix reads, with every
// cell spelled out (no base).
func (m *Matrix) MarshalJSON() ([]byte, error) {
	out := map[string]any{"version": MatrixFormatVersion}
	errands := make(map[string]map[string]Cell, len(m.rows))
	for e, row := range m.rows {
		r := make(map[string]Cell, len(row))
		for k, c := range row {
			r[string(k)] = c
		}
		errands[string(e)] = r
	}
	out["errands"] = errands
	return json.Marshal(out)
}

// ParseMatrix reads a suitability matrix from its JSON configuration:
//
//	{
//	  "version": 1,
//	  "base": "defaults",
//	  "errands": {
//	    "lab_results": {
//	      "chat":  {"suitable": true, "identity": "strong"},
//	      "video": {"suitable": false, "reason": "results are given by phone or message", "identity": "strong"}
//	    }
//	  }
//	}
//
// "version" must be 1. "base" is optional: "defaults" starts from
// DefaultMatrix and lets the file override single cells and add errands;
// absent or "" starts empty. Every cell needs "suitable" and "identity"
// ("none", "weak" or "strong"), and "reason" when "suitable" is false.
// Unknown fields, channels and levels are errors that name the errand and
// channel; a parse either returns a whole matrix or an error, never part of
// one.
func ParseMatrix(data []byte) (*Matrix, error) {
	var f struct {
		Version *int                                  `json:"version"`
		Base    string                                `json:"base"`
		Errands map[string]map[string]json.RawMessage `json:"errands"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, carecontact.Invalid(ErrInvalidMatrix, "matrix", err.Error())
	}
	if dec.More() {
		return nil, carecontact.Invalid(ErrInvalidMatrix, "matrix", "trailing data after the JSON object")
	}
	if f.Version == nil || *f.Version != MatrixFormatVersion {
		return nil, carecontact.Invalid(ErrInvalidMatrix, "version", fmt.Sprintf("must be %d", MatrixFormatVersion))
	}
	rows := map[Errand]map[Kind]Cell{}
	switch f.Base {
	case "":
	case "defaults":
		for e, row := range defaultRows() {
			rows[e] = maps.Clone(row)
		}
	default:
		return nil, carecontact.Invalid(ErrInvalidMatrix, "base", fmt.Sprintf("must be \"defaults\" or empty, got %q", f.Base))
	}
	for _, es := range slices.Sorted(maps.Keys(f.Errands)) {
		e := Errand(es)
		if err := validErrand(e); err != nil {
			return nil, err
		}
		if rows[e] == nil {
			rows[e] = map[Kind]Cell{}
		}
		for _, ks := range slices.Sorted(maps.Keys(f.Errands[es])) {
			where := fmt.Sprintf("errands[%q][%q]", es, ks)
			k, err := ParseKind(ks)
			if err != nil {
				return nil, carecontact.Invalid(ErrInvalidMatrix, where, "unknown channel")
			}
			var cf cellFile
			cd := json.NewDecoder(bytes.NewReader(f.Errands[es][ks]))
			cd.DisallowUnknownFields()
			if err := cd.Decode(&cf); err != nil {
				return nil, carecontact.Invalid(ErrInvalidMatrix, where, err.Error())
			}
			if cf.Suitable == nil {
				return nil, carecontact.Invalid(ErrInvalidMatrix, where+".suitable", "is required")
			}
			if cf.Identity == nil {
				return nil, carecontact.Invalid(ErrInvalidMatrix, where+".identity", "is required")
			}
			lvl, err := ParseIdentityLevel(*cf.Identity)
			if err != nil {
				return nil, carecontact.Invalid(ErrInvalidMatrix, where+".identity", "must be none, weak or strong")
			}
			rows[e][k] = Cell{Suitable: *cf.Suitable, Reason: cf.Reason, Identity: lvl}
		}
	}
	return NewMatrix(rows)
}
