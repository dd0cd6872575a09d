// Package web is the HTTP layer of the reference host: a JSON API over a
// frontdoor.Door (contacts, the desk, accept, decline and close, and
// self-booking), the professional's desk page kept live over server-sent
// events, and the client's callback page in Finnish, Swedish and English.
//
// New returns the http.Handler. Professionals sign in through an
// Authenticator; who they are, their teams and grants come from the
// server's carecontact.StaffDirectory, never from the request. Errors are
// RFC 9457 problem details (application/problem+json) with the status of
// the error's root kind (carecontact.HTTPStatus). Refused access (401 and
// 403) is recorded in the audit log as "web.refused". POSTs that create
// (contacts, booking holds and confirmations) take an Idempotency-Key
// header: a repeat with the same key gets the first answer. Public client
// endpoints are rate limited per remote address by a token bucket. Every
// response carries secure headers; page forms carry a CSRF token and the
// API's cookie-authenticated POSTs need it in the X-CSRF-Token header.
// No personal data travels in a URL: client references and phone numbers
// are in request bodies only, and logs name the route pattern, never the
// path.
//
// The API is described by the OpenAPI 3.1 document served at
// /openapi.json (openapi.json in this package).
package web
