package fhirapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/frontdoor/fhirapi"
)

// testHetu is a made-up personal identity code.
const testHetu = "131052-308T"

// withPatientEntry returns the booking transaction of a with its Patient
// participant's actor a reference to a Patient entry of fullUrl
// urn:uuid:... (a POST with the identity code, or a PUT Patient/id).
func withPatientEntry(t testing.TB, a booking.Appointment, taken []booking.Slot, put string) []byte {
	t.Helper()
	const uuid = "urn:uuid:6a0c7b1e-2d3f-4e5a-9b8c-7d6e5f4a3b2c"
	data, err := fhir.ExportBookingTransaction(a, taken, nil)
	require.NoError(t, err)
	var b map[string]any
	require.NoError(t, json.Unmarshal(data, &b))
	entries := b["entry"].([]any)
	res := entries[0].(map[string]any)["resource"].(map[string]any)
	res["participant"].([]any)[0].(map[string]any)["actor"] = map[string]any{"reference": uuid}
	p := map[string]any{"fullUrl": uuid, "resource": map[string]any{"resourceType": "Patient",
		"identifier": []any{map[string]any{"system": fhir.PersonalIdentitySystem, "value": testHetu}}},
		"request": map[string]any{"method": "POST", "url": "Patient"}}
	if put != "" {
		p["resource"] = map[string]any{"resourceType": "Patient", "id": put}
		p["request"] = map[string]any{"method": "PUT", "url": "Patient/" + put}
	}
	b["entry"] = append([]any{p}, entries...)
	out, err := json.Marshal(b)
	require.NoError(t, err)
	return out
}

// TestTransactionPatientEntry books through a transaction whose Patient
// is an entry of its own, referred to by its urn:uuid fullUrl: the
// client is the one the host resolves the identity code to (or the PUT's
// id), the answer has an entry per request entry, and the identity code is
// in no answer and no audit detail.
func TestTransactionPatientEntry(t *testing.T) {
	m, err := fhir.New(fhir.Config{ClientByIdentifier: func(id fhir.Identifier) (carecontact.ClientRef, error) {
		if id.System == fhir.PersonalIdentitySystem && id.Value == testHetu {
			return "client-1", nil
		}
		return "", errors.New("unknown")
	}})
	require.NoError(t, err)
	a := apptAt(tuesday9, booking.StatusBooked)
	tests := []struct {
		name   string
		put    string
		status int
	}{
		{"POST by identity code", "", http.StatusOK},
		{"PUT by id", "client-1", http.StatusOK},
		{"PUT of another client", "client-2", http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *fhirapi.Config) { c.Mapping = m })
			r := f.do(t, http.MethodPost, "/", client1, json.RawMessage(withPatientEntry(t, a, []booking.Slot{slotAt(a.Start)}, tc.put)))
			require.NotContains(t, string(r.raw), testHetu)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status == http.StatusOK {
				responses, resources := txEntries(t, r)
				require.Len(t, responses, 3)
				require.Equal(t, "200 OK", responses[0]["status"])
				require.Equal(t, "201 Created", responses[1]["status"])
				got := storedOf(t, resources[1])
				require.Equal(t, carecontact.ClientRef("client-1"), got.Client)
				require.Equal(t, booking.StatusBooked, got.Status)
			}
			events, err := f.audit.Events(context.Background(), audit.Filter{})
			require.NoError(t, err)
			require.NotEmpty(t, events)
			for _, e := range events {
				for k, v := range e.Detail {
					require.False(t, strings.Contains(v, testHetu), k)
				}
				require.NotContains(t, e.Subject, testHetu)
			}
		})
	}
}
