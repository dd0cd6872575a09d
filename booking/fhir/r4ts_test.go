package fhir

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/fhirvalidate"
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
	forEachRendering(t, "testdata/r4ts/*.json", secondRenderings, func(t *testing.T, in []byte) []byte {
		return in
	}, v)
}

// forEachRendering runs, for each file glob matches, a subtest that turns
// the file into FHIR JSON with convert and requires it to equal, element
// for element, its example in testdata/r4 (named by examples) and to be
// valid R4.
func forEachRendering(t *testing.T, glob string, examples map[string]string, convert func(*testing.T, []byte) []byte, v *fhirvalidate.Validator) {
	files, err := filepath.Glob(glob)
	require.NoError(t, err)
	require.Len(t, files, len(examples), "every file of %s is listed", glob)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			name, ok := examples[filepath.Base(file)]
			require.True(t, ok, "no example for %s", file)
			in, err := os.ReadFile(file)
			require.NoError(t, err)
			got := convert(t, in)
			want, err := os.ReadFile(filepath.Join("testdata/r4", name))
			require.NoError(t, err)
			requireSameResource(t, want, got)
			require.Empty(t, v.Validate(got))
		})
	}
}
