// Package fhir maps booking's calendars, slots, appointments, waitlist
// entries and appointment responses to FHIR R4 (http://hl7.org/fhir/R4)
// JSON and back.
//
// # Model
//
// ExportSchedule, ExportSlot and ExportAppointment write a Schedule, a Slot
// and an Appointment. ImportSchedule, ImportSlot and ImportAppointment read
// them, from this package or from another system. Standard elements carry
// what FHIR has a place for. The rest travels in extensions under
// ExtensionBase: the service area, further participants of a slot, the
// block type, pre-question answers, the guidance version, the hold's
// expiry and the late-cancellation mark. The national status travels in
// HL7 Finland's extension (see National codes). The client is the Patient
// participant, by pseudonymous reference.
//
// # Actors
//
// Reference targets follow R4. A Schedule's actor is a Practitioner, a
// HealthcareService (a team) or a Location (a resource). An Appointment's
// other participants are their owners too when ExportAppointment is given
// their calendars. Without its calendar a participant is a logical
// reference by identifier of CalendarSystem. Import accepts Patient,
// Practitioner, PractitionerRole, RelatedPerson, Device, HealthcareService
// and Location. It refuses Schedule, CareTeam and other types with an
// *Error naming the field. A RelatedPerson participant is accepted and kept
// as it came (see Participants).
//
// # Schedules
//
// ImportSchedule reads every actor into ScheduleInfo.Actors, each with its
// own type and id. An actor known by identifier only (one of
// CalendarSystem names its calendar) or by a contained "#id" (of a type
// R4 allows there), and an actor's Reference.type, are kept as they came,
// as for Appointment participants. ExportScheduleInfo writes a ScheduleInfo back: a
// foreign Schedule without an area, with several actors or with active
// false comes back as it came. ExportSchedule still writes a calendar's
// own Schedule.
//
// # Details
//
// Details hold what an Appointment has and booking.Appointment does not.
// ImportAppointmentDetails reads them and ExportAppointmentDetails writes
// them. They are each participant's participant.status and
// participant.required, every participant as it came, the codings of the
// cancellation reason, the precision of created (a date-only created stays
// date-only), the national codings as they came, and the elements and
// extensions the mapping does not read (identifier, text, meta, comment,
// slot, requestedPeriod and the like), which are written back unchanged.
// SlotDetails and ScheduleInfo keep a Slot's and a Schedule's the same way.
// A modifierExtension is refused: the mapping does not understand it. So
// is implicitRules, R4's other modifier of a whole resource.
//
// # Participants
//
// A participant is the client (a Patient reference, an actor of type
// Patient or an identifier of PersonalIdentitySystem), a calendar (a
// reference to one of the calendar types, relative, absolute or
// versioned, or a logical reference of CalendarSystem) or another
// participant, kept as it came: a RelatedPerson, one known only by its type
// (R4 invariant app-1), by a display text, by a contained "#id" reference
// or by an identifier of another system. Two participants of the same
// id and different types (Practitioner/x and Location/x) are two
// resources: the first is calendar x (the booking model has one calendar
// of an ID), the other is kept as it came, with its type, status and
// required; the same type twice (or an untyped logical reference of
// CalendarSystem beside a typed one) is refused as the same participant
// twice. A local "#id" reference anywhere
// in an imported resource must name one of its contained resources (R4
// invariant ref-1), or the import is refused naming it; the contained
// resources are kept and exported as they came. A client known only by identifier
// gets its Client from Config.ClientByIdentifier, if the host gives one;
// the identifier never appears in an error and Identifier's String leaves
// the value out. Export writes the participants in the order they came;
// a calendar no longer on the appointment is left out, a new one
// appended, and a Patient reference to another client replaced.
// ExportAppointment writes DefaultParticipation: a pending hold needs
// action from the client and holds the calendars tentatively, a proposed
// appointment needs action from everyone, a waitlist entry needs action
// from the calendars. Import refuses a participant without a status or with
// a value R4 does not bind.
//
// # Services
//
// The area and the service travel as one serviceType coding of
// ServiceSystem<area>. A Slot or an Appointment without it is accepted and
// has no area and service, unless a coding of another system is one the
// host mapped to a service (Config.Services). Codings of other systems are
// kept, in SlotDetails and Details, and exported after the library's own
// (a mapped one stands for the service). When the host maps codings to a
// service and none came (an appointment, slot or wait entry the library
// made), export writes the mapped codings (the THL service code, say)
// beside the library's own in the same concept, and import takes them as
// part of it, so the resource round-trips unchanged. A second, different
// coding of ServiceSystem is refused.
//
// # Slots
//
// SlotDetails keep what a Slot has beyond booking.Slot. Its id is kept as
// it came and exported unchanged, so references to the slot hold.
// Identifiers, serviceCategory, specialty, appointmentType (with the
// national visit channel), overbooked and comment are kept as they came.
// Without an id the exporter derives one from the first participant and
// the start.
//
// # Cancellation
//
// A cancelationReason's text is booking.Appointment.CancelReason and its
// codings with a code are booking.Appointment.CancelCodes (system, code
// and display), so a coded reason without text is a reason too; Details
// keep the codings as they came (version, userSelected, one without a
// code) and export writes them back with the codes booking added.
// Only a cancelled appointment has a cancelationReason. R4 invariant app-4
// allows it on status 'no-show' too, but that is not a code of
// appointmentstatus ('noshow' is), so as the official definition is
// written, a noshow appointment with a cancelationReason is invalid R4 and
// an R4 validator refuses it. Export leaves the reason out for any status
// but cancelled (a noshow, or after cancel then entered-in-error); import
// refuses it on other statuses.
//
// # IDs
//
// A FHIR id is [A-Za-z0-9-.]{1,64}. Internal IDs are escaped to fit: letters,
// digits and '-' stay, any other byte becomes '.' and two upper-case hex
// digits ("hki_nurse_1" is exported as "hki.5Fnurse.5F1"). Import reverses
// the escape. A valid id that is not such an escape (a foreign "a.b") is
// kept as it is. An ID longer than 64 characters once escaped is refused
// with an *Error naming the field.
//
// R4 id is 0..1: a resource a create (POST) sends may have none, for the
// server to name. ImportSlot, ImportAppointment and
// ImportAppointmentResponse read such a resource with an empty ID (a
// Schedule, which is a calendar, needs its id). ExportSlot names an
// id-less slot (see Slots); ExportAppointment and
// ExportAppointmentResponse refuse an empty ID naming the id, until the
// store has named the resource. In a transaction a PUT (update) of a
// resource without id is refused naming Bundle.entry[n].resource.id, and
// ImportBookingTransaction reads a POST of an Appointment (without
// If-Match) as a new booking.
//
// # Times
//
// An appointment without times (a waitlist entry) is exported without
// start and end. Only proposed, cancelled and waitlist appointments may
// lack them (R4 invariant app-3). A zero created time is left out.
//
// # Extension values
//
// Extension values have their FHIR types. late-cancellation is a
// valueBoolean and hold-until a valueInstant. Import refuses the string
// forms that earlier versions wrote. ExtensionDefinitions returns the
// StructureDefinition of each of the library's extensions; the tests
// validate every resource the library writes against them and against the
// R4 definitions of the resources (element names, cardinality, types,
// required bindings, reference targets and the invariants app-1 … app-4
// and bdl-1 … bdl-5).
//
// # Waitlist and versions
//
// ExportWaitEntry writes a waitlist entry as an Appointment with status
// waitlist, no times, the client as its one participant and the wanted
// window as requestedPeriod (both ends, a start only for an open-ended
// window, or an end only); ImportWaitEntry reads it back, a date, month
// or year in Europe/Helsinki (an end to the end of that day, month or
// year, which R4's end includes; written back so while the bound is
// still that day's). A Mapping's
// ImportWaitEntry reads a foreign serviceType coding the host mapped
// (Config.Services) as ImportAppointment does; an Appointment without
// serviceType (HL7 Finland's Appointment01Waitlisted) gives an entry
// without area and service. ImportWaitEntryDetails keeps what
// booking.WaitEntry does not hold (WaitDetails): the foreign codings, the
// precision of created (a date-only created comes back as a date), the
// participants as they came with the client's participant.status and
// required (needs-action and optional stay so), the national status and
// other extensions on status, the foreign extensions, and the elements
// the mapping does not read (identifier, comment, meta and the like);
// ExportWaitEntryDetails writes them back, so an entry comes back with no
// element lost, changed or invented. A cancelationReason (app-4) or more
// than one requestedPeriod is refused with an *Error naming the element.
// SetVersionID
// puts the store's version in meta.versionId, for a FHIR API's ETag and
// If-Match; SetMeta also puts when the store last changed the resource in
// meta.lastUpdated.
//
// # Bundles
//
// SearchsetBundle wraps search results in a searchset Bundle.
// ExportBookingTransaction writes a booking change as a transaction
// Bundle: a PUT of the appointment (with If-Match on the version it
// replaces) and of each slot it takes (busy) or frees (free). A resource
// is in a searchset once (R4 invariant bdl-7).
//
// ImportSearchset and ImportTransaction read such bundles from the library
// or another system: each entry's resource through the importer of its
// type (Schedule, Slot, Appointment, AppointmentResponse; a searchset's
// OperationOutcome of mode outcome is kept as it came), with its fullUrl,
// search mode or request. A transaction entry's request is checked
// against its resource (a PUT's url is Type/id of the resource, a POST's
// Type; If-Match is an ETag W/"version"). ImportBookingTransaction reads
// the transaction ExportBookingTransaction writes as a BookingChange: the
// appointment (its Version from meta.versionId), the version it replaces
// (If-Match) and the slots taken and freed. A refusal is an *Error naming
// the entry's element, e.g. "Bundle.entry[2].resource.schedule.reference".
//
// # Responses
//
// ImportAppointmentResponse and ExportAppointmentResponse read and write an
// AppointmentResponse (see Response): its responder is the client, a
// calendar or someone kept as they came. A response with neither actor
// nor participantType (R4 invariant apr-1) is refused by both, naming
// AppointmentResponse.actor.
//
// # National codes
//
// The national appointment status (THL Ajanvarauksen tila) travels in HL7
// Finland's Finnish Scheduling extension NationalStatusExtension on
// Appointment.status (JSON "_status"). Import keeps the national coding
// as it came (HL7 Finland's ConceptMaps map several national codes to one
// FHIR status, e.g. 6 Alkanut and 7 Toteutunut to fulfilled) and export
// writes it back while the status is unchanged; otherwise export writes
// the status's own code. The visit channel (THL Asiointitapa) is written
// with NationalVisitChannelSystem, the system the Finnish Scheduling
// appointment profile fixes; the urn:oid: form is read too.
//
// A Mapping (see New and Config) holds the national visit-channel codes a
// host has verified. The package-level functions use the defaults: only
// the in-person code that a public source confirms.
//
// # Conformance
//
// A resource the booking model cannot hold is refused with an *Error; an
// Appointment needs a client and at least one calendar participant (HL7
// Finland's waitlist example with only a patient is refused by
// ImportAppointment with "Appointment.participant"; ImportWaitEntry reads
// it as a waitlist entry). A participant (or an AppointmentResponse
// actor) that is a local reference "#id" is classified by the type of the
// contained resource it names: a contained Patient is the client, known by
// its identifier of PersonalIdentitySystem through
// Config.ClientByIdentifier, or absent (kept in Details) as for a Patient
// known by identifier only; any other contained type R4 allows is kept as
// it came, one R4 forbids is refused. The identity code never appears in
// an error. A urn:uuid reference is classified by its Reference.type,
// except in a transaction (ImportTransaction, ImportBookingTransaction):
// there a reference to the fullUrl of a Patient entry (POST Patient, or
// PUT Patient/id) is that Patient, as R4 transaction processing resolves
// it: the client of the PUT's id, or of its identifier (of
// PersonalIdentitySystem first) through Config.ClientByIdentifier, and
// Details have the reference resolved to Patient/id. The entry is
// BundleEntry.Patient, without its identifiers.
// A modifierExtension anywhere in a resource (the resource's own, a
// participant's, a contained resource's, one in an element kept as it
// came) is refused naming the element that has it: R4 forbids ignoring a
// modifier extension that is not understood. Extensions on the resource,
// on Appointment.status (_status) and inside elements kept as they came
// (Details.Elements, contained resources) are kept, and so are the ids
// and plain extensions of the elements the importers read into Go types:
// those on Appointment.participant (Participant.ID and Extension), on
// Reference, Coding, CodeableConcept, Identifier and Period values (their
// ID and Extension fields; a Schedule actor's in ScheduleActor, its
// planningHorizon's in ScheduleInfo, a cancelationReason's in Details),
// and the id of _status (Details.StatusID). So are the extensions of
// primitives inside them, their JSON "_name" siblings ("_status" and
// "_required" of a participant, "_reference" of a Reference, "_code" of a
// Coding, "_text" of a CodeableConcept, "_start" of a Period, "_value" of
// an Identifier: the fields ending in Element). They are opaque JSON,
// written back as they came.
// Schedule.planningHorizon is read as the Period of dateTimes R4 makes
// it: either end may be absent (an open-ended horizon) and either may be
// a year, a month or a date only; ScheduleInfo keeps the precisions and
// ExportScheduleInfo writes them back. An end before the start (per-1) is
// refused.
// A Slot.schedule or an AppointmentResponse.appointment that is a
// contained resource ("#id") or known by identifier only is refused naming
// its reference: neither names a calendar or an appointment the store
// holds.
// Instants (start, end, created, hold-until, planningHorizon, meta) are
// written in UTC with their fractional seconds when they have any, so
// sub-second precision survives a round trip. An Appointment's, a Slot's
// and a wait entry's start, end and created come back written as they
// came ("12:00:00+02:00", "07:00:00.500Z") while they are still the same
// instant (Details.Times, SlotDetails.Times, WaitDetails.Times, and a
// Schedule's planningHorizon in ScheduleInfo.HorizonTimes); a time
// the host changed is written in UTC.
// OperationOutcome writes any error as a FHIR
// OperationOutcome with the element at fault as its expression and the
// HTTP status that goes with it.
//
// # Concurrency
//
// A Mapping is read-only once built and safe for concurrent use. The
// functions keep no state.
//
// # Errors
//
// Bad input gets an *Error that names the offending element (e.g.
// "Appointment.participant[1].actor.reference"). The error names the
// element, not its value: codes (statuses, participation, types),
// references, identifiers, instants and request urls are not quoted, so
// an identity code put in the wrong place does not reach a log. Every error from bad input
// matches booking.ErrInvalid and through it carecontact.ErrInvalid.
package fhir
