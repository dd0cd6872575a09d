package fhirapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor/fhirapi"
	"github.com/carecontact/carecontact/internal/fhirvalidate"
	"github.com/carecontact/carecontact/storage/memory"
)

const vaccination = fhir.ServiceSystem + "north|vaccination"

type fixture struct {
	h     http.Handler
	audit *memory.AuditLog
	v     *fhirvalidate.Validator
	// now is the booker's clock; a test moves it (one goroutine).
	now *time.Time
}

// newFixture is one nurse's calendar on Monday and Tuesday mornings and a
// 15-minute vaccination, on Easter Monday 2027 at 09:20 (closed), so the
// first free slots are on Tuesday 30 March from 09:00.
// option changes the fixture's configuration: a func(*fhirapi.Config) or a
// func(*booking.Config).
type option any

func newFixture(t testing.TB, options ...option) fixture {
	t.Helper()
	loc := civil.Helsinki()
	nurse := booking.Calendar{ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Monday, time.Tuesday},
			Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}}}
	set, err := booking.NewCalendarSet([]booking.Calendar{nurse})
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 1}, 60)
	require.NoError(t, err)
	cat, err := booking.NewCatalogue("north", []booking.Service{{Code: "vaccination", Area: "north",
		Names: civil.Names{FI: "Rokotus", SV: "Vaccination", EN: "Vaccination"}, Duration: 15 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}, MinNotice: time.Hour}})
	require.NoError(t, err)
	now := new(time.Time)
	*now = time.Date(2027, time.March, 29, 9, 20, 0, 0, loc)
	store := memory.NewBookingStore(nil)
	n := 0
	bcfg := booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return *now }), NewID: func(p string) string { n++; return fmt.Sprintf("%s_%d", p, n) }}
	for _, o := range options {
		if o, ok := o.(func(*booking.Config)); ok {
			o(&bcfg)
		}
	}
	b, err := booking.New(bcfg)
	require.NoError(t, err)
	cfg := fhirapi.Config{Booker: b, Calendars: []booking.Calendar{nurse}, Base: "https://fhir.example.org/r4",
		Requester: func(r *http.Request) (booking.Requester, error) {
			kind, id, ok := strings.Cut(r.Header.Get("X-Test-Actor"), ":")
			if !ok {
				return booking.Requester{}, errors.New("no actor")
			}
			return booking.Requester{Actor: audit.Actor{Kind: audit.ActorKind(kind), ID: id}, ClientGroup: "adult"}, nil
		}}
	for _, o := range options {
		if o, ok := o.(func(*fhirapi.Config)); ok {
			o(&cfg)
		}
	}
	h, err := fhirapi.New(cfg)
	require.NoError(t, err)
	v, err := fhirvalidate.New(fhir.ExtensionDefinitions(), fhir.ExtensionBase, fhir.NationalStatusExtension)
	require.NoError(t, err)
	return fixture{h: h, audit: store.AuditLog(), v: v, now: now}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (f fixture) do(t *testing.T, method, target, actor string, body any, headers ...string) response {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, target, rd)
	if actor != "" {
		req.Header.Set("X-Test-Actor", actor)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	out := response{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	require.Equal(t, "application/fhir+json; charset=utf-8", rec.Header().Get("Content-Type"), rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out.body), rec.Body.String())
	// Every resource the handler writes is valid R4, the CapabilityStatement
	// too.
	require.Empty(t, f.v.Validate(rec.Body.Bytes()), rec.Body.String())
	return out
}

func entries(t *testing.T, r response) []map[string]any {
	t.Helper()
	require.Equal(t, "Bundle", r.body["resourceType"], string(r.raw))
	require.Equal(t, "searchset", r.body["type"])
	var out []map[string]any
	es, _ := r.body["entry"].([]any)
	for _, e := range es {
		out = append(out, e.(map[string]any)["resource"].(map[string]any))
	}
	if total, ok := r.body["total"]; ok { // the matches: this page or more
		require.GreaterOrEqual(t, total, float64(len(out)))
	}
	links, _ := r.body["link"].([]any)
	require.NotEmpty(t, links, "the self link")
	require.Equal(t, "self", links[0].(map[string]any)["relation"])
	for _, l := range links[1:] { // paging: next, previous
		require.Contains(t, []any{"next", "previous"}, l.(map[string]any)["relation"])
	}
	return out
}

func issue(t *testing.T, r response) (code string, expression []any) {
	t.Helper()
	require.Equal(t, "OperationOutcome", r.body["resourceType"], string(r.raw))
	is := r.body["issue"].([]any)[0].(map[string]any)
	expression, _ = is["expression"].([]any)
	return is["code"].(string), expression
}

const client1 = "client:client-1"

func TestMetadata(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, http.MethodGet, "/metadata", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "CapabilityStatement", r.body["resourceType"])
	require.Equal(t, "4.0.1", r.body["fhirVersion"])
	require.Contains(t, string(r.raw), "https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/appointment-book")
	rest := r.body["rest"].([]any)[0].(map[string]any)
	require.Equal(t, []any{map[string]any{"code": "transaction"}}, rest["interaction"])
	interactions := map[string][]string{}
	for _, res := range rest["resource"].([]any) {
		m := res.(map[string]any)
		for _, in := range m["interaction"].([]any) {
			interactions[m["type"].(string)] = append(interactions[m["type"].(string)], in.(map[string]any)["code"].(string))
		}
	}
	require.Equal(t, map[string][]string{"Slot": {"search-type"}, "Appointment": {"read", "vread", "update", "create", "search-type"}}, interactions)
}

