package fhirvalidate

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// official holds the differentials of the HL7 FHIR R4 (4.0.1)
// StructureDefinitions of the resources the library reads and writes,
// copied verbatim (see testdata/r4official/README.md).
//
//go:embed testdata/r4official/*.differential.json testdata/r4official/CodeSystem-*.json testdata/r4official/ValueSet-*.json
var official embed.FS

// elementFile is Element's differential.
const elementFile = "StructureDefinition-Element.differential.json"

// profileBase is the canonical prefix of the core StructureDefinitions;
// fhirpathSystem that of the FHIRPath system types a primitive's value
// has, and fhirTypeExtension the extension giving its FHIR type.
const (
	profileBase       = "http://hl7.org/fhir/StructureDefinition/"
	fhirpathSystem    = "http://hl7.org/fhirpath/System."
	fhirTypeExtension = profileBase + "structuredefinition-fhir-type"
)

// constraint is an invariant as an official definition states it.
type constraint struct {
	Key        string `json:"key"`
	Severity   string `json:"severity"`
	Expression string `json:"expression"`
}

// officialElement is what the validator reads of one ElementDefinition.
type officialElement struct {
	Path             string `json:"path"`
	Min              *int   `json:"min"`
	Max              string `json:"max"`
	ContentReference string `json:"contentReference"`
	Comment          string `json:"comment"`
	Type             []struct {
		Code          string   `json:"code"`
		TargetProfile []string `json:"targetProfile"`
		Extension     []struct {
			URL      string `json:"url"`
			ValueURL string `json:"valueUrl"`
		} `json:"extension"`
	} `json:"type"`
	Binding *struct {
		Strength string `json:"strength"`
		ValueSet string `json:"valueSet"`
	} `json:"binding"`
	Constraint []constraint `json:"constraint"`
}

// officialDefs is what the validator takes from the official definitions:
// the element definitions of each resource and backbone element (keyed
// like the subset's types: "Appointment", "Appointment.participant"), the
// invariants by the path they sit on, and the value sets of the required
// bindings.
type officialDefs struct {
	types      map[string]map[string]elemDef
	invariants map[string][]constraint
	valueSets  []string
	codes      map[string][]string // value set URL -> codes, from the CodeSystems and ValueSets
	// grammars are the required value sets whose codes are a grammar, not
	// a list: mimetypes, all of BCP 13 (urn:ietf:bcp:13).
	grammars map[string]string // value set URL -> code system
	// element are Element's invariants (ele-1): every element has them,
	// and the validator checks ele-1 on each element it walks.
	element []constraint
}

// shorthands are codes an element's official definition allows beside
// those of its required binding, by path, with the words of its comment
// that allow them: CapabilityStatement.format binds mimetypes, and its
// comment adds the simple encodings.
var shorthands = map[string]struct {
	codes   []string
	comment string
}{
	"CapabilityStatement.format": {[]string{"xml", "json", "ttl"}, `"xml", "json" and "ttl" are allowed`},
}

// resourceBase and backboneBase are the elements every resource
// (Resource, DomainResource) and every backbone element inherit; the
// differentials leave them out.
var (
	resourceBase       = []string{"id", "meta", "implicitRules", "language"}
	domainResourceBase = []string{"text", "contained", "extension", "modifierExtension"}
	backboneBase       = []string{"id", "extension", "modifierExtension"}
)

// dataTypes are the data types read from official differentials (the
// others are in the subset); they inherit Element's id and extension.
var dataTypes = map[string]bool{"CodeableConcept": true, "Coding": true, "ContactPoint": true, "Extension": true, "Identifier": true, "Meta": true, "Narrative": true, "Period": true, "Reference": true}

