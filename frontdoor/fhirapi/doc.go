// Package fhirapi is a FHIR R4 scheduling API over booking: an
// http.Handler a host mounts under its FHIR base URL.
//
// # Interactions
//
//   - GET metadata: the CapabilityStatement (kind instance, FHIR 4.0.1),
//     dated CapabilityDate, the date of the API the handler implements
//     (a constant changed with the capability, not the build's time).
//   - GET Slot: search for free slots (searchset Bundle). Parameters:
//     service-type (required: a token of the library's service code
//     system, fhir.ServiceSystem<area>|<code>, or a foreign coding the
//     host's fhir.Config.Services maps; the service is looked up as every
//     booking operation does, the governed catalogue first), start (ge,
//     gt, le, lt; the window of slot starts), schedule
//     (Schedule/<calendar>, the first participant), status (a token list:
//     the booker keeps only free slots, so a search that does not allow
//     free matches none; a code outside the Slot status value set is 400)
//     and appointment-type (a channel token of fhir.ChannelSystem, or of
//     the national visit-channel system, plain OID or urn:oid:, with a
//     code the mapping knows; a service of another channel has no slots),
//     _count (the page, default 10). POST Slot/_search with the
//     parameters form-encoded in the body (and in the query) searches the
//     same.
//   - GET Appointment/<id>: read, with ETag W/"<version>" and
//     meta.versionId, and Last-Modified and meta.lastUpdated (when the
//     store last changed it). Every Appointment the handler answers
//     carries both.
//   - GET Appointment/<id>/_history/<vid>: vread of the current version
//     only (the store keeps no older ones; the CapabilityStatement says
//     vread with readHistory false): the version the read would answer is
//     answered as the read answers it, any other is 404 naming vid, a vid
//     that is not a whole number from 1 is 400. The Location header of a
//     201 names this, absolute under Config.Base when the host sets it
//     (a transaction entry's response.location too).
//   - PUT Appointment/<id>: update, the Appointment in the state the client
//     wants, with If-Match (see below). It makes the changes the
//     transaction makes of a stored appointment, through the same code.
//     The body needs its id (400 naming Appointment.id without).
//   - POST Appointment: create, a new Appointment (booked or pending, else
//     400 naming Appointment.status) with or without an id: as R4 create
//     does, an id sent is ignored and the booker names the appointment
//     with its ID generator (booking.Config.NewID). The answer is 201 with
//     the stored appointment, its Location and ETag.
//   - GET Appointment: search a client's appointments. Parameters: patient
//     (required: the booker lists appointments by client), actor (a
//     participant calendar, Type/<id>, matched with its type: a typed
//     reference matches only the same type, Location/x is not
//     Practitioner/x; a participant exported as a logical reference of
//     fhir.CalendarSystem, which has no type, matches by its id;
//     Patient/<id> is the client), date (ge, gt, le, lt, eq on the start),
//     status and _count (the page, default all). POST Appointment/_search
//     with a form-encoded body searches the same.
//   - GET or POST Appointment/$find, $hold and $book, shaped as the IHE
//     ITI Scheduling operations (https://profiles.ihe.net/ITI/Scheduling/):
//     $find (start, end, service-type, patient; GET parameters or a
//     Parameters resource) answers proposed Appointments in a searchset
//     Bundle, for the patient named (the requester itself when a client
//     names none): the booker checks that the requester may act for
//     them (403 for another client, 400 for an id that looks like
//     personal data, never echoed) and audits the search as
//     booking.search with the requester and the patient, allowed or
//     denied (booking.SearchRequest.Client); $hold takes one of them back as the appointment-resource
//     parameter and holds its time (booking.Booker.Hold, status pending):
//     its status must be proposed, as IHE's $hold takes a proposal
//     (anything else is 400 naming Appointment.status); $book confirms a
//     hold named by appointment-reference (or the appointment-resource of
//     a hold, status pending) with booking.Booker.Confirm, or books an
//     appointment-resource of status proposed directly with
//     booking.Booker.Book (another status is 400 naming
//     Appointment.status). The
//     proposals of $find are not stored, so $hold needs the resource, not
//     a reference.
//   - POST to the base: a transaction Bundle of a booking change, as
//     fhir.Mapping.ImportBookingTransaction reads it (one Appointment PUT,
//     or POST without an id for a new one, and the Slots it takes as busy
//     and frees as free, as
//     fhir.ExportBookingTransaction writes them). The answer is a
//     transaction-response Bundle, an entry per request entry in their
//     order: the appointment's with the resource stored, its location and
//     ETag; each slot's 200 OK. With Config.Base each entry of the
//     appointment or a slot has its fullUrl, <base>/Appointment/<id> (the
//     stored appointment) or <base>/Slot/<id> (the request's url). The bundle may give the client as a
//     Patient entry (POST Patient with its identity code, or PUT
//     Patient/id) that the appointment's participant refers to by the
//     entry's fullUrl ("urn:uuid:..."): the client is the one
//     fhir.Config.ClientByIdentifier resolves the code to, or the PUT's
//     id; the entry is answered 200 OK and the code is never in an answer
//     or the audit.
//
// # Search results
//
// A search answers a searchset Bundle whose link self is the search with
// the parameters it used (R4 search.html), under Config.Base when set, and
// whose total is the number of matches, not the page: _count bounds the
// entries, total counts them all (a Slot search counts up to 1000 slots
// and leaves total out when the booker finds that many). A page with
// matches after it has a next link, one after the first a previous link:
// the search again with _offset, the number of matches the page skips (0
// to 1000; $find numbers its proposals across pages). Each page is the
// search made again, so a page may shift when slots are taken between
// requests. Parameters the search does not know, _summary and _elements
// among them, are ignored and left out of the self link, as R4's default
// handling allows; with "Prefer: handling=strict" each is 400 naming it.
// The operations ($find, $hold, $book) refuse unknown parameters.
//
// # Changes
//
// The transaction and the update make the same changes. Without If-Match
// (only in a transaction: the update requires it) a new appointment is
// booked (status booked, booking.Booker.Book) or held (pending,
// booking.Booker.Hold), answered 201; the id in its request is the
// client's placeholder, the booker names the stored appointment (the
// entry's location tells it). A change of a stored appointment
// names its version with If-Match and is, by what differs from the stored
// appointment:
//
//   - confirm: pending to booked at the same time (booking.Booker.Confirm);
//   - cancel: cancelled at the same time with a cancelationReason: its
//     text, its codings with a code, or both (booking.Booker.CancelCoded;
//     the answer carries them back; no slot taken);
//   - mark: checked-in, arrived, fulfilled, noshow or entered-in-error at
//     the same time (booking.Booker.Mark: a client may only check in,
//     fulfilled and noshow not before the start; no slot taken);
//   - reschedule: booked at a new start and end, from booked or pending
//     (booking.Booker.Reschedule; the participants may change, the
//     service and the patient may not).
//
// Anything else (a new patient or service, other participants at the same
// time, a time change with another status, no change) is refused with
// 400. Taken slots must lie within the
// appointment's new time and freed ones within the stored time (400).
// The booker refuses what its rules refuse (403, 409, 422).
//
// The handler stores what the booking model holds. An Appointment sent
// to $hold, a create, an update or a transaction with an element it does
// not hold, at any depth (comment, patientInstruction, identifier, a
// participant's type or period, an actor's display, a serviceType's text,
// a security label, a foreign extension and the like: an element at a
// path the stored appointment does not write), is refused with 400 naming
// the element's path, rather than answered 201 for what would be dropped.
// meta's versionId, lastUpdated, profile and source (the server writes its
// own meta), the narrative (text), contained resources and a participant
// actor's identifier and type (a Patient known by identifier or contained
// is the client) are accepted without being stored.
//
// # Reschedule
//
// The booker stores a reschedule as a new appointment and the old one
// cancelled with reason "rescheduled" (and replaced by the new one), in
// one store operation. The answer is 201 Created with the new appointment:
// its resource (status booked, the new time, meta.versionId 1), ETag
// W/"1" and Location <base>/Appointment/<new id>/_history/1; in a transaction
// the appointment's entry also carries, as response.outcome, an
// OperationOutcome (information) naming the old appointment, its version
// and its replacement. 201 rather than 200 with the old appointment's new
// state because what the client asked for, the appointment at the new
// time, exists only as the new resource: 201 with a Location is how FHIR
// tells a client that a resource was created where the Location says, and
// a client that follows it (or reads the entry's resource) holds the
// appointment it wanted, with the ETag of its next change. A 200 would
// answer the client's PUT with a cancelled appointment, a state the
// client never asked for. The old appointment stays readable, cancelled;
// its version moved on, so its old If-Match is stale (412).
//
// # If-Match
//
// A change of a stored appointment names the version it was made from:
// the If-Match header of the update (W/"<version>", as the ETag of a read
// gives it) or the ifMatch of the transaction's Appointment entry.
//
//   - another version than the stored one: 412 Precondition Failed, with
//     an OperationOutcome (conflict) naming If-Match or the entry's
//     request.ifMatch, before anything changes: read it again;
//   - none: 428 Precondition Required (RFC 6585) with an OperationOutcome
//     (required). FHIR R4's http page lets a server that requires If-Match
//     refuse a request without one with 412 as well; this handler answers
//     428 so that a client can tell a missing If-Match (send one) from a
//     stale one (read again). The update requires If-Match; so does a
//     transaction that cancels or marks (without one it could only be a
//     new appointment, which is never cancelled or marked);
//   - * (RFC 9110: any current version): the appointment must exist
//     (412 when it does not) and the change is made on the version the
//     booker reads, with no version named by the client;
//   - not a version: 400.
//
// $book of an existing hold honours If-Match the same way when one is
// sent; its appointment-reference is Appointment/<id>, or absolute under
// Config.Base. The version named is handed to the booker (booking.Booker.IfVersion),
// which compares it with the appointment it reads and writes with a
// compare-and-set on that read, in one operation: a change someone else
// makes at any moment before is answered 412, never overwritten.
//
// # Access and audit
//
// Config.Requester tells who asks (the host authenticates); every request
// goes through the booker with that requester, so the booker's access
// model and audit apply to each: a client reads and books only their own
// appointments, a client may only check in of the marks, and reads,
// changes and refusals are audited with the requester. A change of a
// stored appointment is audited as the read its If-Match is checked
// against and as the change (booking.confirm, booking.cancel,
// booking.reschedule with the new appointment's booking.book,
// booking.<status> of a mark). A request whose requester the host cannot
// tell gets 401; the CapabilityStatement needs none.
//
// # Formats
//
// The handler reads and answers JSON only. A request whose _format (json,
// application/fhir+json or application/json) or, without one, whose Accept
// header (those types, application/* or */*; none means any) wants no JSON
// is answered 406 Not Acceptable; a body whose Content-Type is not
// application/fhir+json or application/json (their parameters, such as
// charset and fhirVersion, are not checked) is 415 Unsupported Media Type,
// but for the form-encoded body of a POST _search. Both errors are an
// OperationOutcome in JSON.
//
// # Errors
//
// Every error is an OperationOutcome (fhir.OperationOutcome) with the HTTP
// status of its kind: 400 for bad input, naming the parameter or element,
// 401, 403, 404 (an unknown appointment, service, resource type or
// operation), 405 (with Allow), 406, 409, 412, 415, 422, 428 and 503. The
// diagnostics are the element and reason of a field error, or else the
// text of the package sentinel the error wraps (such as "booking: not
// allowed"), never the chain of wrapped internals (an audit log's failure,
// a store's message); a 500 leaves its cause out. A refusal of a request
// whose client reference looks like an identity code is still audited,
// with the client redacted.
package fhirapi