func TestSlotSearch(t *testing.T) {
	f := newFixture(t)
	q := "/Slot?service-type=" + url.QueryEscape(vaccination)
	tests := []struct {
		name   string
		target string
		actor  string
		status int
		n      int
		code   string
		expr   string
	}{
		{"all", q + "&_count=3", client1, 200, 3, "", ""},
		{"start window", q + "&start=ge2027-03-30T06:30:00Z&start=lt2027-03-30T07:00:00Z", client1, 200, 2, "", ""},
		{"a date", q + "&start=2027-03-30&_count=100", client1, 200, 4, "", ""},
		{"le an instant", q + "&start=le2027-03-30T06:15:00Z&_count=100", client1, 200, 2, "", ""},
		{"eq an instant", q + "&start=eq2027-03-30T06:30:00Z", client1, 200, 1, "", ""},
		{"after a day, before another", q + "&start=gt2027-03-29&start=lt2027-03-31&_count=100", client1, 200, 4, "", ""},
		{"unknown prefix", q + "&start=ne2027-03-30", client1, 400, 0, "invalid", "start"},
		{"schedule", q + "&schedule=Schedule/nurse-1&_count=1", client1, 200, 1, "", ""},
		{"status free", q + "&status=free&_count=1", client1, 200, 1, "", ""},
		{"another channel", q + "&appointment-type=" + url.QueryEscape(fhir.ChannelSystem+"|video"), client1, 200, 0, "", ""},
		{"status busy: none kept", q + "&status=busy", client1, 200, 0, "", ""},
		{"status busy or free", q + "&status=busy,free&_count=1", client1, 200, 1, "", ""},
		{"status free and busy", q + "&status=free&status=busy", client1, 200, 0, "", ""},
		{"not a slot status", q + "&status=open", client1, 400, 0, "invalid", "status"},
		{"the national visit channel", q + "&_count=1&appointment-type=" + url.QueryEscape(fhir.NationalVisitChannelSystem+"|10"), client1, 200, 1, "", ""},
		{"the national visit channel as a URN", q + "&_count=1&appointment-type=" + url.QueryEscape("urn:oid:"+fhir.NationalVisitChannelSystem+"|10"), client1, 200, 1, "", ""},
		{"video or in person", q + "&_count=1&appointment-type=" + url.QueryEscape(fhir.ChannelSystem+"|video,"+fhir.ChannelSystem+"|in_person"), client1, 200, 1, "", ""},
		{"an unmapped national channel", q + "&appointment-type=" + url.QueryEscape(fhir.NationalVisitChannelSystem+"|99"), client1, 400, 0, "invalid", "appointment-type"},
		{"an unknown channel", q + "&appointment-type=" + url.QueryEscape(fhir.ChannelSystem+"|pigeon"), client1, 400, 0, "invalid", "appointment-type"},
		{"a foreign service coding not mapped", "/Slot?service-type=" + url.QueryEscape("urn:oid:1.2.246.537.6.49.201501|X1"), client1, 400, 0, "invalid", "service-type"},
		{"no service type", "/Slot", client1, 400, 0, "invalid", "service-type"},
		{"unknown service", "/Slot?service-type=" + url.QueryEscape(fhir.ServiceSystem+"north|x"), client1, 404, 0, "not-found", ""},
		{"unknown parameter, ignored", q + "&colour=red&_count=1", client1, 200, 1, "", ""},
		{"bad count", q + "&_count=0", client1, 400, 0, "invalid", "_count"},
		{"bad date", q + "&start=ge30.3.2027", client1, 400, 0, "invalid", "start"},
		{"no requester", q, "", 401, 0, "login", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, http.MethodGet, tc.target, tc.actor, nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status != 200 {
				code, expr := issue(t, r)
				require.Equal(t, tc.code, code)
				if tc.expr != "" {
					require.Equal(t, []any{tc.expr}, expr)
				}
				return
			}
			slots := entries(t, r)
			require.Len(t, slots, tc.n)
			for _, s := range slots {
				require.Equal(t, "Slot", s["resourceType"])
				require.Equal(t, "free", s["status"])
				require.Equal(t, map[string]any{"reference": "Schedule/nurse-1"}, s["schedule"])
			}
			if tc.n > 0 {
				e := r.body["entry"].([]any)[0].(map[string]any)
				require.True(t, strings.HasPrefix(e["fullUrl"].(string), "https://fhir.example.org/r4/Slot/"))
			}
		})
	}
	r := f.do(t, http.MethodPost, q, client1, nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	require.Equal(t, "GET", r.header.Get("Allow"))
	r = f.do(t, http.MethodGet, "/Patient/x", client1, nil)
	require.Equal(t, http.StatusNotFound, r.status)
}

