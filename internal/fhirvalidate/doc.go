// Package fhirvalidate is a structural validator of FHIR R4 JSON for the
// library's tests. The resources (Appointment, AppointmentResponse,
// Schedule, Slot, Bundle, OperationOutcome, CapabilityStatement) and the data types Element,
// ContactPoint, Period, Coding,
// CodeableConcept, Identifier, Meta, Reference, Narrative and Extension are checked
// against the official R4 4.0.1 StructureDefinitions (their differentials,
// copied verbatim into testdata/r4official): element names, cardinality,
// types, reference targets, required bindings (their codes from the
// official CodeSystems and ValueSets; mimetypes, all of BCP 13, as the
// grammar of a media type) and every invariant they state (app-1 … app-4,
// apr-1, bdl-1 … bdl-5, bdl-7 … bdl-12, cpb-0 … cpb-3, cpb-7, cpb-9,
// cpb-12, cpb-14 … cpb-16, cpt-2, ext-1, per-1, ref-1 against the root
// resource's contained resources, txt-1 and txt-2 from the XPath of the
// Narrative definition; each a Go check written from its expression).
// Element's differential gives id, extension and ele-1, checked on every
// element. The elements every resource and backbone element inherits and
// the primitive types come from a hand-written subset (testdata/r4defs).
// A library's extensions
// are checked against their StructureDefinitions. XMLToJSON converts a
// resource from the R4 XML format to JSON by the definitions it holds, so
// that official XML sources can be compared with JSON. It reads no network.
// Only tests import it.
package fhirvalidate
