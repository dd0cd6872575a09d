// Package guidance is the "what to tell" of a contact: client guidance texts
// that lead clients to the channel where their errand can be handled,
// channel advice for an errand, and professional checklists (technical,
// interaction, privacy) that gate actions. Professionals maintain the
// content themselves; every change goes through an approval workflow before
// clients see it.
//
// # Content
//
// A content set (Content) is written in a list of languages, the first of
// which is the default (the starter set uses fi, sv, en). It holds:
//
//   - Texts: a template per language for a text key ("callback.requested",
//     "advice.video", ...) in a scope: a service area and a service (an
//     e-bookable service ID or an errand), each optional. The Schema
//     declares the keys and, per key, the variables its templates may use
//     and those they must use. Templates are plain text with named variables
//     ("Soitamme sinulle {callback_window}."); see Template.
//   - Channel configurations: per service area (or the default), the area's
//     name and the channels it offers, in order of preference, with the
//     identification each requires, the languages and client groups served
//     and the service hours.
//   - Booking configurations: per service area (or the default), the
//     services clients may book themselves, by errand.
//   - Checklist items: per category, the actions ("leg.start",
//     "participant.invite", "close") and channels they gate.
//
// Content is validated when it is loaded, not when it is shown: an unknown
// key, a variable the key does not declare, a translation that leaves out a
// required variable, a template syntax error, an undeclared language or a
// missing default-language text is an error naming the JSON path. At run
// time a render that lacks a value is an error (ErrMissingValue), never a
// blank.
//
// # Serving: language fallback and scopes
//
// Catalog serves one moment's content. Render picks, from the most specific
// scope to the least ((area, service), (area), (service), ()), the first text
// that has a translation matching the client's languages with at least High
// confidence (golang.org/x/text/language matching, so "sv-FI" gets "sv");
// when no scope has one, the most specific text is served in the best
// remaining language, which is the default language when nothing matches.
// The language thus wins over the scope: a Swedish-speaking client gets the
// general Swedish text rather than an area's Finnish-only one. Preferences
// are language.Tag values, so any well-formed tag is accepted; a content
// set may be written in more languages than the fi, sv and en that routing
// and callback serve in, which is why guidance matches against its own
// languages. A host holding a civil.Language passes its Tag(). Output comes
// both as plain text and as an HTML fragment in which every character of
// the text and of the values is escaped with html/template's escaping.
//
// # Channel advice
//
// Catalog.Advise ranks the channels for a Situation (errand, area, client
// group, languages, the identification the client can perform, urgency):
// a channel fits when the area offers it, the suitability matrix (the
// channel package's *channel.Matrix, or any Suitability) allows it for the
// errand, it is for the client's group, the client can identify as the offer
// and the matrix require, it can serve a same-day need, and for e-booking
// the area has a bookable service for the errand. Fits come with the text to
// show; unsuitable channels with a Code and the reason. An emergency gets
// the emergency text and no channels.
//
// # Versions and the change workflow
//
// Every text, channel configuration, booking configuration and checklist
// item is an Entry with a stable subject name; each change is a new Version
// that moves
//
//	draft -> in_review -> approved -> published -> superseded
//	  (any open or published version) -> withdrawn
//
// with a Step (who, when, note) recorded for each move. Rights come from
// Roles, such as a fixed Grants (role per service area, or all areas): editors and
// managers draft, edit and submit; a reviewer of the area who did not write
// the version reviews it; a manager of the area who did not write it
// approves after a review, then publishes and may withdraw. A subject has at
// most one open version. Only published versions are served:
// Guide.Published(ctx, t) reconstructs exactly what was in service at any
// moment t, from the steps' times. Every step is an audit event
// ("guidance.draft", "guidance.approve", ...), written by the Store with the
// change; refused steps are audit events with Outcome Denied.
//
// # Change sets
//
// A change that spans several entries (a new e-bookable service, its
// booking rules and its texts in every language) is a change set: NewSet
// opens it for a service area, DraftInSet drafts its members, and
// SubmitSet, ReviewSet, ReturnSet, ApproveSet, PublishSet and WithdrawSet
// move the whole set, with the same separation of duties by person as a
// single version. A set is validated as a whole with what is published
// (an offered channel needs its advice text), published atomically,
// optionally from a set time ("from 1 March"), and RollbackSet puts back
// what it replaced. Members are prepared with steps in the set's name that
// count only once the set's own record (subject "changeset/<id>") carries
// the publication, so Published serves all of a set or none of it, and
// answers for any moment by the steps' effective times.
//
// Every rendered text carries the version it came from (Rendered.Version)
// and the language it is actually in; RenderLocalized takes values such as
// a service's name in that language. A BookableService with Rules carries
// a service's booking rules, which the front door's CatalogueServices
// gives the booking package, so advice and booking read one catalogue.
//
// # Maintaining it: previews, diffs, worklists, notifications
//
// Guide.Preview renders a draft in a language exactly as clients would
// see it once published (the published catalogue of the moment with the
// draft, and its change set's members, in place; the same renderer and
// language fallback), with the key's declared placeholders filled from
// the caller's sample values or the schema's KeyDef.Sample; it is an
// audited read. Guide.Diff compares a draft, or every member of a change
// set, with the version live now, per language, as a word diff
// (WordDiff). Guide.Worklist lists, for one professional, what waits for
// their review, approval or publication and what was returned to them
// with the returner's note, built on Guide.Allowed. Config.Events
// receives an Event (identifiers only) for every stored workflow step.
//
// # Validation messages in Finnish, Swedish and English
//
// Explain(err, lang) words each validation problem in err as a sentence in
// "fi", "sv" or "en" with the field it concerns; the errors themselves keep
// their sentinels and *carecontact.FieldError.
//
// # Import and export
//
// Decode and Encode read and write a content set as one JSON document:
//
//	{
//	  "format": "carecontact.guidance",
//	  "version": 1,
//	  "languages": ["fi", "sv", "en"],
//	  "texts": [{"key": "callback.requested", "area": "north", "service": "",
//	             "text": {"fi": "...", "sv": "...", "en": "..."}}],
//	  "channels": [{"area": "north", "area_name": {"fi": "...", ...},
//	                "offers": [{"kind": "callback", "rank": 1, "identity": "weak",
//	                            "languages": ["fi", "sv"], "groups": ["adult"],
//	                            "hours": {"fi": "ma–pe klo 8–16", ...}}]}],
//	  "booking": [{"area": "north", "services": [{"id": "flu-vaccination",
//	               "errand": "vaccination", "name": {...}, "groups": [...]}]}],
//	  "checklist": [{"id": "client-private-place", "category": "privacy",
//	                 "actions": ["leg.start"], "kinds": ["video"], "text": {...}}]
//	}
//
// Unknown JSON keys are errors. Every problem is a *FileError naming the
// file, the key (a JSON path such as "texts[3].text.sv") and the problem.
// Guide.Import brings a file in as drafts (skipping unchanged entries);
// Guide.Export writes what was published at a moment.
//
// # Concurrency
//
// Template, Schema, Catalog and Checklist are immutable and safe for
// concurrent use. Guide keeps no state of its own: every change loads the
// subject's Record and saves it with compare-and-set on its revision
// (Store.Save), retrying on conflict, so concurrent steps on one subject
// serialise and at most one of two conflicting steps wins. Nothing in the
// package starts goroutines or reads the wall clock.
//
// # Errors
//
// Sentinel errors, wrapped with context: ErrUnknownKey, ErrUnknownVariable,
// ErrMissingVariable, ErrMissingValue, ErrTemplate, ErrLanguage, ErrInvalid,
// ErrFormat, ErrNotFound, ErrConflict, ErrDenied, ErrState; *FileError for
// files. Each sentinel wraps one root kind of carecontact: the content and
// rendering errors (ErrUnknownKey to ErrFormat) are invalid input,
// ErrNotFound not found, ErrConflict conflict, ErrDenied not allowed and
// ErrState an illegal transition; a *FileError has the kind of the problem
// it wraps.
package guidance