// TestSlotSearchMappedService searches by a foreign serviceType coding the
// host maps to its service (fhir.Config.Services).
func TestSlotSearchMappedService(t *testing.T) {
	thl := fhir.ServiceCoding{System: "urn:oid:1.2.246.537.6.49.201501", Code: "X1"}
	m, err := fhir.New(fhir.Config{Services: map[fhir.ServiceCoding]fhir.Service{thl: {Area: "north", Service: "vaccination"}}})
	require.NoError(t, err)
	f := newFixture(t, func(c *fhirapi.Config) { c.Mapping = m })
	r := f.do(t, http.MethodGet, "/Slot?_count=2&service-type="+url.QueryEscape(thl.System+"|"+thl.Code), client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Len(t, entries(t, r), 2)
	for _, s := range entries(t, r) {
		// The library's coding first, then the host's mapped coding (exported
		// so that other systems can read the service in their own terms).
		require.Equal(t, []any{map[string]any{"coding": []any{
			map[string]any{"system": fhir.ServiceSystem + "north", "code": "vaccination"},
			map[string]any{"system": thl.System, "code": thl.Code},
		}}}, s["serviceType"])
	}
}

// governed is a governed catalogue with one service.
type governed struct{ svc booking.Service }

func (g governed) Services(_ context.Context, area carecontact.AreaID, _ time.Time) ([]booking.Service, string, error) {
	if area != g.svc.Area {
		return nil, "", nil
	}
	return []booking.Service{g.svc}, "v1", nil
}

// TestSlotSearchGovernedService searches a service of the governed
// catalogue (booking.Config.Services), not in the static one.
func TestSlotSearchGovernedService(t *testing.T) {
	flu := booking.Service{Code: "flu", Area: "north", Names: civil.Names{FI: "Influenssarokotus", SV: "Influensavaccination", EN: "Flu vaccination"},
		Duration: 15 * time.Minute, Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}, MinNotice: time.Hour}
	f := newFixture(t, func(c *booking.Config) { c.Services = governed{flu} })
	r := f.do(t, http.MethodGet, "/Slot?_count=2&service-type="+url.QueryEscape(fhir.ServiceSystem+"north|flu"), client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Len(t, entries(t, r), 2)
}

func parameters(ps ...map[string]any) map[string]any {
	var list []any
	for _, p := range ps {
		list = append(list, p)
	}
	return map[string]any{"resourceType": "Parameters", "parameter": list}
}

// TestFindHoldBook runs the IHE scheduling flow: $find proposes, $hold
// holds one proposal, $book confirms it under If-Match, then reads and
// searches see it, with the booker's access model and audit.
func TestFindHoldBook(t *testing.T) {
	f := newFixture(t)
	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	r := f.do(t, http.MethodGet, find, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	proposals := entries(t, r)
	require.Len(t, proposals, 4)
	for _, p := range proposals {
		require.Equal(t, "proposed", p["status"])
	}
	require.Contains(t, string(r.raw), `"reference":"Practitioner/nurse-1"`)
	require.Contains(t, string(r.raw), `"reference":"Patient/client-1"`)

	// The same by POST with a Parameters resource.
	r = f.do(t, http.MethodPost, "/Appointment/$find", client1, parameters(
		map[string]any{"name": "start", "valueDateTime": "2027-03-30T06:00:00Z"},
		map[string]any{"name": "end", "valueDateTime": "2027-03-30T07:00:00Z"},
		map[string]any{"name": "service-type", "valueCoding": map[string]any{"system": fhir.ServiceSystem + "north", "code": "vaccination"}}))
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Len(t, entries(t, r), 4)

	// $hold needs the proposal itself.
	r = f.do(t, http.MethodPost, "/Appointment/$hold", client1, parameters(map[string]any{"name": "appointment-reference", "valueReference": map[string]any{"reference": "Appointment/proposed-1"}}))
	require.Equal(t, http.StatusBadRequest, r.status)
	_, expr := issue(t, r)
	require.Equal(t, []any{"appointment-resource"}, expr)
	r = f.do(t, http.MethodPost, "/Appointment/$hold", client1, parameters(map[string]any{"name": "appointment-resource", "resource": proposals[0]}))
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	require.Equal(t, "pending", r.body["status"])
	require.Equal(t, `W/"1"`, r.header.Get("ETag"))
	require.Equal(t, map[string]any{"versionId": "1", "lastUpdated": "2027-03-29T06:20:00Z"}, r.body["meta"])
	id := r.body["id"].(string)
	require.Equal(t, "apt.5F1", id, "the internal id apt_1 as a FHIR id")
	require.Equal(t, "https://fhir.example.org/r4/Appointment/"+id+"/_history/1", r.header.Get("Location"))

	// Another client cannot hold the same time.
	r = f.do(t, http.MethodPost, "/Appointment/$hold", "client:client-2", parameters(map[string]any{"name": "appointment-resource", "resource": proposals[0]}))
	require.Equal(t, http.StatusForbidden, r.status, string(r.raw))

	book := parameters(map[string]any{"name": "appointment-reference", "valueReference": map[string]any{"reference": "Appointment/" + id}})
	r = f.do(t, http.MethodPost, "/Appointment/$book", client1, book, "If-Match", `W/"7"`)
	require.Equal(t, http.StatusPreconditionFailed, r.status, string(r.raw))
	code, _ := issue(t, r)
	require.Equal(t, "conflict", code)
	r = f.do(t, http.MethodPost, "/Appointment/$book", "client:client-2", book)
	require.Equal(t, http.StatusForbidden, r.status, string(r.raw))
	r = f.do(t, http.MethodPost, "/Appointment/$book", client1, book, "If-Match", `W/"1"`)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Equal(t, "booked", r.body["status"])
	require.Equal(t, `W/"2"`, r.header.Get("ETag"))

	// Booking a proposal directly.
	r = f.do(t, http.MethodPost, "/Appointment/$book", client1, parameters(map[string]any{"name": "appointment-resource", "resource": proposals[1]}))
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	require.Equal(t, "booked", r.body["status"])
	// The same time again is taken.
	r = f.do(t, http.MethodPost, "/Appointment/$book", client1, parameters(map[string]any{"name": "appointment-resource", "resource": proposals[1]}))
	require.Equal(t, http.StatusConflict, r.status, string(r.raw))

	// Read.
	r = f.do(t, http.MethodGet, "/Appointment/"+id, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Equal(t, "booked", r.body["status"])
	require.Equal(t, `W/"2"`, r.header.Get("ETag"))
	require.Equal(t, map[string]any{"versionId": "2", "lastUpdated": "2027-03-29T06:20:00Z"}, r.body["meta"])
	require.Equal(t, "Mon, 29 Mar 2027 06:20:00 GMT", r.header.Get("Last-Modified"))
	for _, tc := range []struct {
		name, target, actor string
		status              int
		code                string
	}{
		{"another client", "/Appointment/" + id, "client:client-2", 403, "forbidden"},
		{"unknown", "/Appointment/apt-99", client1, 404, "not-found"},
		{"not a FHIR id", "/Appointment/apt_1", client1, 400, "invalid"},
		{"no requester", "/Appointment/" + id, "", 401, "login"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, http.MethodGet, tc.target, tc.actor, nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			code, _ := issue(t, r)
			require.Equal(t, tc.code, code)
		})
	}

	// Search.
	for _, tc := range []struct {
		name, query, actor string
		status, n          int
	}{
		{"a client's", "patient=Patient/client-1", client1, 200, 2},
		{"by a professional", "patient=Patient/client-1", "professional:nurse-1", 200, 2},
		{"booked on the day", "patient=Patient/client-1&status=booked&date=2027-03-30", client1, 200, 2},
		{"pending", "patient=Patient/client-1&status=pending", client1, 200, 0},
		{"later", "patient=Patient/client-1&date=ge2027-04-01", client1, 200, 0},
		{"actor", "patient=Patient/client-1&actor=Practitioner/nurse-1", client1, 200, 2},
		{"another actor", "patient=Patient/client-1&actor=Practitioner/nurse-2", client1, 200, 0},
		{"the patient as the actor", "patient=Patient/client-1&actor=Patient/client-1", client1, 200, 2},
		{"another patient as the actor", "patient=Patient/client-1&actor=Patient/client-2", client1, 200, 0},
		{"actor not a reference", "patient=Patient/client-1&actor=nurse-1", client1, 400, 0},
		{"another client's", "patient=Patient/client-1", "client:client-2", 403, 0},
		{"no patient", "status=booked", client1, 400, 0},
		{"bad status", "patient=Patient/client-1&status=done", client1, 400, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, http.MethodGet, "/Appointment?"+tc.query, tc.actor, nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status == 200 {
				require.Len(t, entries(t, r), tc.n)
			} else {
				issue(t, r)
			}
		})
	}

	// The booker's audit saw the reads and the refusals.
	events, err := f.audit.Events(context.Background(), audit.Filter{})
	require.NoError(t, err)
	var reads, denied int
	for _, e := range events {
		if e.Action == "booking.read" && e.Outcome == audit.Allowed {
			reads++
		}
		if e.Outcome == audit.Denied {
			denied++
		}
	}
	require.Positive(t, reads)
	require.Positive(t, denied)
}

func TestOperationsRefuseBadInput(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		method string
		target string
		body   any
		status int
		expr   string
	}{
		{"find without service", http.MethodGet, "/Appointment/$find?start=2027-03-30", nil, 400, "service-type"},
		{"find for nobody", http.MethodGet, "/Appointment/$find?service-type=" + url.QueryEscape(vaccination), nil, 400, "patient"},
		{"hold by GET", http.MethodGet, "/Appointment/$hold", nil, 405, ""},
		{"not Parameters", http.MethodPost, "/Appointment/$book", map[string]any{"resourceType": "Appointment"}, 400, "Parameters"},
		{"book nothing", http.MethodPost, "/Appointment/$book", parameters(), 400, "appointment-reference"},
		{"bad reference", http.MethodPost, "/Appointment/$book", parameters(map[string]any{"name": "appointment-reference", "valueReference": map[string]any{"reference": "Slot/x"}}), 400, "appointment-reference"},
		{"bad resource", http.MethodPost, "/Appointment/$hold", parameters(map[string]any{"name": "appointment-resource", "resource": map[string]any{"resourceType": "Appointment", "id": "x", "status": "maybe"}}), 400, "Appointment.status"},
		{"unknown parameter", http.MethodPost, "/Appointment/$hold", parameters(map[string]any{"name": "colour", "valueString": "red"}), 400, "colour"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			actor := client1
			if tc.name == "find for nobody" {
				actor = "professional:nurse-1"
			}
			r := f.do(t, tc.method, tc.target, actor, tc.body)
			require.Equal(t, tc.status, r.status, string(r.raw))
			_, expr := issue(t, r)
			if tc.expr != "" {
				require.Equal(t, []any{tc.expr}, expr)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	_, err := fhirapi.New(fhirapi.Config{})
	require.ErrorIs(t, err, carecontact.ErrInvalid)
	_, err = fhirapi.New(fhirapi.Config{Booker: &booking.Booker{}})
	require.ErrorIs(t, err, carecontact.ErrInvalid)
	_, err = fhirapi.New(fhirapi.Config{Booker: &booking.Booker{}, Requester: func(*http.Request) (booking.Requester, error) { return booking.Requester{}, nil }, Base: "relative/path"})
	require.ErrorIs(t, err, carecontact.ErrInvalid)
}

// FuzzOperations sends outside bodies to $hold and $book: every answer is
// FHIR JSON (an Appointment or an OperationOutcome) and none is a 500.
func FuzzOperations(f *testing.F) {
	f.Add("$hold", []byte(`{"resourceType":"Parameters","parameter":[{"name":"appointment-reference","valueReference":{"reference":"Appointment/x"}}]}`))
	f.Add("$book", []byte(`{"resourceType":"Parameters","parameter":[{"name":"appointment-resource","resource":{"resourceType":"Appointment","id":"p","status":"proposed"}}]}`))
	f.Add("$find", []byte(`{"resourceType":"Parameters","parameter":[{"name":"start","valueDateTime":"2027-03-30"}]}`))
	f.Add("$hold", []byte(`{"resourceType":"Parameters","parameter":[{"name":"appointment-resource","resource":{"resourceType":"Appointment","id":"p","status":"cancelled"}}]}`))
	f.Add("_search", []byte(`patient=Patient%2Fclient-1&actor=Location%2Fnurse-1&_count=1&_summary=count`))
	f.Add("x/_history/1", []byte(``))
	f.Add("x/_history/0", []byte(``))
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/Appointment/"+url.PathEscape(op), bytes.NewReader(body))
		req.Header.Set("X-Test-Actor", client1)
		if op == "_search" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", rec.Body.String())
		}
		if rt := m["resourceType"]; rt != "OperationOutcome" && rt != "Appointment" && rt != "Bundle" {
			t.Fatalf("answered a %v", rt)
		}
		if problems := fx.v.Validate(rec.Body.Bytes()); len(problems) > 0 {
			t.Fatalf("not valid R4: %v: %s", problems, rec.Body.String())
		}
	})
}

