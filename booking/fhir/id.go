package fhir

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxID is the longest FHIR R4 id: [A-Za-z0-9\-\.]{1,64}.
const maxID = 64

// idChar reports whether c may stand for itself in an exported id. The dot
// is a FHIR id character but is kept for the escape.
func idChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// escapeID maps an internal ID to a FHIR id: letters, digits and '-' stay,
// every other byte becomes '.' and two upper-case hex digits
// ("hki_nurse_1" is "hki.5Fnurse.5F1").
func escapeID(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		if c := id[i]; idChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, ".%02X", c)
		}
	}
	return b.String()
}

// exportID returns the FHIR id of an internal ID; an empty ID or one longer
// than 64 characters once escaped is refused, naming the field but not the
// value.
func exportID(field, id string) (string, error) {
	if id == "" {
		return "", fhirErr(field, "is empty")
	}
	s := escapeID(id)
	if len(s) > maxID {
		return "", fhirErr(field, "is %d characters as a FHIR id, more than %d", len(s), maxID)
	}
	return s, nil
}

// validID reports whether s matches the FHIR R4 id pattern.
func validID(s string) bool {
	if s == "" || len(s) > maxID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !idChar(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// importID returns the internal ID of a FHIR id. An id escapeID could have
// written is unescaped; any other valid id (a foreign "a.b") is kept as it
// is. An invalid id is refused.
func importID(field, s string) (string, error) {
	if !validID(s) {
		return "", fhirErr(field, "is not a FHIR id ([A-Za-z0-9-.]{1,64})")
	}
	if !strings.Contains(s, ".") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '.' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return s, nil
		}
		var c byte
		if _, err := fmt.Sscanf(s[i+1:i+3], "%02X", &c); err != nil {
			return s, nil
		}
		b.WriteByte(c)
		i += 2
	}
	if u := b.String(); utf8.ValidString(u) && escapeID(u) == s {
		return u, nil
	}
	return s, nil
}

// InternalID returns the internal ID a FHIR id stands for: the reverse of
// the escape the exporters apply ("hki.5Fnurse.5F1" is "hki_nurse_1"). A
// FHIR API reads the ids of its URLs and references with it. An invalid
// FHIR id is an *Error naming field.
func InternalID(field, id string) (string, error) { return importID(field, id) }
