package fhir

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFHIRPlanningHorizonForms is review item 8: planningHorizon is a
// Period of dateTimes, so a start-only, end-only or date-only horizon is
// read, exported unchanged and valid; an end before the start is refused.
func TestFHIRPlanningHorizonForms(t *testing.T) {
	v := newValidator(t)
	sched := func(ph string) string {
		return `{"resourceType":"Schedule","id":"n1","active":true,"actor":[{"reference":"Practitioner/n1"}],"planningHorizon":` + ph + `}`
	}
	tests := []struct {
		name, ph, wantField string
	}{
		{name: "start only", ph: `{"start":"2026-12-01T00:00:00Z"}`},
		{name: "end only", ph: `{"end":"2027-03-01T00:00:00Z"}`},
		{name: "date only", ph: `{"start":"2026-12-01","end":"2027-03-01"}`},
		{name: "month and instant", ph: `{"start":"2026-12","end":"2027-03-01T10:00:00.5Z"}`},
		{name: "same day", ph: `{"start":"2026-12-01","end":"2026-12-01"}`},
		{name: "end before start", ph: `{"start":"2026-12-02","end":"2026-12-01"}`, wantField: "Schedule.planningHorizon.end"},
		{name: "not a dateTime", ph: `{"start":"soon"}`, wantField: "Schedule.planningHorizon.start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sched(tt.ph)
			info, err := ImportSchedule([]byte(in))
			if tt.wantField != "" {
				requireFieldError(t, err, tt.wantField)
				return
			}
			require.NoError(t, err)
			out, err := ExportScheduleInfo(info)
			require.NoError(t, err)
			require.Empty(t, v.Validate(out))
			requireSameResource(t, []byte(in), out)
		})
	}
}