// TestTransaction is a booking change POSTed to the base as a transaction
// Bundle: a new booking, its cancellation (If-Match on the version), and
// the changes the API refuses.
func TestTransaction(t *testing.T) {
	f := newFixture(t)
	const client1 = "client:client-1"
	start := time.Date(2027, time.March, 30, 6, 0, 0, 0, time.UTC) // 09:00 in Helsinki
	appt := booking.Appointment{ID: "apt-t1", Client: "client-1", Area: "north", Service: "vaccination",
		Start: start, End: start.Add(15 * time.Minute), Participants: []booking.CalendarID{"nurse-1"}, Status: booking.StatusBooked}
	slot := booking.Slot{Area: "north", Service: "vaccination", Start: appt.Start, End: appt.End, Participants: appt.Participants}
	post := func(t *testing.T, a booking.Appointment, taken, freed []booking.Slot, actor string) response {
		t.Helper()
		data, err := fhir.ExportBookingTransaction(a, taken, freed)
		require.NoError(t, err)
		return f.do(t, http.MethodPost, "/", actor, json.RawMessage(data))
	}
	responses := func(t *testing.T, r response) []map[string]any {
		t.Helper()
		require.Equal(t, "transaction-response", r.body["type"], string(r.raw))
		var out []map[string]any
		for _, e := range r.body["entry"].([]any) {
			out = append(out, e.(map[string]any)["response"].(map[string]any))
		}
		return out
	}

	// The slot is outside the appointment's time.
	late := slot
	late.Start, late.End = slot.Start.Add(time.Hour), slot.End.Add(time.Hour)
	r := post(t, appt, []booking.Slot{late}, nil, client1)
	require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
	// A new appointment frees nothing.
	r = post(t, appt, []booking.Slot{slot}, []booking.Slot{slot}, client1)
	require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
	// No requester.
	r = post(t, appt, []booking.Slot{slot}, nil, "")
	require.Equal(t, http.StatusUnauthorized, r.status, string(r.raw))

	// A new booking: 201 for the appointment, 200 for its slot.
	r = post(t, appt, []booking.Slot{slot}, nil, client1)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	rs := responses(t, r)
	require.Len(t, rs, 2)
	require.Equal(t, "201 Created", rs[0]["status"])
	require.Equal(t, `W/"1"`, rs[0]["etag"])
	loc := rs[0]["location"].(string)
	// Absolute under the base, as the Location header of a create is.
	require.Regexp(t, `^https://fhir\.example\.org/r4/Appointment/[A-Za-z0-9.\-]+/_history/1$`, loc)
	require.Equal(t, map[string]any{"status": "200 OK"}, rs[1])
	res := r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	require.Equal(t, "booked", res["status"])
	id := res["id"].(string)
	// Each entry has its fullUrl under the base: the stored appointment's,
	// the slot's of its request.
	es := r.body["entry"].([]any)
	require.Equal(t, "https://fhir.example.org/r4/Appointment/"+id, es[0].(map[string]any)["fullUrl"])
	require.Regexp(t, `^https://fhir\.example\.org/r4/Slot/[^/]+$`, es[1].(map[string]any)["fullUrl"])

	// Without a base, entries have no fullUrl and locations are relative.
	noBase := newFixture(t, func(c *fhirapi.Config) { c.Base = "" })
	data, err := fhir.ExportBookingTransaction(appt, []booking.Slot{slot}, nil)
	require.NoError(t, err)
	r = noBase.do(t, http.MethodPost, "/", client1, json.RawMessage(data))
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	for _, e := range r.body["entry"].([]any) {
		require.NotContains(t, e.(map[string]any), "fullUrl")
	}
	require.Regexp(t, `^Appointment/[A-Za-z0-9.\-]+/_history/1$`, responses(t, r)[0]["location"])
	// The same time again is taken.
	r = post(t, appt, []booking.Slot{slot}, nil, client1)
	require.Equal(t, http.StatusConflict, r.status, string(r.raw))

	// The stored appointment, read back, is cancelled by a PUT on its version.
	r = f.do(t, http.MethodGet, "/Appointment/"+id, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	stored, err := fhir.ImportAppointment(r.raw)
	require.NoError(t, err)
	stored.Version = 1
	cancel := stored
	cancel.Status, cancel.CancelReason, cancel.Version = booking.StatusCancelled, "the client cannot come", 2
	// Rebooked at another time with the slots the wrong way round: the
	// taken one is the old time (TestReschedule has the reschedules).
	moved := stored
	moved.Start, moved.End, moved.Version = stored.Start.Add(time.Hour), stored.End.Add(time.Hour), 2
	r = post(t, moved, []booking.Slot{slot}, []booking.Slot{late}, client1)
	require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
	// Another client may not.
	r = post(t, cancel, nil, []booking.Slot{slot}, "client:client-2")
	require.Equal(t, http.StatusForbidden, r.status, string(r.raw))
	// A stale version.
	stale := cancel
	stale.Version = 3
	r = post(t, stale, nil, []booking.Slot{slot}, client1)
	require.Equal(t, http.StatusPreconditionFailed, r.status, string(r.raw))
	r = post(t, cancel, nil, []booking.Slot{slot}, client1)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	rs = responses(t, r)
	require.Equal(t, "200 OK", rs[0]["status"])
	require.Equal(t, `W/"2"`, rs[0]["etag"])
	res = r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	require.Equal(t, "cancelled", res["status"])

	// A hold (pending), then its confirmation on its version.
	hold := appt
	hold.Status = booking.StatusPending
	hold.Start, hold.End = start.Add(15*time.Minute), start.Add(30*time.Minute)
	held := slot
	held.Start, held.End = hold.Start, hold.End
	r = post(t, hold, []booking.Slot{held}, nil, client1)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Equal(t, "201 Created", responses(t, r)[0]["status"])
	res = r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	require.Equal(t, "pending", res["status"])
	pending, err := fhir.ImportAppointment(mustJSON(t, res))
	require.NoError(t, err)
	pending.Status, pending.Version = booking.StatusBooked, 2
	r = post(t, pending, []booking.Slot{held}, nil, client1)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Equal(t, "200 OK", responses(t, r)[0]["status"])
	res = r.body["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	require.Equal(t, "booked", res["status"])
	require.Equal(t, map[string]any{"versionId": "2", "lastUpdated": "2027-03-29T06:20:00Z"}, res["meta"])

	// Not a transaction; not POST.
	r = f.do(t, http.MethodPost, "/", client1, map[string]any{"resourceType": "Bundle", "type": "collection"})
	require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
	r = f.do(t, http.MethodGet, "/", client1, nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status, string(r.raw))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}

// TestDeniedRequestsAuditedWithoutInternals asks for what the requester may
// not see, with a client reference that looks like an identity code among
// them: each is 403, the refusal is audited (the client redacted, never the
// code) and the diagnostics are the sentinel's text, not the error chain.
func TestDeniedRequestsAuditedWithoutInternals(t *testing.T) {
	const code = "010101-123N"
	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	tests := []struct {
		name, target, actor string
		group               string // the requester's client group; "" is adult
		action              string // the denied event's; "" is booking.read
		client              carecontact.ClientRef
	}{
		{"an identity code as the patient id", "/Appointment?patient=Patient/" + code, client1, "", "", audit.Redacted},
		{"another client", "/Appointment?patient=Patient/client-2", client1, "", "", "client-2"},
		{"a slot search of a group that may not self-book", "/Slot?service-type=" + url.QueryEscape(vaccination), client1, "child", "booking.search", "client-1"},
		{"$find of a group that may not self-book", find, client1, "child", "booking.search", "client-1"},
		{"$find for another client", find + "&patient=Patient/client-2", client1, "", "booking.search", "client-2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *fhirapi.Config) {
				if tc.group == "" {
					return
				}
				requester := c.Requester
				c.Requester = func(r *http.Request) (booking.Requester, error) {
					by, err := requester(r)
					by.ClientGroup = tc.group
					return by, err
				}
			})
			r := f.do(t, http.MethodGet, tc.target, tc.actor, nil)
			require.Equal(t, http.StatusForbidden, r.status, string(r.raw))
			c, _ := issue(t, r)
			require.Equal(t, "forbidden", c)
			diag := r.body["issue"].([]any)[0].(map[string]any)["diagnostics"].(string)
			require.Equal(t, booking.ErrNotAllowed.Error(), diag)
			if tc.group != "" {
				require.NotContains(t, string(r.raw), tc.group)
			}
			require.NotContains(t, string(r.raw), "audit")
			require.NotContains(t, string(r.raw), code)
			events, err := f.audit.Events(context.Background(), audit.Filter{})
			require.NoError(t, err)
			var denied []audit.Event
			for _, e := range events {
				require.NotContains(t, fmt.Sprintf("%+v", e), code)
				if e.Outcome == audit.Denied {
					denied = append(denied, e)
				}
			}
			require.Len(t, denied, 1)
			action := tc.action
			if action == "" {
				action = "booking.read"
			}
			require.Equal(t, action, denied[0].Action)
			require.Equal(t, audit.Actor{Kind: audit.ActorClient, ID: "client-1"}, denied[0].Actor)
			require.Equal(t, tc.client, denied[0].Client)
		})
	}
}

