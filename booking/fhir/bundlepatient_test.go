package fhir

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
)

// hetu is a made-up personal identity code (a valid check character, of
// the 1900s, not known to be anyone's).
const hetu = "131052-308T"

// patientTransaction returns the booking transaction of
// sampleAppointment with its Patient participant's actor replaced by actor
// and the entries extra added after (or, with first, before) the others.
func patientTransaction(t testing.TB, actor map[string]any, first bool, extra ...map[string]any) []byte {
	t.Helper()
	taken, _ := bookingSlots()
	a := sampleAppointment()
	a.Participants = taken.Participants
	data, err := ExportBookingTransaction(a, []booking.Slot{taken}, nil)
	require.NoError(t, err)
	var b map[string]any
	require.NoError(t, json.Unmarshal(data, &b))
	entries := b["entry"].([]any)
	appt := entries[0].(map[string]any)["resource"].(map[string]any)
	appt["participant"].([]any)[0].(map[string]any)["actor"] = actor
	for _, e := range extra {
		if first {
			entries = append([]any{e}, entries...)
		} else {
			entries = append(entries, e)
		}
	}
	b["entry"] = entries
	out, err := json.Marshal(b)
	require.NoError(t, err)
	return out
}

func patientEntry(fullURL, method, url string, patient map[string]any) map[string]any {
	p := map[string]any{"resourceType": "Patient"}
	for k, v := range patient {
		p[k] = v
	}
	return map[string]any{"fullUrl": fullURL, "resource": p, "request": map[string]any{"method": method, "url": url}}
}

var hetuIdentifier = []any{map[string]any{"system": PersonalIdentitySystem, "value": hetu}}

// TestFHIRTransactionPatientEntry: a participant's urn:uuid reference to
// a transaction's Patient entry is that Patient's client, by the id of its
// PUT or by its identifier through Config.ClientByIdentifier, wherever the
// entry is in the bundle; the reference is resolved to Patient/id in the
// details, as R4 transaction processing resolves it.
func TestFHIRTransactionPatientEntry(t *testing.T) {
	const uuid = "urn:uuid:2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	resolved := func(id Identifier) (carecontact.ClientRef, error) {
		if id.System == PersonalIdentitySystem && id.Value == hetu {
			return "client-7", nil
		}
		return "", errors.New("unknown")
	}
	withHost, err := New(Config{ClientByIdentifier: resolved})
	require.NoError(t, err)
	tests := []struct {
		name   string
		m      *Mapping
		data   []byte
		client carecontact.ClientRef
		ref    string // the client participant's reference in the details
	}{
		{"POST by identifier", withHost, patientTransaction(t, map[string]any{"reference": uuid}, false,
			patientEntry(uuid, "POST", "Patient", map[string]any{"identifier": hetuIdentifier})), "client-7", "Patient/client-7"},
		{"POST by identifier, the entry first, typed", withHost, patientTransaction(t, map[string]any{"reference": uuid, "type": "Patient"}, true,
			patientEntry(uuid, "POST", "Patient", map[string]any{"identifier": hetuIdentifier})), "client-7", "Patient/client-7"},
		{"PUT by id", defaultMapping, patientTransaction(t, map[string]any{"reference": uuid}, false,
			patientEntry(uuid, "PUT", "Patient/client.5Fref", map[string]any{"id": "client.5Fref"})), "client_ref", "Patient/client.5Fref"},
		{"POST, the host resolves no identifiers", defaultMapping, patientTransaction(t, map[string]any{"reference": uuid}, false,
			patientEntry(uuid, "POST", "Patient", map[string]any{"identifier": hetuIdentifier})), "", uuid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.m.ImportBookingTransaction(tc.data)
			require.NoError(t, err)
			require.Equal(t, tc.client, c.Appointment.Client)
			require.Len(t, c.Taken, 1)
			require.Equal(t, RoleClient, c.Details.Participants[0].Role)
			require.Equal(t, tc.ref, c.Details.Participants[0].Actor.Reference)
			entries, err := tc.m.ImportTransaction(tc.data)
			require.NoError(t, err)
			var patients int
			for _, e := range entries {
				if e.Patient != nil {
					patients++
					require.Equal(t, tc.client, e.Patient.Client)
					require.NotContains(t, []byte(jsonOf(t, e)), hetu)
				}
			}
			require.Equal(t, 1, patients)
			if tc.client == "" {
				return
			}
			out, err := ExportAppointmentDetails(c.Appointment, c.Details)
			require.NoError(t, err)
			require.Empty(t, newValidator(t).Validate(out), string(out))
			back, err := ImportAppointment(out)
			require.NoError(t, err)
			require.Equal(t, tc.client, back.Client)
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// TestFHIRTransactionPatientEntryRefuses: a Patient entry the host does
// not resolve, one of another method or url, a reference whose type is
// not the entry's and a second entry of the same fullUrl are refused
// naming the element, and the identity code is in no error.
func TestFHIRTransactionPatientEntryRefuses(t *testing.T) {
	const uuid = "urn:uuid:2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	unknown, err := New(Config{ClientByIdentifier: func(Identifier) (carecontact.ClientRef, error) { return "", errors.New("not found") }})
	require.NoError(t, err)
	ref := map[string]any{"reference": uuid}
	post := patientEntry(uuid, "POST", "Patient", map[string]any{"identifier": hetuIdentifier})
	tests := []struct {
		name  string
		m     *Mapping
		data  []byte
		field string
	}{
		{"the host does not resolve it", unknown, patientTransaction(t, ref, false, post), "Bundle.entry[2].resource.identifier"},
		{"a DELETE", defaultMapping, patientTransaction(t, ref, false, patientEntry(uuid, "DELETE", "Patient/x", map[string]any{"identifier": hetuIdentifier})), "Bundle.entry[2].request.method"},
		{"a conditional url", defaultMapping, patientTransaction(t, ref, false, patientEntry(uuid, "PUT", "Patient?identifier="+PersonalIdentitySystem+"|"+hetu, map[string]any{"identifier": hetuIdentifier})), "Bundle.entry[2].request.url"},
		{"a PUT of another id", defaultMapping, patientTransaction(t, ref, false, patientEntry(uuid, "PUT", "Patient/a", map[string]any{"id": "b"})), "Bundle.entry[2].request.url"},
		{"a PUT of another type", defaultMapping, patientTransaction(t, ref, false, patientEntry(uuid, "PUT", "Person/a", map[string]any{"id": "a"})), "Bundle.entry[2].request.url"},
		{"a modifierExtension", defaultMapping, patientTransaction(t, ref, false, patientEntry(uuid, "POST", "Patient", map[string]any{"modifierExtension": []any{map[string]any{"url": "x", "valueBoolean": true}}})), "Bundle.entry[2].resource.modifierExtension"},
		{"the reference's type is not the entry's", defaultMapping, patientTransaction(t, map[string]any{"reference": uuid, "type": "Practitioner"}, false, post), "Bundle.entry[0].resource.participant[0].actor.type"},
		{"two entries of one fullUrl", defaultMapping, patientTransaction(t, ref, false, post, post), "Bundle.entry[3].fullUrl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.m.ImportBookingTransaction(tc.data)
			requireFieldError(t, err, tc.field)
			require.NotContains(t, err.Error(), hetu)
			require.NotContains(t, err.Error(), "308T")
		})
	}
}
