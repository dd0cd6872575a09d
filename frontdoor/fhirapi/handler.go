package fhirapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// ErrNoRequester reports that the host could not tell who makes a request;
// the handler answers 401.
var ErrNoRequester = carecontact.Sentinel(carecontact.ErrNotAllowed, "fhirapi: no requester")

// ErrPrecondition reports an If-Match that names another version than the
// appointment's; the handler answers 412.
var ErrPrecondition = carecontact.Sentinel(carecontact.ErrConflict, "fhirapi: If-Match names another version")

// ErrPreconditionRequired reports a change of a stored appointment
// without an If-Match; the handler answers 428 Precondition Required.
var ErrPreconditionRequired = carecontact.Sentinel(carecontact.ErrInvalid, "fhirapi: If-Match is required")

// maxBody is the largest request body read.
const maxBody = 1 << 20

// Config configures a Handler.
type Config struct {
	// Booker answers every request. Required.
	Booker *booking.Booker
	// Requester tells who makes a request, from the host's authentication
	// of it. An error is answered with 401 (ErrNoRequester), without its
	// text. Required.
	Requester func(*http.Request) (booking.Requester, error)
	// Mapping is the FHIR mapping with the host's national codes. Defaults
	// to the package defaults of booking/fhir.
	Mapping *fhir.Mapping
	// Calendars are the calendars whose owners exported appointments
	// reference (Practitioner, HealthcareService, Location). Defaults to
	// none: participants are logical references of fhir.CalendarSystem.
	Calendars []booking.Calendar
	// Base is the absolute base URL of the API, written as each Bundle
	// entry's fullUrl and before the Location header of a new
	// appointment. Defaults to "": entries have no fullUrl and Location is
	// relative.
	Base string
}

// Handler is the FHIR scheduling API; see the package documentation. It is
// safe for concurrent use.
type Handler struct {
	cfg Config
}

// New checks cfg and returns the handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Booker == nil:
		return nil, carecontact.Invalid(carecontact.ErrInvalid, "fhirapi.booker", "is required")
	case cfg.Requester == nil:
		return nil, carecontact.Invalid(carecontact.ErrInvalid, "fhirapi.requester", "is required")
	}
	if cfg.Base != "" {
		if u, err := url.Parse(cfg.Base); err != nil || !u.IsAbs() {
			return nil, carecontact.Invalid(carecontact.ErrInvalid, "fhirapi.base", "want an absolute URL")
		}
		cfg.Base = strings.TrimSuffix(cfg.Base, "/")
	}
	if cfg.Mapping == nil {
		m, err := fhir.New(fhir.Config{})
		if err != nil {
			return nil, err
		}
		cfg.Mapping = m
	}
	return &Handler{cfg: cfg}, nil
}

// ServeHTTP answers one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	if !acceptsJSON(r) {
		writeIssue(w, http.StatusNotAcceptable, "not-supported", "only JSON is answered: accept application/fhir+json or application/json", "")
		return
	}
	if !strings.HasSuffix(path, "/_search") && r.ContentLength != 0 && !jsonBody(r.Header.Get("Content-Type")) {
		writeIssue(w, http.StatusUnsupportedMediaType, "not-supported", "want a body of Content-Type application/fhir+json or application/json", "")
		return
	}
	switch {
	case path == "":
		h.only(w, r, h.transaction, http.MethodPost)
	case path == "metadata":
		h.only(w, r, h.metadata, http.MethodGet)
	case path == "Slot":
		h.only(w, r, h.searchSlots, http.MethodGet)
	case path == "Slot/_search":
		h.only(w, r, h.searchSlots, http.MethodPost)
	case path == "Appointment":
		h.only(w, r, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				h.create(w, r)
				return
			}
			h.searchAppointments(w, r)
		}, http.MethodGet, http.MethodPost)
	case path == "Appointment/_search":
		h.only(w, r, h.searchAppointments, http.MethodPost)
	case path == "Appointment/$find":
		h.only(w, r, h.find, http.MethodGet, http.MethodPost)
	case path == "Appointment/$hold":
		h.only(w, r, h.hold, http.MethodPost)
	case path == "Appointment/$book":
		h.only(w, r, h.book, http.MethodPost)
	case strings.HasPrefix(path, "Appointment/") && !strings.Contains(path[len("Appointment/"):], "/"):
		id, err := fhir.InternalID("id", path[len("Appointment/"):])
		if err != nil {
			writeError(w, err)
			return
		}
		h.only(w, r, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				h.update(w, r, id)
				return
			}
			h.read(w, r, id)
		}, http.MethodGet, http.MethodPut)
	case strings.HasPrefix(path, "Appointment/") && strings.Count(path, "/") == 3 && strings.Split(path, "/")[2] == "_history":
		parts := strings.Split(path, "/")
		id, err := fhir.InternalID("id", parts[1])
		if err != nil {
			writeError(w, err)
			return
		}
		version, err := strconv.Atoi(parts[3])
		if err != nil || version < 1 || strconv.Itoa(version) != parts[3] {
			writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "vid", "want a version, a whole number from 1"))
			return
		}
		h.only(w, r, func(w http.ResponseWriter, r *http.Request) { h.vread(w, r, id, version) }, http.MethodGet)
	default:
		writeIssue(w, http.StatusNotFound, "not-supported", "no such resource type or operation", "")
	}
}

