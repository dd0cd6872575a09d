package fhir

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

func sampleAppointment() booking.Appointment {
	start := time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
	return booking.Appointment{ID: "apt1", Area: "north", Service: "nurse-visit", Client: "client-ref-1",
		Participants: []booking.CalendarID{"nurse-1", "room-1"}, Start: start, End: start.Add(30 * time.Minute),
		Status: booking.StatusBooked, Channel: channel.InPerson, Created: start.Add(-48 * time.Hour), Version: 1,
		Answers: []booking.Answer{{QuestionID: "symptoms", Text: "yskä"}}, GuidanceVersion: "nurse-visit/v3"}
}

func TestFHIRAppointmentRoundTrip(t *testing.T) {
	for _, a := range []booking.Appointment{sampleAppointment(), func() booking.Appointment {
		a := sampleAppointment()
		a.Status, a.CancelReason, a.LateCancel, a.Channel = booking.StatusCancelled, "feeling better", true, channel.Video
		return a
	}()} {
		data, err := ExportAppointment(a)
		require.NoError(t, err)
		var raw map[string]any
		require.NoError(t, json.Unmarshal(data, &raw))
		require.Equal(t, "Appointment", raw["resourceType"])
		require.Equal(t, string(a.Status), raw["status"])
		require.Equal(t, "2026-12-08T07:00:00Z", raw["start"])
		got, err := ImportAppointment(data)
		require.NoError(t, err)
		a.Block = ""
		require.Equal(t, a, got)
	}
	data, err := ExportAppointment(sampleAppointment())
	require.NoError(t, err)
	require.Contains(t, string(data), `"_status":{"extension":[{"url":"https://hl7.fi/fhir/finnish-scheduling/StructureDefinition/ajanvarauksen-tila","valueCoding":{"system":"urn:oid:1.2.246.537.6.881","code":"3","display":"Varattu"}}]}`)
	require.Contains(t, string(data), `"system":"1.2.246.537.6.884.2015","code":"10"`)
	require.Contains(t, string(data), `"reference":"Patient/client-ref-1"`)
}

func TestFHIRSlotAndScheduleRoundTrip(t *testing.T) {
	s := booking.Slot{Area: "north", Service: "joint-visit", Start: time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		End: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), Participants: []booking.CalendarID{"nurse-1", "doctor-1", "room-1"}, Block: booking.BlockSelfService}
	data, err := ExportSlot(s, SlotFree)
	require.NoError(t, err)
	got, st, err := ImportSlot(data)
	require.NoError(t, err)
	require.Equal(t, SlotFree, st)
	require.Equal(t, s, got)

	c := booking.Calendar{ID: "room-1", Kind: booking.OwnerResource, Area: "north", Role: "room"}
	h := booking.Interval{Start: s.Start, End: s.Start.Add(90 * 24 * time.Hour)}
	data, err = ExportSchedule(c, h)
	require.NoError(t, err)
	info, err := ImportSchedule(data)
	require.NoError(t, err)
	require.Equal(t, ScheduleInfo{ID: "room-1", Kind: booking.OwnerResource, Actor: "room-1", ActorType: "Location", Area: "north", Active: true, Horizon: h,
		Actors: []ScheduleActor{{Type: "Location", ID: "room-1"}}}, info)
}

