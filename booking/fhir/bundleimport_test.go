package fhir

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

func bookingSlots() (taken, freed booking.Slot) {
	taken = booking.Slot{Area: "north", Service: "nurse-visit", Start: time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC),
		End: time.Date(2026, 12, 8, 7, 30, 0, 0, time.UTC), Participants: []booking.CalendarID{"hki_nurse_1", "room-1"}}
	freed = taken
	freed.Start, freed.End = freed.Start.Add(2*time.Hour), freed.End.Add(2*time.Hour)
	return taken, freed
}

// TestFHIRImportSearchset imports a searchset through the importers of its
// entries' types and exports each entry back unchanged, the R4 examples
// among them.
func TestFHIRImportSearchset(t *testing.T) {
	var resources [][]byte
	for _, f := range []string{"Schedule-example.json", "Slot-1.json", "Slot-2.json", "Appointment-example.json",
		"Appointment-examplereq.json", "AppointmentResponse-exampleresp.json"} {
		data, err := os.ReadFile("testdata/r4/" + f)
		require.NoError(t, err)
		resources = append(resources, data)
	}
	taken, _ := bookingSlots()
	own, err := ExportSlot(taken, SlotFree)
	require.NoError(t, err)
	resources = append(resources, own)
	for _, base := range []string{"", "https://fhir.example.org/r4"} {
		data, err := SearchsetBundle(base, resources...)
		require.NoError(t, err)
		entries, err := ImportSearchset(data)
		require.NoError(t, err)
		require.Len(t, entries, len(resources))
		for i, e := range entries {
			require.Equal(t, "match", e.Mode)
			require.Nil(t, e.Request)
			var out []byte
			switch {
			case e.Schedule != nil:
				out, err = ExportScheduleInfo(*e.Schedule)
			case e.Slot != nil:
				out, err = ExportSlotDetails(e.Slot.Slot, e.Slot.Status, e.Slot.Details)
			case e.Appointment != nil:
				out, err = ExportAppointmentDetails(e.Appointment.Appointment, e.Appointment.Details)
			case e.Response != nil:
				out, err = ExportAppointmentResponse(*e.Response)
			}
			require.NoError(t, err)
			requireSameResource(t, resources[i], out)
			if base != "" {
				require.True(t, strings.HasPrefix(e.FullURL, base+"/"), e.FullURL)
			}
		}
		got, _, err := ImportSlot(own)
		require.NoError(t, err)
		require.Equal(t, got, entries[len(entries)-1].Slot.Slot)
	}
	// An OperationOutcome entry of mode outcome (a server's warning) is
	// kept as it came.
	warn := `{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"processing"}]}`
	entries, err := ImportSearchset([]byte(`{"resourceType":"Bundle","type":"searchset","total":0,"entry":[{"resource":` + warn + `,"search":{"mode":"outcome"}}]}`))
	require.NoError(t, err)
	require.JSONEq(t, warn, string(entries[0].Outcome))
	entries, err = ImportSearchset([]byte(`{"resourceType":"Bundle","type":"searchset","total":0}`))
	require.NoError(t, err)
	require.Empty(t, entries)
}

// TestFHIRImportBookingTransaction reads back what ExportBookingTransaction
// writes: the booking, the version it replaces, the slots it takes and
// frees; exported again, the bundle is the same.
func TestFHIRImportBookingTransaction(t *testing.T) {
	taken, freed := bookingSlots()
	nurse := booking.Calendar{ID: "hki_nurse_1", Kind: booking.OwnerProfessional, Area: "north"}
	for _, version := range []int{0, 1, 4} {
		a := sampleAppointment()
		a.ID, a.Version, a.Participants = "hki_apt_1", version, []booking.CalendarID{"hki_nurse_1", "room-1"}
		data, err := ExportBookingTransaction(a, []booking.Slot{taken}, []booking.Slot{freed}, nurse)
		require.NoError(t, err)
		c, err := ImportBookingTransaction(data)
		require.NoError(t, err)
		want := max(version, 1) // without meta.versionId the importer's default
		require.Equal(t, want, c.Appointment.Version)
		require.Equal(t, max(version-1, 0), c.Replaces)
		require.Equal(t, a.ID, c.Appointment.ID)
		require.Equal(t, a.Start, c.Appointment.Start)
		require.Equal(t, a.Client, c.Appointment.Client)
		require.Len(t, c.Taken, 1)
		require.Len(t, c.Freed, 1)
		require.Equal(t, taken.Start, c.Taken[0].Start)
		require.Equal(t, freed.Start, c.Freed[0].Start)
		require.Equal(t, taken.Participants, c.Taken[0].Participants)
		got := c.Appointment
		got.Version = version
		again, err := ExportBookingTransaction(got, c.Taken, c.Freed, nurse)
		require.NoError(t, err)
		requireSameResource(t, data, again)

		entries, err := ImportTransaction(data)
		require.NoError(t, err)
		require.Len(t, entries, 3)
		require.Equal(t, "PUT", entries[0].Request.Method)
		require.Equal(t, "Appointment/hki.5Fapt.5F1", entries[0].Request.URL)
	}
}