// jsonTypes are the media types of the JSON the handler reads and
// answers.
var jsonTypes = []string{"application/fhir+json", "application/json"}

// acceptsJSON reports whether the client takes a JSON answer: _format, when
// given, is json or a JSON media type; else the Accept header, when given,
// has a JSON type, application/* or */* (with a q above 0).
func acceptsJSON(r *http.Request) bool {
	if f := r.URL.Query()["_format"]; len(f) > 0 {
		mt, _, err := mime.ParseMediaType(f[0])
		return f[0] == "json" || err == nil && slices.Contains(jsonTypes, mt)
	}
	accept := r.Header.Values("Accept")
	if len(accept) == 0 {
		return true
	}
	for _, v := range accept {
		for rng := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(rng) == "" {
				continue
			}
			mt, prm, err := mime.ParseMediaType(rng)
			if err != nil {
				continue
			}
			if q, err := strconv.ParseFloat(prm["q"], 64); prm["q"] != "" && (err != nil || q <= 0) {
				continue
			}
			if mt == "*/*" || mt == "application/*" || slices.Contains(jsonTypes, mt) {
				return true
			}
		}
	}
	return false
}

// jsonBody reports whether a request body's Content-Type is JSON; its
// parameters (charset, fhirVersion) are not checked. No Content-Type is
// taken as JSON.
func jsonBody(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && slices.Contains(jsonTypes, mt)
}

func (h *Handler) only(w http.ResponseWriter, r *http.Request, f http.HandlerFunc, methods ...string) {
	if !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeIssue(w, http.StatusMethodNotAllowed, "not-supported", "method "+r.Method+" is not supported here", "")
		return
	}
	f(w, r)
}

// requester returns who asks, or writes the 401.
func (h *Handler) requester(w http.ResponseWriter, r *http.Request) (booking.Requester, bool) {
	by, err := h.cfg.Requester(r)
	if err != nil {
		writeError(w, ErrNoRequester) // the host's error text is not shown
		return booking.Requester{}, false
	}
	return by, true
}

func (h *Handler) metadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, capabilityStatement())
}

// CapabilityDate is the date of the API this handler implements, the
// CapabilityStatement's date: the day its interactions, search parameters
// or operations last changed. It is a constant of the library's version,
// changed with the capability, rather than the time of the build or of the
// request: the statement describes what the code does, which a rebuild
// does not change, and Go builds record no reliable date (a module built
// as a dependency carries no VCS time).
const CapabilityDate = "2026-12-03"

// capabilityStatement describes the interactions of the package
// documentation.
func capabilityStatement() map[string]any {
	param := func(name, typ string) map[string]any { return map[string]any{"name": name, "type": typ} }
	op := func(name string) map[string]any {
		return map[string]any{"name": name, "definition": "https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/appointment-" + name}
	}
	return map[string]any{
		"resourceType": "CapabilityStatement", "status": "active", "date": CapabilityDate, "kind": "instance",
		"software":       map[string]any{"name": "carecontact"},
		"implementation": map[string]any{"description": "carecontact booking, FHIR R4 scheduling API"},
		"fhirVersion":    "4.0.1", "format": []string{"application/fhir+json"},
		"rest": []any{map[string]any{"mode": "server", "interaction": []any{map[string]any{"code": "transaction"}}, "resource": []any{
			map[string]any{"type": "Slot", "interaction": []any{map[string]any{"code": "search-type"}},
				"searchParam": []any{param("service-type", "token"), param("start", "date"), param("schedule", "reference"),
					param("status", "token"), param("appointment-type", "token")}},
			map[string]any{"type": "Appointment", "versioning": "versioned", "readHistory": false, "conditionalUpdate": false,
				"updateCreate": false, "conditionalCreate": false, "conditionalDelete": "not-supported",
				"interaction": []any{map[string]any{"code": "read"},
					map[string]any{"code": "vread", "documentation": "the current version only (readHistory false): another version is 404"},
					map[string]any{"code": "update", "documentation": "If-Match required (428 without it, 412 for a stale version); confirms, reschedules, cancels or marks the appointment as the transaction does"},
					map[string]any{"code": "create", "documentation": "books (booked) or holds (pending) a new appointment; the server names it (an id sent is ignored)"},
					map[string]any{"code": "search-type"}},
				"searchParam": []any{param("patient", "reference"), param("actor", "reference"), param("date", "date"), param("status", "token")},
				"operation":   []any{op("find"), op("hold"), op("book")}},
		}}},
	}
}