func TestFHIRImportErrorsNameTheField(t *testing.T) {
	good, err := ExportAppointment(sampleAppointment())
	require.NoError(t, err)
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(good, &m))
		f(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		name  string
		data  []byte
		field string
	}{
		{"not json", []byte("{"), "Appointment"},
		{"data after the resource", append(append([]byte{}, good...), []byte(` {}`)...), "Appointment"},
		{"status of the wrong JSON type", mutate(func(m map[string]any) { m["status"] = 3 }), "Appointment.status"},
		{"participant of the wrong JSON type", mutate(func(m map[string]any) { m["participant"] = "Patient/x" }), "Appointment.participant"},
		{"answer without question", mutate(func(m map[string]any) {
			m["extension"] = append(m["extension"].([]any), map[string]any{"url": ExtensionBase + "pre-question-answer",
				"extension": []any{map[string]any{"url": "answer", "valueString": "x"}}})
		}), "Appointment.extension[2].extension"},
		{"wrong type", mutate(func(m map[string]any) { m["resourceType"] = "Slot" }), "Appointment.resourceType"},
		{"an id that is not a FHIR id", mutate(func(m map[string]any) { m["id"] = "a b" }), "Appointment.id"},
		{"status", mutate(func(m map[string]any) { m["status"] = "done" }), "Appointment.status"},
		{"start", mutate(func(m map[string]any) { m["start"] = "2026-12-08T07:00:00" }), "Appointment.start"},
		{"end before start", mutate(func(m map[string]any) { m["end"] = "2026-12-08T06:00:00Z" }), "Appointment.end"},
		{"service without area", mutate(func(m map[string]any) {
			m["serviceType"] = []any{map[string]any{"coding": []any{map[string]any{"system": ServiceSystem, "code": "x"}}}}
		}), "Appointment.serviceType[0].coding[0]"},
		{"reference", mutate(func(m map[string]any) {
			m["participant"].([]any)[1].(map[string]any)["actor"] = map[string]any{"reference": "nurse-1"}
		}), "Appointment.participant[1].actor.reference"},
		{"no patient", mutate(func(m map[string]any) { m["participant"] = m["participant"].([]any)[1:] }), "Appointment.participant"},
		{"national status unknown", mutate(func(m map[string]any) {
			m["_status"].(map[string]any)["extension"].([]any)[0].(map[string]any)["valueCoding"].(map[string]any)["code"] = "99"
		}), "Appointment._status.extension[0].valueCoding.code"},
		{"national status of another system", mutate(func(m map[string]any) {
			m["_status"].(map[string]any)["extension"].([]any)[0].(map[string]any)["valueCoding"].(map[string]any)["system"] = "urn:oid:1.2.3"
		}), "Appointment._status.extension[0].valueCoding"},
		{"channel", mutate(func(m map[string]any) {
			m["appointmentType"] = map[string]any{"coding": []any{map[string]any{"system": ChannelSystem, "code": "pigeon"}}}
		}), "Appointment.appointmentType.coding[0].code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportAppointment(tc.data)
			require.ErrorIs(t, err, booking.ErrInvalid)
			var fe *Error
			require.True(t, errors.As(err, &fe))
			require.Equal(t, tc.field, fe.Field)
		})
	}
	_, _, err = ImportSlot([]byte(`{"resourceType":"Slot","id":"x","status":"open"}`))
	require.ErrorContains(t, err, "Slot.status")
	_, _, err = ImportSlot([]byte(`{"resourceType":"Slot","id":"x","status":"free"}`))
	require.ErrorContains(t, err, "Slot.schedule")
	_, err = ImportSchedule([]byte(`{"resourceType":"Schedule","id":"x","actor":[{"reference":"CareTeam/p"}]}`))
	require.ErrorContains(t, err, "Schedule.actor[0].reference")
}