// loadOfficial reads the embedded differentials. base gives the inherited
// elements: a resource's from the subset's DomainResource (Resource's and
// DomainResource's elements), a backbone element's from its
// BackboneElement, a data type's from Element's official differential.
func loadOfficial(base map[string]map[string]elemDef) (officialDefs, error) {
	out := officialDefs{types: map[string]map[string]elemDef{}, invariants: map[string][]constraint{}, codes: map[string][]string{}, grammars: map[string]string{}}
	files, err := official.ReadDir("testdata/r4official")
	if err != nil {
		return out, err
	}
	// Element first: the data types inherit its id and extension.
	sort.SliceStable(files, func(i, j int) bool {
		return files[i].Name() == elementFile && files[j].Name() != elementFile
	})
	vs := map[string]bool{}
	systems := map[string][]string{} // code system URL -> all its codes
	for _, f := range files {
		if strings.HasPrefix(f.Name(), "CodeSystem-") {
			if err := readCodeSystem(f.Name(), out.codes, systems); err != nil {
				return out, err
			}
		}
	}
	for _, f := range files {
		if strings.HasPrefix(f.Name(), "ValueSet-") {
			if err := readValueSet(f.Name(), systems, out.codes, out.grammars); err != nil {
				return out, err
			}
		}
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".differential.json") {
			continue
		}
		raw, err := official.ReadFile(path.Join("testdata/r4official", f.Name()))
		if err != nil {
			return out, err
		}
		var sd struct {
			Differential struct {
				Element []officialElement `json:"element"`
			} `json:"differential"`
		}
		if err := json.Unmarshal(raw, &sd); err != nil {
			return out, fmt.Errorf("fhirvalidate: %s: %w", f.Name(), err)
		}
		els := sd.Differential.Element
		if len(els) == 0 || strings.Contains(els[0].Path, ".") {
			return out, fmt.Errorf("fhirvalidate: %s: no root element", f.Name())
		}
		root := els[0].Path
		inherit := func(typ string, names []string, from string) error {
			src := base[from]
			if from == "Element" {
				src = out.types["Element"]
			}
			for _, n := range names {
				d, ok := src[n]
				if !ok {
					return fmt.Errorf("fhirvalidate: the subset has no %s.%s", from, n)
				}
				out.types[typ][n] = d
			}
			return nil
		}
		out.types[root] = map[string]elemDef{}
		switch {
		case root == "Element": // the base of all elements inherits nothing
		case dataTypes[root]: // an Element: id and extension
			if err := inherit(root, backboneBase[:2], "Element"); err != nil {
				return out, err
			}
		case root == "Bundle": // Bundle is a Resource, the others DomainResources
			if err := inherit(root, resourceBase, "DomainResource"); err != nil {
				return out, err
			}
		default:
			if err := inherit(root, resourceBase, "DomainResource"); err != nil {
				return out, err
			}
			if err := inherit(root, domainResourceBase, "DomainResource"); err != nil {
				return out, err
			}
		}
		for _, el := range els {
			if el.Path == "Element" {
				out.element = append(out.element, el.Constraint...)
			} else if len(el.Constraint) > 0 {
				out.invariants[el.Path] = append(out.invariants[el.Path], el.Constraint...)
			}
			if el.Path == root {
				continue
			}
			parent, name := el.Path[:strings.LastIndex(el.Path, ".")], el.Path[strings.LastIndex(el.Path, ".")+1:]
			if out.types[parent] == nil {
				return out, fmt.Errorf("fhirvalidate: %s: %s comes before its parent", f.Name(), el.Path)
			}
			if el.Min == nil || el.Max == "" {
				return out, fmt.Errorf("fhirvalidate: %s: %s has no cardinality", f.Name(), el.Path)
			}
			d := elemDef{Min: *el.Min, Max: el.Max}
			switch {
			case el.ContentReference != "":
				d.Type = []string{strings.TrimPrefix(el.ContentReference, "#")}
			case len(el.Type) == 1 && el.Type[0].Code == "BackboneElement":
				d.Type = []string{el.Path}
				out.types[el.Path] = map[string]elemDef{}
				if err := inherit(el.Path, backboneBase, "BackboneElement"); err != nil {
					return out, err
				}
			default:
				for _, t := range el.Type {
					code := t.Code
					if strings.HasPrefix(code, fhirpathSystem) {
						// A primitive's value (Extension.url): its FHIR
						// type is the fhir-type extension's.
						code = ""
						for _, e := range t.Extension {
							if e.URL == fhirTypeExtension {
								code = e.ValueURL
							}
						}
						if code == "" {
							return out, fmt.Errorf("fhirvalidate: %s: %s has a FHIRPath type without a FHIR type", f.Name(), el.Path)
						}
					}
					d.Type = append(d.Type, code)
					for _, p := range t.TargetProfile {
						d.Targets = append(d.Targets, strings.TrimPrefix(p, profileBase))
					}
				}
			}
			if len(d.Type) == 0 {
				return out, fmt.Errorf("fhirvalidate: %s: %s has no type", f.Name(), el.Path)
			}
			if b := el.Binding; b != nil && b.Strength == "required" {
				d.Binding, _, _ = strings.Cut(b.ValueSet, "|")
				vs[d.Binding] = true
			}
			if sh, ok := shorthands[el.Path]; ok {
				if !strings.Contains(el.Comment, sh.comment) {
					return out, fmt.Errorf("fhirvalidate: %s: %s's comment no longer allows %v", f.Name(), el.Path, sh.codes)
				}
				d.Also = sh.codes
			}
			out.types[parent][name] = d
		}
	}
	for u := range vs {
		out.valueSets = append(out.valueSets, u)
	}
	sort.Strings(out.valueSets)
	return out, nil
}