// TestHoldAndBookWantAProposal sends $find's proposal back to $hold and
// $book with another status: only proposed is held or booked (IHE), others
// are 400 naming Appointment.status and nothing is held.
func TestHoldAndBookWantAProposal(t *testing.T) {
	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	tests := []struct {
		name, op string
		change   map[string]any
		status   int
	}{
		{"hold cancelled", "$hold", map[string]any{"status": "cancelled", "cancelationReason": map[string]any{"text": "x"}}, 400},
		{"hold booked", "$hold", map[string]any{"status": "booked"}, 400},
		{"hold fulfilled", "$hold", map[string]any{"status": "fulfilled"}, 400},
		{"hold proposed", "$hold", nil, 201},
		{"book cancelled", "$book", map[string]any{"status": "cancelled", "cancelationReason": map[string]any{"text": "x"}}, 400},
		{"book booked", "$book", map[string]any{"status": "booked"}, 400},
		{"book proposed", "$book", nil, 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.do(t, http.MethodGet, find, client1, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.raw))
			res := entries(t, r)[0]
			for k, v := range tc.change {
				res[k] = v
			}
			r = f.do(t, http.MethodPost, "/Appointment/"+tc.op, client1, parameters(map[string]any{"name": "appointment-resource", "resource": res}))
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status != 400 {
				return
			}
			_, expr := issue(t, r)
			require.Equal(t, []any{"Appointment.status"}, expr)
			r = f.do(t, http.MethodGet, "/Appointment?patient=Patient/client-1", client1, nil)
			require.Empty(t, entries(t, r), "nothing held or booked")
		})
	}
}