func FuzzImportAppointment(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",` +
		`"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"},{"actor":{"reference":"Practitioner/n"},"status":"accepted"}]}`))
	f.Add([]byte(`{"resourceType":"Appointment","id":"a","status":"waitlist","_status":{"extension":[{"url":"` + NationalStatusExtension +
		`","valueCoding":{"system":"urn:oid:1.2.246.537.6.881","code":"1"}}]},"participant":[{"actor":{"identifier":{"system":"urn:oid:1.2.246.21","value":"x"}},"status":"accepted"},` +
		`{"actor":{"identifier":{"system":"` + CalendarSystem + `","value":"n"}},"status":"needs-action"},{"type":[{"text":"t"}],"status":"accepted"}]}`))
	f.Add([]byte(`{"resourceType":"Appointment","id":"a","status":"cancelled","comment":"c","extension":[{"url":"x","valueString":"y"}],` +
		`"cancelationReason":{"coding":[{"code":"1"}]},"participant":[{"actor":{"reference":"Patient/c","display":"C"},"status":"declined"},` +
		`{"actor":{"reference":"https://h.example/Location/l/_history/2"},"status":"accepted"}]}`))
	f.Add([]byte(`{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-12-08T07:00:00.25Z","end":"2026-12-08T07:30:00Z",` +
		`"contained":[{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:oid:1.2.246.21","value":"x"}]}],` +
		`"participant":[{"actor":{"reference":"#p"},"status":"accepted"},{"actor":{"reference":"Practitioner/n"},"status":"accepted","modifierExtension":[]}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, d, err := ImportAppointmentDetails(data)
		if err != nil {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		timed := a.Start.Before(a.End) || a.Start.IsZero() && a.End.IsZero() && untimed(a.Status)
		if !timed || len(a.Participants) == 0 {
			t.Fatalf("accepted an invalid appointment: %+v", a)
		}
		if a.ID == "" {
			a.ID = "created" // a create's: the store names it
		}
		out, err := ExportAppointmentDetails(a, d)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		back, d2, err := ImportAppointmentDetails(out)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if !reflect.DeepEqual(a, back) {
			t.Fatalf("round trip changed the appointment:\n%+v\n%+v", a, back)
		}
		again, err := ExportAppointmentDetails(back, d2)
		if err != nil {
			t.Fatalf("second export: %v", err)
		}
		requireStable(t, out, again)
	})
}

// requireStable fails unless a second export is the same JSON as the first.
func requireStable(t *testing.T, out, again []byte) {
	t.Helper()
	var x, y any
	if json.Unmarshal(out, &x) != nil || json.Unmarshal(again, &y) != nil || !reflect.DeepEqual(x, y) {
		t.Fatalf("export is not stable:\n%s\n%s", out, again)
	}
}

func FuzzImportSlot(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Slot","id":"s","schedule":{"reference":"Schedule/p"},"status":"busy","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z"}`))
	f.Add([]byte(`{"resourceType":"Slot"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, st, d, err := ImportSlotDetails(data)
		if err != nil {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if !s.Start.Before(s.End) || len(s.Participants) == 0 || (s.Area == "") != (s.Service == "") {
			t.Fatalf("accepted an invalid slot: %+v", s)
		}
		out, err := ExportSlotDetails(s, st, d)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		back, st2, d2, err := ImportSlotDetails(out)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if !reflect.DeepEqual(s, back) || st != st2 {
			t.Fatalf("round trip changed the slot:\n%+v\n%+v", s, back)
		}
		again, err := ExportSlotDetails(back, st2, d2)
		if err != nil {
			t.Fatalf("second export: %v", err)
		}
		requireStable(t, out, again)
	})
}

func FuzzImportSchedule(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Schedule","id":"x","actor":[{"reference":"Practitioner/n","display":"N"}],"planningHorizon":{"start":"2026-12-08T07:00:00Z","end":"2026-12-09T07:00:00Z"}}`))
	f.Add([]byte(`{"resourceType":"Schedule","id":"x","actor":[{"reference":"Practitioner/n"}],"planningHorizon":{"start":"2026-12-08"}}`))
	f.Add([]byte(`{"resourceType":"Schedule","id":"x","actor":[{"reference":"Practitioner/n"}],"planningHorizon":{"start":"2026-12","end":"2027-01-01T00:00:00.5Z"}}`))
	f.Add([]byte(`{"resourceType":"Schedule","id":"x","actor":[]}`))
	f.Add([]byte(`{"resourceType":"Schedule","id":"x","contained":[{"resourceType":"Location","id":"l"}],"actor":[{"reference":"#l"},{"type":"Practitioner","identifier":{"system":"urn:x","value":"1"}},{"reference":"Device/d","type":"Device"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ImportSchedule(data)
		if err != nil {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		// An actor known by an identifier of another system, or contained,
		// has no calendar ID.
		if info.ID == "" || len(info.Actors) == 0 {
			t.Fatalf("accepted an invalid schedule: %+v", info)
		}
		out, err := ExportScheduleInfo(info)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		back, err := ImportSchedule(out)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		again, err := ExportScheduleInfo(back)
		if err != nil {
			t.Fatalf("second export: %v", err)
		}
		requireStable(t, out, again)
	})
}

// TestVisitChannelCodesMatchVerifiedTestdata checks the default national
// visit-channel mapping against testdata/asiointitapa_verified.txt, which
// cites where each code was found: the library carries exactly those codes.
func TestVisitChannelCodesMatchVerifiedTestdata(t *testing.T) {
	data, err := os.ReadFile("testdata/asiointitapa_verified.txt")
	require.NoError(t, err)
	want := map[channel.Kind]VisitChannelCode{}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		require.Len(t, f, 4, "line %q", line)
		k, err := channel.ParseKind(f[0])
		require.NoError(t, err)
		require.Equal(t, NationalVisitChannelSystem, f[1])
		want[k] = VisitChannelCode{Code: f[2], Display: f[3]}
	}
	require.NotEmpty(t, want)
	require.Equal(t, want, DefaultVisitChannels())

	for k, c := range want {
		a := sampleAppointment()
		a.Channel = k
		out, err := ExportAppointment(a)
		require.NoError(t, err)
		var r fhirResource
		require.NoError(t, json.Unmarshal(out, &r))
		require.Contains(t, r.AppointmentType.Coding, Coding{System: NationalVisitChannelSystem, Code: c.Code, Display: c.Display})
		// A system that sends only the national code is understood.
		r.AppointmentType.Coding = []Coding{{System: NationalVisitChannelSystem, Code: c.Code}}
		in, err := json.Marshal(r)
		require.NoError(t, err)
		got, err := ImportAppointment(in)
		require.NoError(t, err)
		require.Equal(t, k, got.Channel)
	}
	// Unverified kinds carry only the library's own channel coding.
	for _, k := range []channel.Kind{channel.Video, channel.InboundPhone, channel.Callback} {
		_, _, ok := defaultMapping.VisitChannel(k)
		require.False(t, ok, "%s has no verified national code", k)
	}
}

func TestHostSuppliedVisitChannels(t *testing.T) {
	// Codes a host has verified itself; the values here only exercise the
	// mapping and are not national codes.
	f, err := New(Config{VisitChannels: map[channel.Kind]VisitChannelCode{
		channel.InPerson: {Code: "10", Display: "Kertakäynti toimipaikassa"},
		channel.Video:    {Code: "host-video", Display: "video"},
	}})
	require.NoError(t, err)
	system, c, ok := f.VisitChannel(channel.Video)
	require.True(t, ok)
	require.Equal(t, NationalVisitChannelSystem, system)
	require.Equal(t, "host-video", c.Code)
	a := sampleAppointment()
	a.Channel = channel.Video
	out, err := f.ExportAppointment(a)
	require.NoError(t, err)
	require.Contains(t, string(out), `{"system":"1.2.246.537.6.884.2015","code":"host-video","display":"video"}`)
	got, err := f.ImportAppointment(out)
	require.NoError(t, err)
	a.Block = ""
	require.Equal(t, a, got)
	// The default mapping does not know the host's code and leaves it alone.
	_, err = ImportAppointment(out)
	require.NoError(t, err)

	var r map[string]any
	require.NoError(t, json.Unmarshal(out, &r))
	r["appointmentType"] = map[string]any{"coding": []any{
		map[string]any{"system": ChannelSystem, "code": "in_person"},
		map[string]any{"system": NationalVisitChannelSystem, "code": "host-video"}}}
	bad, err := json.Marshal(r)
	require.NoError(t, err)
	_, err = f.ImportAppointment(bad)
	var fe *Error
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "Appointment.appointmentType.coding[1].code", fe.Field)
	require.ErrorIs(t, err, booking.ErrInvalid)
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"unknown kind", Config{VisitChannels: map[channel.Kind]VisitChannelCode{"fax": {Code: "9"}}}, `fhirConfig.visitChannels["fax"]`},
		{"empty code", Config{VisitChannels: map[channel.Kind]VisitChannelCode{channel.Video: {Display: "video"}}}, `fhirConfig.visitChannels["video"].code is empty`},
		{"code with spaces", Config{VisitChannels: map[channel.Kind]VisitChannelCode{channel.Video: {Code: " 2"}}}, `fhirConfig.visitChannels["video"].code`},
		{"one code for two kinds", Config{VisitChannels: map[channel.Kind]VisitChannelCode{channel.InPerson: {Code: "10"}, channel.Video: {Code: "10"}}}, `fhirConfig.visitChannels["video"].code "10": already the code of in_person`},
		{"relative system", Config{VisitChannelSystem: "codes/asiointitapa"}, "fhirConfig.visitChannelSystem"},
		{"system with a space", Config{VisitChannelSystem: "urn:oid:1.2 3"}, "fhirConfig.visitChannelSystem"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			require.ErrorIs(t, err, booking.ErrInvalid)
			require.ErrorContains(t, err, tc.field)
		})
	}
	f, err := New(Config{})
	require.NoError(t, err)
	_, c, ok := f.VisitChannel(channel.InPerson)
	require.True(t, ok, "the verified default")
	require.Equal(t, "10", c.Code)
}