// bundle writes a searchset Bundle of resources with total (left out when
// nil: not known) and the self link of the search.
func (h *Handler) bundle(w http.ResponseWriter, resources [][]byte, total *int, links []bundleLink) {
	data, err := fhir.SearchsetBundle(h.cfg.Base, resources...)
	if err != nil {
		writeError(w, err)
		return
	}
	var b struct {
		ResourceType string          `json:"resourceType"`
		Type         string          `json:"type"`
		Total        *int            `json:"total,omitempty"`
		Link         []bundleLink    `json:"link,omitempty"`
		Entry        json.RawMessage `json:"entry,omitempty"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		writeError(w, err)
		return
	}
	b.Total, b.Link = total, links
	writeJSON(w, http.StatusOK, b)
}

// bundleLink is a Bundle.link.
type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// offset is _offset, the number of matches a page skips (0 when there is
// none): the server's paging parameter, which the next and previous links
// carry.
func offset(p params) (int, error) {
	o := p.first("_offset")
	if o == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(o)
	if err != nil || n < 0 || n > maxMatches {
		return 0, carecontact.Invalid(carecontact.ErrInvalid, "_offset", "want 0 to "+strconv.Itoa(maxMatches))
	}
	return n, nil
}

// pageLinks returns the Bundle links of the page at off of n of a search
// with parameters p that has matches results: self (R4 search.html: it
// reports the parameters used), next while matches remain after the page,
// previous when the page skipped some. They are under Config.Base when
// set.
func (h *Handler) pageLinks(path string, p params, matches, off, n int) []bundleLink {
	links := []bundleLink{{Relation: "self", URL: h.selfLink(path, p, off)}}
	if off+n < matches {
		links = append(links, bundleLink{Relation: "next", URL: h.selfLink(path, p, off+n)})
	}
	if off > 0 {
		links = append(links, bundleLink{Relation: "previous", URL: h.selfLink(path, p, max(0, off-n))})
	}
	return links
}

// pageOf returns the page at off of n of xs.
func pageOf[T any](xs []T, off, n int) []T {
	return xs[min(off, len(xs)):min(off+n, len(xs))]
}

// selfLink is the URL of a search with the parameters it used, under
// Config.Base when set, at page offset off (none when 0).
func (h *Handler) selfLink(path string, p params, off int) string {
	v := url.Values{}
	for k, vs := range p.values {
		if k != "_offset" {
			v[k] = vs
		}
	}
	if off > 0 {
		v.Set("_offset", strconv.Itoa(off))
	}
	q := v.Encode()
	u := path
	if h.cfg.Base != "" {
		u = h.cfg.Base + "/" + path
	}
	if q != "" {
		u += "?" + q
	}
	return u
}

// readSearch reads the parameters of a search: the query, and for a POST
// to _search the form-encoded body as well. Parameters it does not know,
// _summary and _elements among them, are ignored and left out of the self
// link, as R4 lets a server do by default; with "Prefer: handling=strict"
// each is a 400 naming it.
func readSearch(r *http.Request, allowed ...string) (params, error) {
	p := params{values: map[string][]string{}, resources: map[string]json.RawMessage{}}
	in := r.URL.Query()
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.ContentLength != 0 && (err != nil || mt != "application/x-www-form-urlencoded") {
			return p, carecontact.Invalid(carecontact.ErrInvalid, "Content-Type", "want application/x-www-form-urlencoded")
		}
		body, err := readBody(r, "body")
		if err != nil {
			return p, err
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return p, carecontact.Invalid(carecontact.ErrInvalid, "body", "want form-encoded search parameters")
		}
		for k, v := range form {
			in[k] = append(in[k], v...)
		}
	}
	strict := false
	for _, v := range r.Header.Values("Prefer") {
		for pref := range strings.SplitSeq(v, ",") {
			strict = strict || strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(pref), " ", ""), "handling=strict")
		}
	}
	for k, v := range in {
		switch {
		case k == "_count" || k == "_offset" || slices.Contains(allowed, k):
			p.values[k] = v
		case strict:
			return p, carecontact.Invalid(carecontact.ErrInvalid, k, "is not a parameter of this search (Prefer: handling=strict)")
		}
	}
	return p, nil
}

// params are the parameters of a search or an operation: from the query,
// or from a Parameters resource in a POST body.
type params struct {
	values    map[string][]string
	resources map[string]json.RawMessage
}

func (p params) first(name string) string {
	if v := p.values[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// readParams reads the query, and for a POST the Parameters body, allowing
// only the names in allowed (and _format, _count).
func readParams(r *http.Request, allowed ...string) (params, error) {
	p := params{values: map[string][]string{}, resources: map[string]json.RawMessage{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v
	}
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		body, err := readBody(r, "body")
		if err != nil {
			return p, err
		}
		var in struct {
			ResourceType string `json:"resourceType"`
			Parameter    []struct {
				Name           string          `json:"name"`
				ValueString    *string         `json:"valueString"`
				ValueDateTime  *string         `json:"valueDateTime"`
				ValueDate      *string         `json:"valueDate"`
				ValueInstant   *string         `json:"valueInstant"`
				ValueCode      *string         `json:"valueCode"`
				ValueToken     *string         `json:"valueToken"`
				ValueReference *fhir.Reference `json:"valueReference"`
				ValueCoding    *fhir.Coding    `json:"valueCoding"`
				Resource       json.RawMessage `json:"resource"`
			} `json:"parameter"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.ResourceType != "Parameters" {
			return p, carecontact.Invalid(carecontact.ErrInvalid, "Parameters", "want a FHIR Parameters resource")
		}
		for i, prm := range in.Parameter {
			var v *string
			for _, s := range []*string{prm.ValueString, prm.ValueDateTime, prm.ValueDate, prm.ValueInstant, prm.ValueCode, prm.ValueToken} {
				if s != nil {
					v = s
				}
			}
			switch {
			case prm.Resource != nil:
				p.resources[prm.Name] = prm.Resource
			case prm.ValueReference != nil:
				p.values[prm.Name] = append(p.values[prm.Name], prm.ValueReference.Reference)
			case prm.ValueCoding != nil:
				p.values[prm.Name] = append(p.values[prm.Name], prm.ValueCoding.System+"|"+prm.ValueCoding.Code)
			case v != nil:
				p.values[prm.Name] = append(p.values[prm.Name], *v)
			default:
				return p, carecontact.Invalid(carecontact.ErrInvalid, fmt.Sprintf("Parameters.parameter[%d]", i), "has no value this operation reads")
			}
		}
	}
	for k := range p.values {
		if k != "_format" && k != "_count" && k != "_offset" && !slices.Contains(allowed, k) {
			return p, carecontact.Invalid(carecontact.ErrInvalid, k, "is not a parameter of this search or operation")
		}
	}
	for k := range p.resources {
		if !slices.Contains(allowed, k) {
			return p, carecontact.Invalid(carecontact.ErrInvalid, k, "is not a parameter of this operation")
		}
	}
	return p, nil
}