// TestVread follows the Location of a new appointment: it is absolute
// under Config.Base and a vread of it answers the appointment; only the
// current version is kept, so an older or later one is 404.
func TestVread(t *testing.T) {
	f := newFixture(t)
	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	r := f.do(t, http.MethodGet, find, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	r = f.do(t, http.MethodPost, "/Appointment/$hold", client1, parameters(map[string]any{"name": "appointment-resource", "resource": entries(t, r)[0]}))
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	loc := r.header.Get("Location")
	const base = "https://fhir.example.org/r4/"
	require.True(t, strings.HasPrefix(loc, base), loc)
	id := r.body["id"].(string)
	r = f.do(t, http.MethodPost, "/Appointment/$book", client1, parameters(map[string]any{"name": "appointment-reference", "valueReference": map[string]any{"reference": "Appointment/" + id}}))
	require.Equal(t, http.StatusOK, r.status, string(r.raw)) // now version 2
	tests := []struct {
		name, target, actor string
		status              int
		code                string
	}{
		{"the current version", "/Appointment/" + id + "/_history/2", client1, 200, ""},
		{"the Location of the hold, an older version", "/" + strings.TrimPrefix(loc, base), client1, 404, "not-found"},
		{"a later version", "/Appointment/" + id + "/_history/3", client1, 404, "not-found"},
		{"not a version", "/Appointment/" + id + "/_history/x", client1, 400, "invalid"},
		{"version zero", "/Appointment/" + id + "/_history/0", client1, 400, "invalid"},
		{"unknown appointment", "/Appointment/apt-99/_history/1", client1, 404, "not-found"},
		{"another client", "/Appointment/" + id + "/_history/2", "client:client-2", 403, "forbidden"},
		{"no requester", "/Appointment/" + id + "/_history/2", "", 401, "login"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, http.MethodGet, tc.target, tc.actor, nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status != 200 {
				code, _ := issue(t, r)
				require.Equal(t, tc.code, code)
				return
			}
			require.Equal(t, "booked", r.body["status"])
			require.Equal(t, `W/"2"`, r.header.Get("ETag"))
			require.Equal(t, "2", r.body["meta"].(map[string]any)["versionId"])
		})
	}
	r = f.do(t, http.MethodPut, "/Appointment/"+id+"/_history/2", client1, nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
}

// TestSearchSemantics checks the R4 search rules of the Slot and
// Appointment searches: the self link lists the parameters used; unknown
// parameters (_summary, _elements among them) are ignored unless
// "Prefer: handling=strict"; _count pages with total the number of
// matches; POST to _search with a form body searches the same; an actor's
// type is respected.
func TestSearchSemantics(t *testing.T) {
	f := newFixture(t)
	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	r := f.do(t, http.MethodGet, find, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	for _, p := range entries(t, r)[:3] {
		r := f.do(t, http.MethodPost, "/Appointment/$book", client1, parameters(map[string]any{"name": "appointment-resource", "resource": p}))
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	}
	const base = "https://fhir.example.org/r4/"
	svc := "service-type=" + url.QueryEscape(vaccination)
	window := "&start=ge2027-03-30T06:00:00Z&start=lt2027-03-30T07:00:00Z" // one free slot left: 09:45
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, method, target, body string
		headers                    []string
		status, n                  int
		total                      any // nil: not checked
		self, expr                 string
	}{
		{"slots: self link", "GET", "/Slot?" + svc + "&_count=1", "", nil, 200, 1, nil, base + "Slot?_count=1&" + svc, ""},
		{"slots: _summary, _elements and unknown ignored", "GET", "/Slot?" + svc + window + "&_summary=count&_elements=status&colour=red", "", nil, 200, 1, 1.0,
			base + "Slot?" + svc + "&start=ge2027-03-30T06%3A00%3A00Z&start=lt2027-03-30T07%3A00%3A00Z", ""},
		{"slots: strict refuses _summary", "GET", "/Slot?" + svc + "&_summary=count", "", []string{"Prefer", "handling=strict"}, 400, 0, nil, "", "_summary"},
		{"slots: strict refuses an unknown", "GET", "/Slot?" + svc + "&colour=red", "", []string{"Prefer", "return=minimal, handling=strict"}, 400, 0, nil, "", "colour"},
		{"slots: lenient asked", "GET", "/Slot?" + svc + "&colour=red&_count=2", "", []string{"Prefer", "handling=lenient"}, 200, 2, nil, base + "Slot?_count=2&" + svc, ""},
		{"slots: total is the matches, not the page", "GET", "/Slot?" + svc + "&start=2027-04-05&_count=2", "", nil, 200, 2, 4.0, "", ""},
		{"slots: POST _search", "POST", "/Slot/_search", svc + window, []string{"Content-Type", form}, 200, 1, 1.0, "", ""},
		{"slots: POST _search with query and body", "POST", "/Slot/_search?" + svc, "_count=2", []string{"Content-Type", form}, 200, 2, nil, base + "Slot?_count=2&" + svc, ""},
		{"slots: POST _search not a form", "POST", "/Slot/_search", `{"a":1}`, []string{"Content-Type", "application/json"}, 400, 0, nil, "", "Content-Type"},
		{"slots: GET _search", "GET", "/Slot/_search?" + svc, "", nil, 405, 0, nil, "", ""},
		{"appointments: _count", "GET", "/Appointment?patient=Patient/client-1&_count=2", "", nil, 200, 2, 3.0, base + "Appointment?_count=2&patient=Patient%2Fclient-1", ""},
		{"appointments: all", "GET", "/Appointment?patient=Patient/client-1&_elements=id", "", nil, 200, 3, 3.0, base + "Appointment?patient=Patient%2Fclient-1", ""},
		{"appointments: strict", "GET", "/Appointment?patient=Patient/client-1&_elements=id", "", []string{"Prefer", "handling=strict"}, 400, 0, nil, "", "_elements"},
		{"appointments: bad _count", "GET", "/Appointment?patient=Patient/client-1&_count=0", "", nil, 400, 0, nil, "", "_count"},
		{"appointments: POST _search", "POST", "/Appointment/_search", "patient=Patient%2Fclient-1&_count=1", []string{"Content-Type", form}, 200, 1, 3.0, "", ""},
		{"appointments: the practitioner", "GET", "/Appointment?patient=Patient/client-1&actor=Practitioner/nurse-1", "", nil, 200, 3, 3.0, "", ""},
		{"appointments: a location of the same id", "GET", "/Appointment?patient=Patient/client-1&actor=Location/nurse-1", "", nil, 200, 0, 0.0, "", ""},
		{"appointments: POST _search the location", "POST", "/Appointment/_search", "patient=Patient%2Fclient-1&actor=Location%2Fnurse-1", []string{"Content-Type", form}, 200, 0, 0.0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.doRaw(t, tc.method, tc.target, client1, tc.body, tc.headers...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status != 200 {
				_, expr := issue(t, r)
				if tc.expr != "" {
					require.Equal(t, []any{tc.expr}, expr)
				}
				return
			}
			require.Len(t, entries(t, r), tc.n)
			if tc.total != nil {
				require.Equal(t, tc.total, r.body["total"])
			}
			if tc.self != "" {
				require.Equal(t, tc.self, r.body["link"].([]any)[0].(map[string]any)["url"])
			}
		})
	}
}

// doRaw is do with a body sent as it is.
func (f fixture) doRaw(t *testing.T, method, target, actor, body string, headers ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("X-Test-Actor", actor)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	out := response{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out.body), rec.Body.String())
	require.Empty(t, f.v.Validate(rec.Body.Bytes()), rec.Body.String())
	return out
}

