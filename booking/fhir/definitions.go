package fhir

import (
	"embed"
	"io/fs"
)

//go:embed definitions/*.json
var definitions embed.FS

// ExtensionDefinitions returns the FHIR R4 StructureDefinitions of the
// library's extensions (the URLs under ExtensionBase), one file
// "<name>.json" each: service-area, participant, block-type,
// guidance-version, pre-question-answer, hold-until and late-cancellation.
// A host publishes them at their URLs or loads them into its validator.
func ExtensionDefinitions() fs.FS {
	sub, err := fs.Sub(definitions, "definitions")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}