// service reads a service-type token: of the library's service code
// system, or a foreign coding the host's mapping maps (fhir.Config.Services).
func (h *Handler) service(token string) (carecontact.AreaID, string, error) {
	system, code, ok := strings.Cut(token, "|")
	if ok && system != "" && code != "" {
		if svc, mapped := h.cfg.Mapping.MappedService(system, code); mapped {
			return svc.Area, svc.Service, nil
		}
	}
	area, own := strings.CutPrefix(system, fhir.ServiceSystem)
	if !ok || !own || area == "" || code == "" {
		return "", "", carecontact.Invalid(carecontact.ErrInvalid, "service-type",
			"want "+fhir.ServiceSystem+"<area>|<service>, or a coding the host maps to a service")
	}
	return carecontact.AreaID(area), code, nil
}

// slotStatuses are the codes of the required binding of Slot.status.
var slotStatuses = []string{"busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"}

// wantsFree reads the Slot status parameter (each value a comma-separated
// list of codes, all of which must hold): whether free slots are asked
// for, the only ones the booker searches.
func wantsFree(values []string) (bool, error) {
	free := true
	for _, v := range values {
		hasFree := false
		for code := range strings.SplitSeq(v, ",") {
			if !slices.Contains(slotStatuses, code) {
				return false, carecontact.Invalid(carecontact.ErrInvalid, "status", "not a slot status (busy, free, busy-unavailable, busy-tentative, entered-in-error)")
			}
			hasFree = hasFree || code == string(fhir.SlotFree)
		}
		free = free && hasFree
	}
	return free, nil
}

// channelOf reads an appointment-type token: the library's channel code
// system, or the national visit-channel code system with a code the
// host's mapping knows.
func (h *Handler) channelOf(token string) (channel.Kind, error) {
	system, code, _ := strings.Cut(token, "|")
	if system == fhir.ChannelSystem {
		k, err := channel.ParseKind(code)
		if err != nil {
			return "", carecontact.Invalid(carecontact.ErrInvalid, "appointment-type", "unknown channel")
		}
		return k, nil
	}
	for _, k := range channel.Kinds() {
		sys, c, ok := h.cfg.Mapping.VisitChannel(k)
		if ok && code != "" && c.Code == code && (system == sys || system == "urn:oid:"+sys) {
			return k, nil
		}
	}
	return "", carecontact.Invalid(carecontact.ErrInvalid, "appointment-type",
		"want "+fhir.ChannelSystem+"|<channel>, or a national visit-channel code the host maps")
}

// bound is one date search value: a prefix and the instant it stands for
// (a date means its start, in Europe/Helsinki).
type bound struct {
	prefix string
	at     time.Time
	day    bool
}

func parseBound(field, v string) (bound, error) {
	b := bound{prefix: "eq"}
	if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z' {
		b.prefix, v = v[:2], v[2:]
	}
	if !slices.Contains([]string{"eq", "ge", "gt", "le", "lt"}, b.prefix) {
		return b, carecontact.Invalid(carecontact.ErrInvalid, field, "prefix: want eq, ge, gt, le or lt")
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		b.at = t.UTC()
		return b, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, civil.Helsinki())
	if err != nil {
		return b, carecontact.Invalid(carecontact.ErrInvalid, field, "want a date or an instant with a time zone")
	}
	b.at, b.day = t.UTC(), true
	return b, nil
}

// match reports whether t satisfies b.
func (b bound) match(t time.Time) bool {
	end := b.at
	if b.day {
		end = b.at.AddDate(0, 0, 1)
	}
	switch b.prefix {
	case "ge":
		return !t.Before(b.at)
	case "gt":
		return !t.Before(end) && !t.Equal(b.at) || !b.day && t.After(b.at)
	case "le":
		return t.Before(end) || !b.day && t.Equal(b.at)
	case "lt":
		return t.Before(b.at)
	}
	if b.day {
		return !t.Before(b.at) && t.Before(end)
	}
	return t.Equal(b.at)
}

// window turns start bounds into the booker's From and To.
func window(field string, vs []string) (from, to time.Time, bounds []bound, err error) {
	for _, v := range vs {
		b, err := parseBound(field, v)
		if err != nil {
			return time.Time{}, time.Time{}, nil, err
		}
		bounds = append(bounds, b)
		switch b.prefix {
		case "ge", "gt", "eq":
			if b.at.After(from) {
				from = b.at
			}
		}
		switch b.prefix {
		case "le", "lt", "eq":
			end := b.at
			switch {
			case b.day && b.prefix != "lt":
				end = b.at.AddDate(0, 0, 1)
			case !b.day && b.prefix != "lt":
				end = b.at.Add(time.Second) // the start itself is in
			}
			if to.IsZero() || end.Before(to) {
				to = end
			}
		}
	}
	return from, to, bounds, nil
}

