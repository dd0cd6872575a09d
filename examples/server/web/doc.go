// Package web is the HTTP layer of the reference host: a JSON API over a
// frontdoor.Door (contacts, the client's chat messages and withdrawal; the
// desk; accept, decline, identify, switch to video, invite, chat, transfer
// and close; self-booking; the guidance workflow), the professional's desk
// page kept live over server-sent events with a link to the video room,
// the guidance editor (a worklist per person, previews in fi, sv and en
// with sample data, a word diff against the published text, drafts and
// workflow steps; roles from the staff directory's grants, see
// StaffRoles), Prometheus metrics at /metrics, and the client's chat
// (channel advice for an errand and a postal code, a chat routed by the
// postal code, messages both ways, withdrawal), callback and booking
// pages in Finnish, Swedish and English.
//
// New returns the http.Handler. Professionals sign in through an
// Authenticator; who they are, their teams and grants come from the
// server's carecontact.StaffDirectory, never from the request. Clients are
// identified by an Identifier (the host's strong identification; the demo
// simulates one).
//
// Errors are RFC 9457 problem details (application/problem+json) with the
// status of the error's root kind (carecontact.HTTPStatus). Refused access
// (401 and 403) is recorded in the audit log as "web.refused", naming the
// route pattern. POSTs that create (contacts, booking holds and
// confirmations, guidance drafts, the callback and chat pages' forms)
// take an idempotency key: a repeat with the same key gets the first
// answer. A professional's keys are theirs alone.
//
// Public client endpoints and sign-in are rate limited per remote address
// by a token bucket. Every response carries secure headers (a strict Content Security
// Policy among them). Page forms carry a CSRF token; the API's
// cookie-authenticated POSTs need it in the X-CSRF-Token header, and JSON
// endpoints take only application/json. No personal data travels in a URL:
// client references and phone numbers are in request bodies only, and logs
// name the route pattern, never the path.
//
// Reads of client data the door does not audit itself are audited here:
// each read of a chat conversation is "web.chat_read" with the reader and
// the client.
//
// Sign-in sessions, idempotency keys, rate-limit buckets, the hub's
// callback windows, the demo chat (Conversations) and the metrics live in
// this process's memory: several replicas behind one address need sticky
// sessions or a shared store for them, and each is scraped on its own.
//
// The API is described by the OpenAPI 3.1 document served at
// /openapi.json (openapi.json in this package).
package web
