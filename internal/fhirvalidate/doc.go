// Package fhirvalidate is a structural validator of FHIR R4 JSON for the
// library's tests: it checks a resource against a subset of the R4
// definitions (testdata/r4defs: element names, cardinality, types, required
// bindings, reference targets and the invariants app-1 … app-4, bdl-1 …
// bdl-5, ext-1, ele-1 and per-1) and a library's extensions against their
// StructureDefinitions. It reads no network. Only tests import it.
package fhirvalidate