// maxMatches is the most slots a search counts; a search with more has
// no Bundle.total (not known).
const maxMatches = 1000

// defaultCount is the page size of a Slot search or $find without _count.
const defaultCount = 10

// count is _count, or def when there is none.
func count(p params, def int) (int, error) {
	c := p.first("_count")
	if c == "" {
		return def, nil
	}
	n, err := strconv.Atoi(c)
	if err != nil || n < 1 || n > 1000 {
		return 0, carecontact.Invalid(carecontact.ErrInvalid, "_count", "want 1 to 1000")
	}
	return n, nil
}

// slots runs the booker's search for service-type and start (or the $find
// start and end) and returns the matching slots, and whether they are all
// of them (the booker stops at maxMatches).
// client, when set, is the patient of a $find, whom the booker checks the
// requester may search for and audits the search with.
func (h *Handler) slots(ctx context.Context, p params, by booking.Requester, client carecontact.ClientRef, startParam string) ([]booking.Slot, booking.Service, bool, error) {
	area, code, err := h.service(p.first("service-type"))
	if err != nil {
		return nil, booking.Service{}, false, err
	}
	svc, _, err := h.cfg.Booker.ServiceAt(ctx, area, code)
	if err != nil {
		return nil, booking.Service{}, false, err
	}
	var starts []string
	if startParam == "start" {
		starts = p.values["start"]
	} else {
		if s := p.first("start"); s != "" {
			starts = append(starts, "ge"+s)
		}
		if e := p.first("end"); e != "" {
			starts = append(starts, "lt"+e)
		}
	}
	from, to, bounds, err := window(startParam, starts)
	if err != nil {
		return nil, booking.Service{}, false, err
	}
	// Every match up to maxMatches is asked for, so that the total is the
	// number of matches; the caller answers the first page of them.
	req := booking.SearchRequest{Area: area, Service: code, From: from, To: to, Limit: maxMatches, By: by, Client: client}
	if s := p.first("schedule"); s != "" {
		id, ok := strings.CutPrefix(s, "Schedule/")
		if !ok || id == "" {
			return nil, booking.Service{}, false, carecontact.Invalid(carecontact.ErrInvalid, "schedule", "want Schedule/<id>")
		}
		if id, err = fhir.InternalID("schedule", id); err != nil {
			return nil, booking.Service{}, false, err
		}
		req.Professional = carecontact.ProfessionalID(id)
	}
	free, err := wantsFree(p.values["status"])
	if err != nil {
		return nil, booking.Service{}, false, err
	}
	none := !free // the booker keeps no busy slots: none match
	for _, v := range p.values["appointment-type"] {
		match := false
		for token := range strings.SplitSeq(v, ",") {
			k, err := h.channelOf(token)
			if err != nil {
				return nil, booking.Service{}, false, err
			}
			match = match || k == svc.Channel
		}
		none = none || !match
	}
	if none && client == "" {
		return nil, svc, true, nil
	}
	// A search for a client is made even when none can match, so that the
	// booker checks and audits it.
	found, err := h.cfg.Booker.Search(ctx, req)
	var fe *carecontact.FieldError
	if errors.As(err, &fe) && fe.Field == "client" && errors.Is(err, carecontact.ErrInvalid) {
		// The booker's client is the $find's patient.
		err = carecontact.Invalid(carecontact.ErrInvalid, "patient", fe.Reason)
	}
	if err != nil {
		return nil, booking.Service{}, false, err
	}
	if none {
		return nil, svc, true, nil
	}
	var out []booking.Slot
	for _, s := range found {
		ok := true
		for _, b := range bounds {
			ok = ok && b.match(s.Start)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, svc, len(found) < maxMatches, nil
}

func (h *Handler) searchSlots(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	p, err := readSearch(r, "service-type", "start", "schedule", "status", "appointment-type")
	if err != nil {
		writeError(w, err)
		return
	}
	n, err := count(p, defaultCount)
	if err != nil {
		writeError(w, err)
		return
	}
	slots, _, complete, err := h.slots(r.Context(), p, by, "", "start")
	if err != nil {
		writeError(w, err)
		return
	}
	off, err := offset(p)
	if err != nil {
		writeError(w, err)
		return
	}
	total := matches(len(slots), complete)
	var res [][]byte
	for _, s := range pageOf(slots, off, n) {
		data, err := h.cfg.Mapping.ExportSlot(s, fhir.SlotFree)
		if err != nil {
			writeError(w, err)
			return
		}
		res = append(res, data)
	}
	h.bundle(w, res, total, h.pageLinks("Slot", p, len(slots), off, n))
}

// client returns the patient parameter's client, or the requester itself
// when it is a client and names none.
func client(p params, by booking.Requester) (carecontact.ClientRef, error) {
	v := p.first("patient")
	if v == "" {
		if by.Actor.Kind == audit.ActorClient && by.Actor.ID != "" {
			return carecontact.ClientRef(by.Actor.ID), nil
		}
		return "", carecontact.Invalid(carecontact.ErrInvalid, "patient", "is required")
	}
	id := strings.TrimPrefix(v, "Patient/")
	if id == "" || strings.Contains(id, "/") {
		return "", carecontact.Invalid(carecontact.ErrInvalid, "patient", "want Patient/<id>")
	}
	id, err := fhir.InternalID("patient", id)
	return carecontact.ClientRef(id), err
}

func (h *Handler) find(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	p, err := readParams(r, "start", "end", "service-type", "patient", "schedule", "appointment-type")
	if err != nil {
		writeError(w, err)
		return
	}
	c, err := client(p, by)
	if err != nil {
		writeError(w, err)
		return
	}
	n, err := count(p, defaultCount)
	if err != nil {
		writeError(w, err)
		return
	}
	slots, svc, complete, err := h.findWindow(r.Context(), p, by, c)
	if err != nil {
		writeError(w, err)
		return
	}
	off, err := offset(p)
	if err != nil {
		writeError(w, err)
		return
	}
	total := matches(len(slots), complete)
	var res [][]byte
	for i, s := range pageOf(slots, off, n) {
		a := booking.Appointment{ID: fmt.Sprintf("proposed-%d", off+i+1), Status: booking.StatusProposed, Area: s.Area, Service: s.Service,
			Client: c, Participants: s.Participants, Start: s.Start, End: s.End, Channel: svc.Channel}
		data, err := h.cfg.Mapping.ExportAppointment(a, h.cfg.Calendars...)
		if err != nil {
			writeError(w, err)
			return
		}
		res = append(res, data)
	}
	h.bundle(w, res, total, h.pageLinks("Appointment/$find", p, len(slots), off, n))
}

// matches is the total of a slot search that found n: not known when the
// booker's search stopped at maxMatches (complete false).
func matches(n int, complete bool) *int {
	if !complete {
		return nil
	}
	return &n
}

// findWindow is the $find search with start and end as plain dateTimes.
func (h *Handler) findWindow(ctx context.Context, p params, by booking.Requester, client carecontact.ClientRef) ([]booking.Slot, booking.Service, bool, error) {
	q := params{values: map[string][]string{}, resources: p.resources}
	for k, v := range p.values {
		if k != "start" && k != "end" {
			q.values[k] = v
		}
	}
	if s := p.first("start"); s != "" {
		q.values["start"] = append(q.values["start"], "ge"+s)
	}
	if e := p.first("end"); e != "" {
		q.values["start"] = append(q.values["start"], "lt"+e)
	}
	return h.slots(ctx, q, by, client, "start")
}

// appointmentParam reads the appointment-resource parameter.
func (h *Handler) appointmentParam(p params) (booking.Appointment, bool, error) {
	raw, ok := p.resources["appointment-resource"]
	if !ok {
		return booking.Appointment{}, false, nil
	}
	a, d, err := h.cfg.Mapping.ImportAppointmentDetails(raw)
	if err == nil {
		err = h.refuseUnstored("appointment-resource", raw, a, d)
	}
	return a, true, err
}

func (h *Handler) hold(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	p, err := readParams(r, "appointment-resource", "appointment-reference")
	if err != nil {
		writeError(w, err)
		return
	}
	a, ok, err := h.appointmentParam(p)
	switch {
	case err != nil:
		writeError(w, err)
		return
	case !ok:
		writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "appointment-resource",
			"is required: the proposals of $find are not stored, send the proposed Appointment back"))
		return
	case a.Status != booking.StatusProposed:
		// IHE ITI Scheduling: $hold takes a proposal of $find.
		writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.status", "want proposed: $hold holds a proposal of $find"))
		return
	}
	held, err := h.cfg.Booker.Hold(r.Context(), booking.BookRequest{Slot: slotOf(a), Client: a.Client, By: by})
	if err != nil {
		writeError(w, err)
		return
	}
	h.writeAppointment(w, http.StatusCreated, held)
}

