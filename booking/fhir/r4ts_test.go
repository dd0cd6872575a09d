package fhir

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// secondRenderings maps each file in testdata/r4ts (the JSON of an official
// R4 example as a second, independent program embeds it; see its README)
// to the example in testdata/r4 it must equal.
var secondRenderings = map[string]string{
	"appointment-example.json":         "Appointment-example.json",
	"appointmentresponse-example.json": "AppointmentResponse-example.json",
	"schedule-example.json":            "Schedule-example.json",
	"slot-example.json":                "Slot-example.json",
}

// TestSecondRenderings requires each example in testdata/r4 that has a
// second rendering to equal it element for element, and both to be valid
// R4. Appointment-example.json is a byte copy of the npm package, so its
// case shows that the rendering is faithful to the package.
func TestSecondRenderings(t *testing.T) {
	v := newValidator(t)
	files, err := filepath.Glob("testdata/r4ts/*.json")
	require.NoError(t, err)
	require.Len(t, files, len(secondRenderings), "every rendering is in secondRenderings")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			name, ok := secondRenderings[filepath.Base(file)]
			require.True(t, ok, "no example for %s", file)
			got, err := os.ReadFile(file)
			require.NoError(t, err)
			want, err := os.ReadFile(filepath.Join("testdata/r4", name))
			require.NoError(t, err)
			requireSameResource(t, want, got)
			require.Empty(t, v.Validate(got))
		})
	}
}
