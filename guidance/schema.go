package guidance

import (
	"fmt"
	"maps"
	"slices"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Variables that the library's own text keys use.
const (
	VarAreaName        = "area_name"        // the service area's name, from its channel configuration
	VarOpeningHours    = "opening_hours"    // the channel's service hours in the area
	VarCallbackWindow  = "callback_window"  // the promised callback window, e.g. "klo 13–15"
	VarServiceName     = "service_name"     // an e-bookable service's name
	VarAppointmentTime = "appointment_time" // a booked time, formatted by the host
	VarChannelName     = "channel_name"     // a channel's name in the client's language
)

// Text keys of the default schema.
const (
	// KeyAdviceIntro opens the channel advice (vars: area_name).
	KeyAdviceIntro = "advice.intro"
	// KeyAdviceEmergency is shown instead of channels for an emergency.
	KeyAdviceEmergency = "advice.emergency"
	// KeyEBookingBefore is shown before a client books a service
	// (vars: area_name, service_name).
	KeyEBookingBefore = "ebooking.before"
	// KeyEBookingConfirmed confirms a booking (vars: area_name,
	// service_name, appointment_time; appointment_time is required).
	KeyEBookingConfirmed = "ebooking.confirmed"
	// KeyCallbackRequested confirms a callback request (vars: area_name,
	// callback_window; callback_window is required).
	KeyCallbackRequested = "callback.requested"
	// KeyDuplicateWaiting tells a client who contacts again that they are
	// already waiting in another channel (vars: channel_name, required).
	KeyDuplicateWaiting = "duplicate.waiting"
	// KeyVideoInvitation invites a client to a video meeting (vars:
	// area_name, appointment_time; appointment_time is required).
	KeyVideoInvitation = "video.invitation"
)

// AdviceKey returns the key of the text shown with channel k in channel
// advice, "advice.<kind>" (vars: area_name, opening_hours, and for
// e-booking also service_name).
func AdviceKey(k channel.Kind) string { return "advice." + string(k) }

// KeyDef declares a text key: which variables its translations may use and
// which of them every translation must use.
type KeyDef struct {
	Key      string
	Vars     []string
	Required []string
	Doc      string
	// Sample holds example values of the key's variables, per variable
	// and language, that Guide.Preview fills in where the caller gives
	// none. Optional.
	Sample map[string]Localized
}

// Schema is the set of text keys a content set may contain. Loading content
// with a key the schema does not declare, a variable the key does not
// declare, or a translation that leaves out a required variable is an error.
// A Schema is immutable and safe for concurrent use.
type Schema struct {
	keys map[string]KeyDef
}

// NewSchema returns a schema of defs. Keys must be unique and well formed,
// variable names valid, and Required a subset of Vars.
func NewSchema(defs ...KeyDef) (*Schema, error) {
	return (&Schema{}).With(defs...)
}

// With returns a copy of s extended by defs (for a host's own keys).
func (s *Schema) With(defs ...KeyDef) (*Schema, error) {
	out := &Schema{keys: maps.Clone(s.keys)}
	if out.keys == nil {
		out.keys = map[string]KeyDef{}
	}
	for _, d := range defs {
		if !validKey(d.Key) {
			return nil, fmt.Errorf("%w: schema key %q is not a dotted lower-case name", ErrInvalid, truncate(d.Key, 40))
		}
		if _, dup := out.keys[d.Key]; dup {
			return nil, carecontact.Invalid(ErrInvalid, "schema.keys", fmt.Sprintf("%q declared twice", d.Key))
		}
		for _, v := range d.Vars {
			if !validVarName(v) {
				return nil, fmt.Errorf("%w: schema key %q: bad variable name %q", ErrInvalid, d.Key, truncate(v, 40))
			}
		}
		for _, v := range d.Required {
			if !slices.Contains(d.Vars, v) {
				return nil, fmt.Errorf("%w: schema key %q: required variable %q is not among its vars", ErrInvalid, d.Key, v)
			}
		}
		for v := range d.Sample {
			if !slices.Contains(d.Vars, v) {
				return nil, fmt.Errorf("%w: schema key %q: sample variable %q is not among its vars", ErrInvalid, d.Key, truncate(v, 40))
			}
		}
		d.Sample = maps.Clone(d.Sample)
		d.Vars = slices.Sorted(slices.Values(d.Vars))
		d.Required = slices.Sorted(slices.Values(d.Required))
		out.keys[d.Key] = d
	}
	return out, nil
}

// Key returns the definition of key.
func (s *Schema) Key(key string) (KeyDef, bool) {
	d, ok := s.keys[key]
	return d, ok
}

// Keys returns every definition, sorted by key.
func (s *Schema) Keys() []KeyDef {
	out := make([]KeyDef, 0, len(s.keys))
	for _, k := range slices.Sorted(maps.Keys(s.keys)) {
		out = append(out, s.keys[k])
	}
	return out
}

// DefaultSchema returns the schema of the library's own text keys: the
// advice texts per channel kind, the advice intro and emergency texts, and
// the texts of the booking, callback, video and duplicate-demand flows.
func DefaultSchema() *Schema {
	defs := []KeyDef{
		{Key: KeyAdviceIntro, Vars: []string{VarAreaName}, Doc: "Opens the channel advice."},
		{Key: KeyAdviceEmergency, Doc: "Shown instead of channels when the situation is an emergency."},
		{Key: KeyEBookingBefore, Vars: []string{VarAreaName, VarServiceName}, Doc: "Shown before the client books."},
		{Key: KeyEBookingConfirmed, Vars: []string{VarAreaName, VarServiceName, VarAppointmentTime}, Required: []string{VarAppointmentTime}, Doc: "Confirms a booking."},
		{Key: KeyCallbackRequested, Vars: []string{VarAreaName, VarCallbackWindow}, Required: []string{VarCallbackWindow}, Doc: "Confirms a callback request and its promised window."},
		{Key: KeyDuplicateWaiting, Vars: []string{VarChannelName}, Required: []string{VarChannelName}, Doc: "Tells a client they already wait in another channel."},
		{Key: KeyVideoInvitation, Vars: []string{VarAreaName, VarAppointmentTime}, Required: []string{VarAppointmentTime}, Doc: "Invites a client to a video meeting."},
	}
	for _, k := range channel.Kinds() {
		vars := []string{VarAreaName, VarOpeningHours}
		if k == channel.EBooking {
			vars = append(vars, VarServiceName)
		}
		defs = append(defs, KeyDef{Key: AdviceKey(k), Vars: vars, Doc: "Shown with channel " + string(k) + " in channel advice."})
	}
	s := &Schema{keys: make(map[string]KeyDef, len(defs))}
	for _, d := range defs {
		slices.Sort(d.Vars)
		slices.Sort(d.Required)
		s.keys[d.Key] = d
	}
	return s
}

// validKey reports whether s is a dotted lower-case name such as
// "advice.e_booking".
func validKey(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	prevDot := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if prevDot {
				return false
			}
			prevDot = true
		case c >= 'a' && c <= 'z', c == '_' && !prevDot, c >= '0' && c <= '9' && !prevDot:
			prevDot = false
		default:
			return false
		}
	}
	return !prevDot
}

// validID reports whether s is an identifier of an area, service, group,
// errand or checklist item: lower-case letters, digits, '-', '_' and '.',
// starting with a letter or digit, at most 64 bytes.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			continue
		}
		if i > 0 && (c == '-' || c == '_' || c == '.') {
			continue
		}
		return false
	}
	return true
}
