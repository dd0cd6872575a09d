package carecontact

// The identifiers several packages share. Each is an opaque string chosen by
// the host; none is ever a personal identity code, a name or a phone number.
// Packages use these types directly, so a value keeps its form from the
// host's request through routing, callbacks, sessions and bookings.

// AreaID identifies a health-station area (terveysasema-alue) or a service
// area of a wellbeing-services county.
type AreaID string

// TeamID identifies a care team.
type TeamID string

// ProfessionalID identifies a professional: a staff member's ID in the
// host's directory, never a personal identity code.
type ProfessionalID string

// ClientRef is a client's pseudonymous reference: an opaque string, never a
// personal identity code or a phone number.
type ClientRef string

// ItemID identifies one unit of work in routing's queues: a contact, a due
// callback or a chat. Hosts choose it, typically the ID of the session the
// contact belongs to; the callback planner derives one per dispatch.
type ItemID string