func slotOf(a booking.Appointment) booking.Slot {
	return booking.Slot{Area: a.Area, Service: a.Service, Start: a.Start, End: a.End, Participants: a.Participants}
}

func (h *Handler) book(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	p, err := readParams(r, "appointment-resource", "appointment-reference")
	if err != nil {
		writeError(w, err)
		return
	}
	a, hasResource, err := h.appointmentParam(p)
	if err != nil {
		writeError(w, err)
		return
	}
	id := ""
	if ref := p.first("appointment-reference"); ref != "" {
		var found bool
		if h.cfg.Base != "" { // an absolute reference under the base
			ref, _ = strings.CutPrefix(ref, h.cfg.Base+"/")
		}
		if id, found = strings.CutPrefix(ref, "Appointment/"); !found || id == "" || strings.Contains(id, "/") {
			writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "appointment-reference", "want Appointment/<id>"))
			return
		}
		if id, err = fhir.InternalID("appointment-reference", id); err != nil {
			writeError(w, err)
			return
		}
	} else if hasResource && a.Status == booking.StatusPending {
		id = a.ID
	}
	if id == "" {
		if hasResource && a.Status != booking.StatusProposed {
			writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.status", "want proposed (booked now) or pending (a hold confirmed)"))
			return
		}
		if !hasResource {
			writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "appointment-reference", "or appointment-resource is required"))
			return
		}
		booked, err := h.cfg.Booker.Book(r.Context(), booking.BookRequest{Slot: slotOf(a), Client: a.Client, By: by})
		if err != nil {
			writeError(w, err)
			return
		}
		h.writeAppointment(w, http.StatusCreated, booked)
		return
	}
	var booked booking.Appointment
	if match := r.Header.Get("If-Match"); match != "" {
		version, perr := parseETag(match)
		if perr != nil {
			writeError(w, perr)
			return
		}
		if version == anyVersion { // If-Match: *, the hold must exist
			booked, err = h.cfg.Booker.Confirm(r.Context(), id, by)
			if errors.Is(err, carecontact.ErrNotFound) {
				err = precondition("If-Match")
			}
		} else {
			// The booker compares the version on its own read, in the same
			// operation as the confirmation.
			booked, err = h.cfg.Booker.IfVersion(version).Confirm(r.Context(), id, by)
			if errors.Is(err, booking.ErrStaleVersion) {
				err = precondition("If-Match")
			}
		}
	} else {
		booked, err = h.cfg.Booker.Confirm(r.Context(), id, by)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	h.writeAppointment(w, http.StatusOK, booked)
}