// TestFHIRImportBundleRefuses: each refusal is an *Error naming the
// element of the entry.
func TestFHIRImportBundleRefuses(t *testing.T) {
	taken, freed := bookingSlots()
	a := sampleAppointment()
	a.Version = 3
	good, err := ExportBookingTransaction(a, []booking.Slot{taken}, []booking.Slot{freed})
	require.NoError(t, err)
	var tx map[string]any
	require.NoError(t, json.Unmarshal(good, &tx))
	entry := func(i int) map[string]any { return tx["entry"].([]any)[i].(map[string]any) }
	slotRes, _ := json.Marshal(entry(1)["resource"])
	apptRes, _ := json.Marshal(entry(0)["resource"])
	mutate := func(f func()) string {
		var keep map[string]any
		require.NoError(t, json.Unmarshal(good, &keep))
		f()
		out, err := json.Marshal(tx)
		require.NoError(t, err)
		tx = keep
		return string(out)
	}
	tests := []struct {
		name, data, field string
		searchset         bool
	}{
		{"not a bundle", `{"resourceType":"Slot"}`, "Bundle.resourceType", false},
		{"not JSON", `{"resourceType":`, "Bundle", false},
		{"searchset as a transaction", `{"resourceType":"Bundle","type":"searchset"}`, "Bundle.type", false},
		{"transaction as a searchset", string(good), "Bundle.type", true},
		{"entry not an array", `{"resourceType":"Bundle","type":"transaction","entry":{}}`, "Bundle.entry", false},
		{"entry without request", mutate(func() { delete(entry(1), "request") }), "Bundle.entry[1].request", false},
		{"request in a searchset", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":` + string(slotRes) +
			`,"request":{"method":"PUT","url":"Slot/x"}}]}`, "Bundle.entry[0].request", true},
		{"search in a transaction", mutate(func() { entry(1)["search"] = map[string]any{"mode": "match"} }), "Bundle.entry[1].search", false},
		{"response", mutate(func() { entry(1)["response"] = map[string]any{"status": "200"} }), "Bundle.entry[1].response", false},
		{"GET", mutate(func() { entry(1)["request"].(map[string]any)["method"] = "GET" }), "Bundle.entry[1].request.method", false},
		{"url of another resource", mutate(func() { entry(1)["request"].(map[string]any)["url"] = "Slot/other" }), "Bundle.entry[1].request.url", false},
		{"url of another type", mutate(func() { entry(1)["request"].(map[string]any)["url"] = "Appointment/x" }), "Bundle.entry[1].request.url", false},
		{"absolute url", mutate(func() { entry(1)["request"].(map[string]any)["url"] = "https://x/Slot/a" }), "Bundle.entry[1].request.url", false},
		{"POST with If-Match in a booking change", mutate(func() {
			entry(0)["request"].(map[string]any)["method"] = "POST"
			entry(0)["request"].(map[string]any)["url"] = "Appointment"
		}),
			"Bundle.entry[0].request.ifMatch", false},
		{"PUT without id (an update names the resource)", mutate(func() { delete(entry(1)["resource"].(map[string]any), "id") }),
			"Bundle.entry[1].resource.id", false},
		{"bad if-match", mutate(func() { entry(0)["request"].(map[string]any)["ifMatch"] = "3" }), "Bundle.entry[0].request.ifMatch", false},
		{"if-match not the version before", mutate(func() { entry(0)["request"].(map[string]any)["ifMatch"] = `W/"1"` }), "Bundle.entry[0].request.ifMatch", false},
		{"bad versionId", mutate(func() { entry(0)["resource"].(map[string]any)["meta"] = map[string]any{"versionId": "03"} }), "Bundle.entry[0].resource.meta.versionId", false},
		{"second appointment", mutate(func() { tx["entry"] = append(tx["entry"].([]any), entry(0)) }), "Bundle.entry[3].resource", false},
		{"no appointment", mutate(func() { tx["entry"] = tx["entry"].([]any)[1:] }), "Bundle.entry", false},
		{"tentative slot", mutate(func() { entry(2)["resource"].(map[string]any)["status"] = "busy-tentative" }), "Bundle.entry[2].resource.status", false},
		{"slot the importer refuses", mutate(func() { delete(entry(1)["resource"].(map[string]any), "schedule") }), "Bundle.entry[1].resource.schedule", false},
		{"appointment the importer refuses", mutate(func() { entry(0)["resource"].(map[string]any)["status"] = "done" }), "Bundle.entry[0].resource.status", false},
		// A transaction's Patient entry is its client (see
		// TestFHIRTransactionPatientEntry); a searchset's is not read.
		{"patient in a searchset", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"p"},"search":{"mode":"include"}}]}`,
			"Bundle.entry[0].resource.resourceType", true},
		{"patient by conditional update", mutate(func() {
			entry(1)["resource"] = map[string]any{"resourceType": "Patient", "id": "p"}
			entry(1)["request"].(map[string]any)["url"] = "Patient?identifier=x"
		}), "Bundle.entry[1].request.url", false},
		{"delete with a resource", mutate(func() { entry(1)["request"].(map[string]any)["method"] = "DELETE" }), "Bundle.entry[1].resource", false},
		{"delete in a booking change", mutate(func() {
			delete(entry(1), "resource")
			entry(1)["request"].(map[string]any)["method"] = "DELETE"
		}), "Bundle.entry[1].request.method", false},
		{"versioned fullUrl (bdl-8)", mutate(func() { entry(1)["fullUrl"] = "https://x/Slot/a/_history/2" }), "Bundle.entry[1].fullUrl", false},
		{"entry without resource", `{"resourceType":"Bundle","type":"searchset","entry":[{"search":{"mode":"match"}}]}`, "Bundle.entry[0].resource", true},
		{"outcome as a match", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"OperationOutcome","issue":[]},"search":{"mode":"match"}}]}`,
			"Bundle.entry[0].resource", true},
		{"appointment with bad start", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":` +
			strings.Replace(string(apptRes), `"start":"2026-12-08T07:00:00Z"`, `"start":"tomorrow"`, 1) + `}]}`, "Bundle.entry[0].resource.start", true},
	}
	// The resource as read, with the If-Match of its own version, is the
	// change of that version.
	c, err := ImportBookingTransaction([]byte(mutate(func() { entry(0)["request"].(map[string]any)["ifMatch"] = `W/"3"` })))
	require.NoError(t, err)
	require.Equal(t, 3, c.Replaces)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.searchset {
				_, err = ImportSearchset([]byte(tc.data))
			} else {
				_, err = ImportBookingTransaction([]byte(tc.data))
			}
			fhirError(t, err)
			var fe *Error
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field, err.Error())
		})
	}
}