// TestFindAudited runs $find for the patients a requester may and may not
// search for: each is audited as booking.search with the caller and the
// client; a refusal is 403, an identity code as the patient 400 "looks
// like personal data", the code never echoed nor recorded.
func TestFindAudited(t *testing.T) {
	const code = "010101-123N"
	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	tests := []struct {
		name, target, actor string
		status              int
		outcome             audit.Outcome
		client              carecontact.ClientRef
		expr                string
	}{
		{"the caller", find, client1, 200, audit.Allowed, "client-1", ""},
		{"the caller named", find + "&patient=Patient/client-1", client1, 200, audit.Allowed, "client-1", ""},
		{"another client's channel: none match, still checked", find + "&patient=Patient/client-2&appointment-type=" + url.QueryEscape(fhir.ChannelSystem+"|video"), client1, 403, audit.Denied, "client-2", ""},
		{"another client", find + "&patient=Patient/client-2", client1, 403, audit.Denied, "client-2", ""},
		{"an identity code", find + "&patient=Patient/" + code, client1, 400, audit.Denied, audit.Redacted, "patient"},
		{"the system for a client", find + "&patient=Patient/client-2", "system:reminders", 200, audit.Allowed, "client-2", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.do(t, http.MethodGet, tc.target, tc.actor, nil)
			require.Equal(t, tc.status, r.status, string(r.raw))
			require.NotContains(t, string(r.raw), code)
			if tc.status != 200 {
				_, expr := issue(t, r)
				if tc.expr != "" {
					require.Equal(t, []any{tc.expr}, expr)
					diag := r.body["issue"].([]any)[0].(map[string]any)["diagnostics"].(string)
					require.Contains(t, diag, "looks like personal data")
				}
			} else {
				require.NotEmpty(t, entries(t, r))
			}
			events, err := f.audit.Events(context.Background(), audit.Filter{Action: "booking.search"})
			require.NoError(t, err)
			require.Len(t, events, 1)
			kind, id, _ := strings.Cut(tc.actor, ":")
			require.Equal(t, audit.Actor{Kind: audit.ActorKind(kind), ID: id}, events[0].Actor)
			require.Equal(t, tc.outcome, events[0].Outcome)
			require.Equal(t, tc.client, events[0].Client)
			require.NotContains(t, fmt.Sprintf("%+v", events[0]), code)
		})
	}
}