func (h *Handler) read(w http.ResponseWriter, r *http.Request, id string) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	a, err := h.cfg.Booker.Appointment(r.Context(), id, by)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writeAppointment(w, http.StatusOK, a)
}

// vread answers GET Appointment/<id>/_history/<vid>: the store keeps only
// the current version, so that version is answered as the read answers
// it and any other is 404 (the read is made, and audited, either way).
func (h *Handler) vread(w http.ResponseWriter, r *http.Request, id string, version int) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	a, err := h.cfg.Booker.Appointment(r.Context(), id, by)
	if err != nil {
		writeError(w, err)
		return
	}
	if a.Version != version {
		writeIssue(w, http.StatusNotFound, "not-found",
			"version "+strconv.Itoa(version)+" is not kept: only the current version, "+strconv.Itoa(a.Version)+", is", "vid")
		return
	}
	h.writeAppointment(w, http.StatusOK, a)
}

func (h *Handler) searchAppointments(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	p, err := readSearch(r, "patient", "actor", "date", "status")
	if err != nil {
		writeError(w, err)
		return
	}
	n, err := count(p, maxMatches)
	if err != nil {
		writeError(w, err)
		return
	}
	if p.first("patient") == "" {
		writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "patient", "is required: appointments are listed by client"))
		return
	}
	c, err := client(p, by)
	if err != nil {
		writeError(w, err)
		return
	}
	var bounds []bound
	for _, v := range p.values["date"] {
		b, err := parseBound("date", v)
		if err != nil {
			writeError(w, err)
			return
		}
		bounds = append(bounds, b)
	}
	var statuses []booking.Status
	for _, v := range p.values["status"] {
		for s := range strings.SplitSeq(v, ",") {
			st, err := booking.ParseStatus(s)
			if err != nil {
				writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "status", "not an appointment status"))
				return
			}
			statuses = append(statuses, st)
		}
	}
	actor, actorType := "", ""
	if v := p.first("actor"); v != "" {
		typ, id, found := strings.Cut(v, "/")
		actorType = typ
		if !found || id == "" {
			writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "actor", "want Type/<id>"))
			return
		}
		if actor, err = fhir.InternalID("actor", id); err != nil {
			writeError(w, err)
			return
		}
	}
	as, err := h.cfg.Booker.ClientAppointments(r.Context(), c, by)
	if err != nil {
		writeError(w, err)
		return
	}
	var res [][]byte
	for _, a := range as {
		keep := len(statuses) == 0 || slices.Contains(statuses, a.Status)
		for _, b := range bounds {
			keep = keep && !a.Start.IsZero() && b.match(a.Start)
		}
		if !keep {
			continue
		}
		data, err := h.export(a)
		if err != nil {
			writeError(w, err)
			return
		}
		switch {
		case actor == "":
		case actorType == "Patient": // the client is an actor of each
			keep = actor == string(a.Client)
		default:
			keep = hasActor(data, p.first("actor"), actor)
		}
		if keep {
			res = append(res, data)
		}
	}
	off, err := offset(p)
	if err != nil {
		writeError(w, err)
		return
	}
	total := len(res)
	h.bundle(w, pageOf(res, off, n), &total, h.pageLinks("Appointment", p, len(res), off, n))
}

// hasActor reports whether the exported appointment data has a
// participant whose actor is ref (Type/<FHIR id>): a typed reference
// matches only with its type (Location/x is not Practitioner/x); a logical
// reference of fhir.CalendarSystem, which has no type, matches by the
// calendar id.
func hasActor(data []byte, ref, id string) bool {
	var res struct {
		Participant []struct {
			Actor *struct {
				Reference  string `json:"reference"`
				Type       string `json:"type"`
				Identifier *struct {
					System string `json:"system"`
					Value  string `json:"value"`
				} `json:"identifier"`
			} `json:"actor"`
		} `json:"participant"`
	}
	if json.Unmarshal(data, &res) != nil {
		return false
	}
	typ, _, _ := strings.Cut(ref, "/")
	for _, p := range res.Participant {
		switch a := p.Actor; {
		case a == nil:
		case a.Reference != "":
			if a.Reference == ref {
				return true
			}
		case a.Identifier != nil && a.Identifier.System == fhir.CalendarSystem:
			if a.Identifier.Value == id && (a.Type == "" || a.Type == typ) {
				return true
			}
		}
	}
	return false
}