func FuzzImportSearchset(f *testing.F) {
	slot, err := os.ReadFile("testdata/r4/Slot-1.json")
	require.NoError(f, err)
	appt, err := os.ReadFile("testdata/r4/Appointment-example.json")
	require.NoError(f, err)
	seed, err := SearchsetBundle("https://fhir.example.org/r4", slot, appt)
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"OperationOutcome"},"search":{"mode":"outcome"}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[null,{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ImportSearchset(data)
		if err != nil {
			fhirError(t, err)
			return
		}
		for _, e := range entries {
			if e.Slot != nil {
				_, err := ExportSlotDetails(e.Slot.Slot, e.Slot.Status, e.Slot.Details)
				require.NoError(t, err)
			}
		}
	})
}

func FuzzImportBookingTransaction(f *testing.F) {
	taken, freed := bookingSlots()
	a := sampleAppointment()
	a.Version = 2
	seed, err := ExportBookingTransaction(a, []booking.Slot{taken}, []booking.Slot{freed})
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Slot/a"}}]}`))
	f.Add(patientTransaction(f, map[string]any{"reference": "urn:uuid:9"}, false, patientEntry("urn:uuid:9", "PUT", "Patient/c", map[string]any{"id": "c"})))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ImportBookingTransaction(data)
		if err != nil {
			fhirError(t, err)
			return
		}
		if c.Replaces > 0 && c.Appointment.Version > 1 {
			require.Equal(t, c.Appointment.Version-1, c.Replaces)
		}
	})
}

// TestFHIRImportR4TransactionExample: the R4 example transaction holds
// Patients, an operation and reads, none of which the booking model
// holds. Its Patient entries of POST and PUT Patient/id are read (as the
// clients an Appointment may refer to); the importer refuses it at its
// conditional update (PUT Patient?identifier=...), entry 3, with an
// OperationOutcome naming the element.
func TestFHIRImportR4TransactionExample(t *testing.T) {
	in, err := os.ReadFile("testdata/r4bundle/Bundle-bundle-transaction.json")
	require.NoError(t, err)
	_, err = ImportTransaction(in)
	requireFieldError(t, err, "Bundle.entry[3].request.url")
	oo, status := OperationOutcome(err)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, string(oo), `"expression":["Bundle.entry[3].request.url"]`)
	// The same bundle's reads (GET without a resource) are not a booking
	// change's either.
	var b map[string]any
	require.NoError(t, json.Unmarshal(in, &b))
	b["entry"] = b["entry"].([]any)[8:]
	data, err := json.Marshal(b)
	require.NoError(t, err)
	_, err = ImportTransaction(data)
	requireFieldError(t, err, "Bundle.entry[0].resource")
}