// readCodeSystem reads an official CodeSystem (content complete): all its
// codes into systems by its url and, when it names the value set of all its
// codes (valueSet), into codes by that value set.
func readCodeSystem(name string, codes, systems map[string][]string) error {
	raw, err := official.ReadFile(path.Join("testdata/r4official", name))
	if err != nil {
		return err
	}
	type concept struct {
		Code    string    `json:"code"`
		Concept []concept `json:"concept"`
	}
	var cs struct {
		ResourceType string    `json:"resourceType"`
		URL          string    `json:"url"`
		Version      string    `json:"version"`
		ValueSet     string    `json:"valueSet"`
		Content      string    `json:"content"`
		Concept      []concept `json:"concept"`
	}
	if err := json.Unmarshal(raw, &cs); err != nil {
		return fmt.Errorf("fhirvalidate: %s: %w", name, err)
	}
	if cs.ResourceType != "CodeSystem" || cs.Version != "4.0.1" || cs.Content != "complete" || cs.URL == "" {
		return fmt.Errorf("fhirvalidate: %s: not a complete R4 CodeSystem", name)
	}
	var all []string
	var collect func([]concept)
	collect = func(cc []concept) {
		for _, c := range cc {
			all = append(all, c.Code)
			collect(c.Concept)
		}
	}
	collect(cs.Concept)
	systems[cs.URL] = all
	if cs.ValueSet != "" {
		codes[cs.ValueSet] = all
	}
	return nil
}

// bcp13 is the code system of MIME types (mimetypes includes all of it).
const bcp13 = "urn:ietf:bcp:13"

// readValueSet reads an official ValueSet whose compose includes whole code
// systems or listed codes of them (no filter, no exclude) into codes by
// its url; one that includes all of BCP 13 goes into grammars instead.
func readValueSet(name string, systems, codes map[string][]string, grammars map[string]string) error {
	raw, err := official.ReadFile(path.Join("testdata/r4official", name))
	if err != nil {
		return err
	}
	var vs struct {
		ResourceType string `json:"resourceType"`
		URL          string `json:"url"`
		Version      string `json:"version"`
		Compose      struct {
			Include []struct {
				System  string `json:"system"`
				Concept []struct {
					Code string `json:"code"`
				} `json:"concept"`
				Filter   []json.RawMessage `json:"filter"`
				ValueSet []string          `json:"valueSet"`
			} `json:"include"`
			Exclude []json.RawMessage `json:"exclude"`
		} `json:"compose"`
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		return fmt.Errorf("fhirvalidate: %s: %w", name, err)
	}
	if vs.ResourceType != "ValueSet" || vs.Version != "4.0.1" || vs.URL == "" || len(vs.Compose.Include) == 0 || len(vs.Compose.Exclude) > 0 {
		return fmt.Errorf("fhirvalidate: %s: not an R4 ValueSet of included codes", name)
	}
	if _, dup := codes[vs.URL]; dup {
		return fmt.Errorf("fhirvalidate: %s: the codes of %s are also a CodeSystem's", name, vs.URL)
	}
	var all []string
	for _, inc := range vs.Compose.Include {
		switch {
		case len(inc.Filter) > 0 || len(inc.ValueSet) > 0:
			return fmt.Errorf("fhirvalidate: %s: a filter or value set include is not read", name)
		case inc.System == bcp13 && len(inc.Concept) == 0 && len(vs.Compose.Include) == 1:
			grammars[vs.URL] = bcp13
			return nil
		}
		sys, ok := systems[inc.System]
		if !ok {
			return fmt.Errorf("fhirvalidate: %s: no CodeSystem %s", name, inc.System)
		}
		if len(inc.Concept) == 0 {
			all = append(all, sys...)
			continue
		}
		for _, c := range inc.Concept {
			if !slices.Contains(sys, c.Code) {
				return fmt.Errorf("fhirvalidate: %s: %q is not a code of %s", name, c.Code, inc.System)
			}
			all = append(all, c.Code)
		}
	}
	codes[vs.URL] = all
	return nil
}
