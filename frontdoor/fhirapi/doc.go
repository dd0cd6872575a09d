// Package fhirapi is a FHIR R4 scheduling API over booking: an
// http.Handler a host mounts under its FHIR base URL.
//
// # Interactions
//
//   - GET metadata: the CapabilityStatement.
//   - GET Slot: search for free slots (searchset Bundle). Parameters:
//     service-type (required, a token of the library's service code
//     system, fhir.ServiceSystem<area>|<code>), start (ge, gt, le, lt; the
//     window of slot starts), schedule (Schedule/<calendar>, the first
//     participant), status (only free: the booker searches free slots) and
//     appointment-type (a channel token; a service of another channel has
//     no slots), _count.
//   - GET Appointment/<id>: read, with ETag W/"<version>" and
//     meta.versionId.
//   - GET Appointment: search a client's appointments. Parameters: patient
//     (required: the booker lists appointments by client), actor (a
//     participant calendar), date (ge, gt, le, lt, eq on the start) and
//     status.
//   - GET or POST Appointment/$find, $hold and $book, shaped as the IHE
//     ITI Scheduling operations (https://profiles.ihe.net/ITI/Scheduling/):
//     $find (start, end, service-type, patient; GET parameters or a
//     Parameters resource) answers proposed Appointments in a searchset
//     Bundle; $hold takes one of them back as the appointment-resource
//     parameter and holds its time (booking.Booker.Hold, status pending);
//     $book confirms a hold named by appointment-reference (or the
//     appointment-resource of a hold) with booking.Booker.Confirm, or books
//     an appointment-resource directly with booking.Booker.Book. The
//     proposals of $find are not stored, so $hold needs the resource, not
//     a reference.
//   - POST to the base: a transaction Bundle of a booking change, as
//     fhir.Mapping.ImportBookingTransaction reads it (one Appointment PUT
//     and the Slots it takes as busy and frees as free, as
//     fhir.ExportBookingTransaction writes them). A new appointment is
//     booked (status booked, booking.Booker.Book) or held (pending,
//     booking.Booker.Hold); a stored one, whose request's If-Match names its
//     current version (else 412), is confirmed (booked from pending at the
//     same time, booking.Booker.Confirm) or cancelled (booking.Booker.Cancel
//     with the cancelationReason text). The slots must lie within the
//     appointment's time (taken: the new, freed: the stored). A reschedule
//     is refused: the booker stores it as a new appointment, not a PUT of
//     the same one. The answer is a transaction-response Bundle, an entry
//     per request entry in their order, the appointment's with the stored
//     resource, its location and ETag.
//
// # If-Match
//
// $book of an existing hold honours If-Match: a version other than the
// appointment's current one is refused with 412 Precondition Failed before
// anything changes.
//
// # Access and audit
//
// Config.Requester tells who asks (the host authenticates); every request
// goes through the booker with that requester, so the booker's access
// model and audit apply to each: a client reads and books only their own
// appointments, and reads and refusals are audited. A request whose
// requester the host cannot tell gets 401.
//
// # Errors
//
// Every error is an OperationOutcome (fhir.OperationOutcome) with the HTTP
// status of its kind: 400 for bad input, naming the parameter or element,
// 401, 403, 404, 405, 409, 412, 422 and 503.
package fhirapi