// TestContentNegotiation answers only JSON: an Accept or _format that
// wants none of it is 406, and a body of another media type 415 (the
// form-encoded body of a POST _search aside); both with an
// OperationOutcome in JSON.
func TestContentNegotiation(t *testing.T) {
	slots := "/Slot?_count=1&service-type=" + url.QueryEscape(vaccination)
	appt := `{"resourceType":"Appointment","status":"booked"}`
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, method, target, body string
		headers                    []string
		status                     int
	}{
		{"no Accept", "GET", slots, "", nil, 200},
		{"fhir+json", "GET", slots, "", []string{"Accept", "application/fhir+json"}, 200},
		{"json", "GET", slots, "", []string{"Accept", "application/json"}, 200},
		{"any", "GET", slots, "", []string{"Accept", "*/*"}, 200},
		{"any application", "GET", slots, "", []string{"Accept", "application/*"}, 200},
		{"xml or json", "GET", slots, "", []string{"Accept", "application/fhir+xml;q=0.9, application/fhir+json;q=0.5"}, 200},
		{"fhir+json with version", "GET", "/metadata", "", []string{"Accept", "application/fhir+json; fhirVersion=4.0"}, 200},
		{"_format json", "GET", slots + "&_format=json", "", nil, 200},
		{"_format fhir+json", "GET", slots + "&_format=" + url.QueryEscape("application/fhir+json"), "", []string{"Accept", "application/fhir+xml"}, 200},
		{"fhir+xml", "GET", slots, "", []string{"Accept", "application/fhir+xml"}, 406},
		{"xml metadata", "GET", "/metadata", "", []string{"Accept", "application/fhir+xml"}, 406},
		{"json refused by q", "GET", slots, "", []string{"Accept", "application/fhir+json;q=0, application/fhir+xml"}, 406},
		{"_format xml", "GET", slots + "&_format=xml", "", nil, 406},
		{"_format fhir+xml", "GET", slots + "&_format=" + url.QueryEscape("application/fhir+xml"), "", nil, 406},
		{"a body of fhir+json with charset and version", "POST", "/Appointment", appt, []string{"Content-Type", "application/fhir+json; charset=utf-8; fhirVersion=4.0"}, 400},
		{"a body of json", "POST", "/Appointment", appt, []string{"Content-Type", "application/json"}, 400},
		{"a body of xml", "POST", "/Appointment", "<Appointment/>", []string{"Content-Type", "application/fhir+xml"}, 415},
		{"a transaction of text", "POST", "/", appt, []string{"Content-Type", "text/plain"}, 415},
		{"a form to $find", "POST", "/Appointment/$find", "start=x", []string{"Content-Type", form}, 415},
		{"a form to _search", "POST", "/Slot/_search", "_count=1&service-type=" + url.QueryEscape(vaccination), []string{"Content-Type", form}, 200},
	}
	f := newFixture(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.doRaw(t, tc.method, tc.target, client1, tc.body, tc.headers...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			require.Equal(t, "application/fhir+json; charset=utf-8", r.header.Get("Content-Type"))
			if tc.status == 406 || tc.status == 415 {
				code, _ := issue(t, r)
				require.Equal(t, "not-supported", code)
			}
		})
	}
}