// export writes a with meta.versionId, the store's version, and
// meta.lastUpdated.
func (h *Handler) export(a booking.Appointment) ([]byte, error) {
	data, err := h.cfg.Mapping.ExportAppointment(a, h.cfg.Calendars...)
	if err != nil {
		return nil, err
	}
	return fhir.SetMeta(data, a.Version, lastUpdated(a))
}

// lastUpdated is when the store last changed a.
func lastUpdated(a booking.Appointment) time.Time {
	if a.Updated.IsZero() {
		return a.Created
	}
	return a.Updated
}

// exportWithID is export with the resource's FHIR id.
func (h *Handler) exportWithID(a booking.Appointment) ([]byte, string, error) {
	data, err := h.export(a)
	if err != nil {
		return nil, "", err
	}
	var head struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, "", err
	}
	return data, head.ID, nil
}

// writeAppointment writes a with its ETag and Last-Modified, and for a
// 201 (a new appointment) its Location.
func (h *Handler) writeAppointment(w http.ResponseWriter, status int, a booking.Appointment) {
	data, id, err := h.exportWithID(a)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("ETag", etag(a.Version))
	if t := lastUpdated(a); !t.IsZero() {
		w.Header().Set("Last-Modified", t.UTC().Format(http.TimeFormat))
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", h.location(id, a.Version))
	}
	writeRaw(w, status, data)
}

// location is the version-specific reference of an appointment, relative
// to the base.
func location(id string, version int) string {
	return "Appointment/" + id + "/_history/" + strconv.Itoa(version)
}

// location is the Location header of a new appointment and a transaction
// entry's response.location: absolute under Config.Base when it is set,
// where a vread answers it.
func (h *Handler) location(id string, version int) string {
	if h.cfg.Base == "" {
		return location(id, version)
	}
	return h.cfg.Base + "/" + location(id, version)
}

func etag(version int) string { return `W/"` + strconv.Itoa(version) + `"` }

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		writeIssue(w, http.StatusInternalServerError, "exception", "internal error", "")
		return
	}
	writeRaw(w, status, data)
}

func writeRaw(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeError writes err as an OperationOutcome with its status; an
// ErrNoRequester is 401, an ErrPrecondition 412 and an
// ErrPreconditionRequired 428, each naming the If-Match header or the
// transaction entry's request.ifMatch. The diagnostics are the
// sentinel-level text of err (see diagnostics), never its whole chain.
func writeError(w http.ResponseWriter, err error) {
	err = primary(err)
	field := "If-Match"
	var fe *carecontact.FieldError
	if errors.As(err, &fe) && fe.Field != "" {
		field = fe.Field
	}
	switch {
	case errors.Is(err, ErrNoRequester):
		writeIssue(w, http.StatusUnauthorized, "login", "the requester is not known", "")
		return
	case errors.Is(err, ErrPrecondition):
		writeIssue(w, http.StatusPreconditionFailed, "conflict", diagnostics(err), field)
		return
	case errors.Is(err, ErrPreconditionRequired):
		writeIssue(w, http.StatusPreconditionRequired, "required", diagnostics(err), field)
		return
	}
	data, status := fhir.OperationOutcome(err)
	var out fhir.Outcome
	if status != http.StatusInternalServerError && json.Unmarshal(data, &out) == nil && len(out.Issue) == 1 {
		out.Issue[0].Diagnostics = diagnostics(err)
		writeJSON(w, status, out)
		return
	}
	writeRaw(w, status, data)
}

// primary is the error a request failed with: of a joined error (such as
// a refusal joined with the audit log's failure to record it) the first,
// which the others only follow.
func primary(err error) error {
	for e := err; e != nil; {
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				return errs[0]
			}
			return err
		case interface{ Unwrap() error }:
			e = u.Unwrap()
		default:
			return err
		}
	}
	return err
}

// diagnostics is the text a client is told of err: a field error's
// element and reason (*fhir.Error, *carecontact.FieldError), or else the
// message of the package sentinel err wraps, or else its root kind's text;
// never the wrapping text around them, which may carry internals.
func diagnostics(err error) string {
	var fe *fhir.Error
	if errors.As(err, &fe) {
		return fe.Error()
	}
	var cf *carecontact.FieldError
	if errors.As(err, &cf) {
		return cf.Error()
	}
	kind := carecontact.KindOf(err)
	for e := err; e != nil; e = errors.Unwrap(e) {
		if next := errors.Unwrap(e); next != nil && next == kind {
			return e.Error()
		}
		if e == kind {
			return e.Error()
		}
	}
	if kind != nil {
		return kind.Error()
	}
	return "internal error"
}

func writeIssue(w http.ResponseWriter, status int, code, diagnostics, expression string) {
	issue := fhir.OutcomeIssue{Severity: "error", Code: code, Diagnostics: diagnostics}
	if expression != "" {
		issue.Expression = []string{expression}
	}
	writeJSON(w, status, fhir.Outcome{ResourceType: "OperationOutcome", Issue: []fhir.OutcomeIssue{issue}})
}
