package fhirvalidate

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed testdata/r4defs/r4-subset.json
var subset []byte

// literalRef matches a literal reference: relative or absolute, with an
// optional version.
var literalRef = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*://\S+/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$`)

// mediaType matches a code of BCP 13 (urn:ietf:bcp:13), the value set
// mimetypes: a media type as RFC 6838 section 4.2 names its type and
// subtype (restricted-name, 1 to 127 characters each), with optional
// parameters (RFC 2045 section 5.1: attribute=value, the value a token or
// a quoted string).
var mediaType = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}` +
	`(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$%&'*+.^_` + "`" + `{|}~-]+|"[^"\\]*"))*$`)

type elemDef struct {
	Min     int      `json:"min"`
	Max     string   `json:"max"`
	Type    []string `json:"type"`
	Targets []string `json:"targets"`
	Binding string   `json:"binding"`
	// Also are codes the element's definition allows beside its binding's
	// (see shorthands).
	Also []string `json:"-"`
}

type r4Defs struct {
	Types      map[string]map[string]elemDef `json:"types"`
	Bindings   map[string][]string           `json:"bindings"`
	Invariants map[string]string             `json:"invariants"`
	Primitives map[string]string             `json:"primitives"`
}

// extDef is what the validator reads from one of the library's extension
// StructureDefinitions.
type extDef struct {
	contexts  []string
	valueType string
	targets   []string
	subs      map[string]string // sub-extension url -> value type
}

// abstractTypes are the subset's types that hold only inherited elements:
// no resource or element is of one of them.
var abstractTypes = map[string]bool{"DomainResource": true, "BackboneElement": true, "Element": true}

// Validator checks resources; it is read-only once built.
type Validator struct {
	defs     r4Defs
	inv      map[string][]constraint   // official invariants by element path
	grammar  map[string]*regexp.Regexp // value set URL -> its codes, for those that are a grammar
	re       map[string]*regexp.Regexp
	ext      map[string]extDef
	base     string
	national string
}

// New reads the R4 subset and the StructureDefinitions of a library's
// extensions from extensions (files "*.json"), whose URLs start with
// extensionBase; nationalStatus is the URL of HL7 Finland's status
// extension, checked on Appointment.status.
func New(extensions fs.FS, extensionBase, nationalStatus string) (*Validator, error) {
	v := &Validator{re: map[string]*regexp.Regexp{}, ext: map[string]extDef{}, base: extensionBase, national: nationalStatus}
	if err := json.Unmarshal(subset, &v.defs); err != nil {
		return nil, fmt.Errorf("fhirvalidate: r4-subset.json: %w", err)
	}
	off, err := loadOfficial(v.defs.Types)
	if err != nil {
		return nil, err
	}
	for typ, els := range off.types {
		if _, dup := v.defs.Types[typ]; dup {
			return nil, fmt.Errorf("fhirvalidate: %s is in both the subset and the official definitions", typ)
		}
		v.defs.Types[typ] = els
	}
	for u, codes := range off.codes {
		if _, dup := v.defs.Bindings[u]; dup {
			return nil, fmt.Errorf("fhirvalidate: the codes of %s are in both the subset and the official CodeSystems", u)
		}
		v.defs.Bindings[u] = codes
	}
	v.grammar = map[string]*regexp.Regexp{}
	for u, system := range off.grammars {
		if system != bcp13 {
			return nil, fmt.Errorf("fhirvalidate: no grammar for the codes of %s", system)
		}
		v.grammar[u] = mediaType
	}
	for _, u := range off.valueSets {
		if len(v.defs.Bindings[u]) == 0 && v.grammar[u] == nil {
			return nil, fmt.Errorf("fhirvalidate: no codes for the required value set %s", u)
		}
	}
	v.inv = off.invariants
	if len(off.element) != 1 || off.element[0].Key != "ele-1" {
		return nil, fmt.Errorf("fhirvalidate: Element's invariants are %v, the validator checks ele-1", off.element)
	}
	for p, cs := range v.inv {
		for _, c := range cs {
			if _, ok := invariantChecks[c.Key]; !ok {
				return nil, fmt.Errorf("fhirvalidate: invariant %s on %s is not implemented", c.Key, p)
			}
		}
	}
	for name, p := range v.defs.Primitives {
		if !strings.HasPrefix(p, "json:") {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("fhirvalidate: primitive %s: %w", name, err)
			}
			v.re[name] = re
		}
	}
	files, err := fs.Glob(extensions, "*.json")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("fhirvalidate: no extension definitions")
	}
	for _, f := range files {
		raw, err := fs.ReadFile(extensions, f)
		if err != nil {
			return nil, err
		}
		var sd struct {
			ResourceType   string `json:"resourceType"`
			URL            string `json:"url"`
			FHIRVersion    string `json:"fhirVersion"`
			Type           string `json:"type"`
			BaseDefinition string `json:"baseDefinition"`
			Context        []struct {
				Type       string `json:"type"`
				Expression string `json:"expression"`
			} `json:"context"`
			Differential struct {
				Element []struct {
					ID       string `json:"id"`
					Path     string `json:"path"`
					Max      string `json:"max"`
					FixedURI string `json:"fixedUri"`
					Type     []struct {
						Code          string   `json:"code"`
						TargetProfile []string `json:"targetProfile"`
					} `json:"type"`
				} `json:"element"`
			} `json:"differential"`
		}
		if err := json.Unmarshal(raw, &sd); err != nil {
			return nil, fmt.Errorf("fhirvalidate: %s: %w", f, err)
		}
		switch {
		case sd.ResourceType != "StructureDefinition", sd.FHIRVersion != "4.0.1", sd.Type != "Extension",
			sd.BaseDefinition != "http://hl7.org/fhir/StructureDefinition/Extension":
			return nil, fmt.Errorf("fhirvalidate: %s: not an R4 extension definition", f)
		case sd.URL != extensionBase+strings.TrimSuffix(f, ".json"):
			return nil, fmt.Errorf("fhirvalidate: %s: url %s is not the file's", f, sd.URL)
		}
		d := extDef{subs: map[string]string{}}
		for _, c := range sd.Context {
			if c.Type != "element" {
				return nil, fmt.Errorf("fhirvalidate: %s: context type %s", f, c.Type)
			}
			d.contexts = append(d.contexts, c.Expression)
		}
		slice := ""
		for _, el := range sd.Differential.Element {
			switch {
			case el.ID == "Extension.url":
				if el.FixedURI != sd.URL {
					return nil, fmt.Errorf("fhirvalidate: %s: Extension.url is not fixed to the url", f)
				}
			case el.ID == "Extension.value[x]" && len(el.Type) == 1:
				d.valueType = el.Type[0].Code
				for _, p := range el.Type[0].TargetProfile {
					d.targets = append(d.targets, strings.TrimPrefix(p, "http://hl7.org/fhir/StructureDefinition/"))
				}
			case strings.HasPrefix(el.ID, "Extension.extension:") && strings.HasSuffix(el.ID, ".url"):
				slice = el.FixedURI
			case strings.HasPrefix(el.ID, "Extension.extension:") && strings.HasSuffix(el.ID, ".value[x]"):
				d.subs[slice] = el.Type[0].Code
			}
		}
		v.ext[sd.URL] = d
	}
	return v, nil
}

func (v *Validator) isPrimitive(typ string) bool {
	_, ok := v.defs.Primitives[typ]
	return ok
}

// Validate returns the problems of the resource data, sorted; none means
// it passed.
func (v *Validator) Validate(data []byte) []string {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	var problems []string
	v.resource(obj, "", nil, &problems)
	sort.Strings(problems)
	return problems
}

// resource checks obj, a resource. root is the resource %rootResource
// names for it: the one that contains it, for a contained resource; nil
// makes obj its own root.
func (v *Validator) resource(obj map[string]any, prefix string, root map[string]any, problems *[]string) {
	if root == nil {
		root = obj
	}
	typ, _ := obj["resourceType"].(string)
	if _, ok := v.defs.Types[typ]; !ok || abstractTypes[typ] {
		*problems = append(*problems, fmt.Sprintf("%sresourceType %q is not one this validator knows", prefix, typ))
		return
	}
	v.object(obj, typ, prefix+typ, typ, root, problems)
}

// object checks obj, an element of type typ at path. context is the
// extension context of obj's extensions (the resource type, or
// "Appointment.status" for _status); root is the resource the invariants
// name %rootResource.
func (v *Validator) object(obj map[string]any, typ, path, context string, root map[string]any, problems *[]string) {
	add := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	defs := v.defs.Types[typ]
	if defs == nil {
		add("no definition of type %s", typ)
		return
	}
	children := 0
	for k, val := range obj {
		if k == "resourceType" && v.defs.Types[typ]["meta"].Type != nil {
			continue
		}
		if k != "id" {
			children++
		}
		if base, ok := strings.CutPrefix(k, "_"); ok {
			def, ok := defs[base]
			if !ok || !v.isPrimitive(def.Type[0]) {
				add("%s: no primitive element %s", k, base)
				continue
			}
			ctx := typ + "." + base
			if def.Max == "*" {
				arr, ok := val.([]any)
				if !ok {
					add("%s: want an array", k)
					continue
				}
				for i, e := range arr {
					if e == nil {
						continue
					}
					if m, ok := e.(map[string]any); ok {
						v.object(m, "Element", fmt.Sprintf("%s.%s[%d]", path, k, i), ctx, root, problems)
					} else {
						add("%s[%d]: want an object", k, i)
					}
				}
				continue
			}
			if m, ok := val.(map[string]any); ok {
				v.object(m, "Element", path+"."+k, ctx, root, problems)
			} else {
				add("%s: want an object", k)
			}
			continue
		}
		def, ok := defs[k]
		types := def.Type
		if !ok {
			if choice, isChoice := defs["value[x]"]; isChoice && strings.HasPrefix(k, "value") && len(k) > 5 {
				suffix := k[5:]
				for _, ct := range choice.Type {
					if strings.EqualFold(ct, suffix) && (ct[0] == suffix[0] || strings.ToUpper(ct[:1]) == suffix[:1]) {
						def, ok, types = choice, true, []string{ct}
					}
				}
			}
		}
		if !ok {
			add("%s: not an element of %s", k, typ)
			continue
		}
		items := []any{val}
		if def.Max == "*" {
			arr, isArr := val.([]any)
			if !isArr {
				add("%s: want an array (max *)", k)
				continue
			}
			if len(arr) == 0 {
				add("%s: an empty array", k)
			}
			items = arr
		} else if _, isArr := val.([]any); isArr {
			add("%s: an array, but max is %s", k, def.Max)
			continue
		}
		for i, item := range items {
			p := path + "." + k
			if def.Max == "*" {
				p = fmt.Sprintf("%s.%s[%d]", path, k, i)
			}
			v.value(item, types[0], p, def, context, root, problems)
		}
		if k == "extension" {
			v.extensions(items, path, context, problems)
		}
	}
	for name, def := range defs {
		if _, ok := obj[name]; def.Min > 0 && !ok && name != "value[x]" {
			add("%s: required (min %d)", name, def.Min)
		}
	}
	if children == 0 && typ != "Element" {
		add("no value and no children (ele-1)")
	}
	v.invariants(obj, typ, root, add)
}

func (v *Validator) value(item any, typ, path string, def elemDef, context string, root map[string]any, problems *[]string) {
	add := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	if v.isPrimitive(typ) {
		switch v.defs.Primitives[typ] {
		case "json:boolean":
			if _, ok := item.(bool); !ok {
				add("want a JSON boolean (%s)", typ)
			}
		case "json:integer", "json:unsignedInt", "json:positiveInt":
			n, ok := item.(float64)
			switch {
			case !ok || n != float64(int64(n)):
				add("want a JSON integer (%s)", typ)
			case typ == "unsignedInt" && n < 0, typ == "positiveInt" && n < 1:
				add("%v is out of range for %s", n, typ)
			}
		case "json:number":
			if _, ok := item.(float64); !ok {
				add("want a JSON number (%s)", typ)
			}
		default:
			s, ok := item.(string)
			if !ok {
				add("want a JSON string (%s)", typ)
				return
			}
			if !v.re[typ].MatchString(s) {
				add("%q is not a valid %s", s, typ)
			}
			if (typ == "instant" || typ == "dateTime") && strings.HasPrefix(s, "0001-01-01") {
				add("%q is a zero time, not a real %s", s, typ)
			}
			in := true // the code is in the required value set, if any
			switch g := v.grammar[def.Binding]; {
			case def.Binding == "", slices.Contains(def.Also, s): // none, or one the element's definition allows
			case g != nil:
				in = g.MatchString(s)
			default:
				in = slices.Contains(v.defs.Bindings[def.Binding], s)
			}
			if !in {
				add("%q is not in the required value set %s", s, def.Binding)
			}
		}
		return
	}
	m, ok := item.(map[string]any)
	if !ok {
		add("want a JSON object (%s)", typ)
		return
	}
	if typ == "Resource" {
		// A contained resource's %rootResource is its container; any
		// other (a Bundle entry's) is its own.
		if strings.HasSuffix(path[:strings.LastIndex(path, "[")+1], ".contained[") {
			v.resource(m, path+"/", root, problems)
		} else {
			v.resource(m, path+"/", nil, problems)
		}
		return
	}
	ctx := context
	if v.defs.Types[typ]["meta"].Type == nil && typ != "Extension" {
		ctx = strings.SplitN(path, ".", 2)[0] + "." + typ
	}
	v.object(m, typ, path, ctx, root, problems)
	if typ == "Reference" && len(def.Targets) > 0 && !slices.Contains(def.Targets, "Resource") {
		if ref, _ := m["reference"].(string); ref != "" && !strings.HasPrefix(ref, "#") && !strings.HasPrefix(ref, "urn:") {
			if lit := literalRef.FindStringSubmatch(ref); lit == nil {
				add("reference %q is not a literal reference", ref)
			} else if !slices.Contains(def.Targets, lit[1]) {
				add("reference to %s: want one of %v", lit[1], def.Targets)
			}
		}
		if rt, _ := m["type"].(string); rt != "" && !slices.Contains(def.Targets, rt) {
			add("reference type %s: want one of %v", rt, def.Targets)
		}
	}
}

// extensions checks the library's extensions and HL7 Finland's status
// extension against their definitions.
func (v *Validator) extensions(items []any, path, context string, problems *[]string) {
	for i, item := range items {
		m, _ := item.(map[string]any)
		url, _ := m["url"].(string)
		p := fmt.Sprintf("%s.extension[%d]", path, i)
		add := func(format string, args ...any) { *problems = append(*problems, p+": "+fmt.Sprintf(format, args...)) }
		if url == v.national {
			c, _ := m["valueCoding"].(map[string]any)
			if context != "Appointment.status" || c == nil || c["system"] != "urn:oid:1.2.246.537.6.881" {
				add("ajanvarauksen-tila: context Appointment.status, valueCoding of urn:oid:1.2.246.537.6.881")
			}
			continue
		}
		if !strings.HasPrefix(url, v.base) {
			continue
		}
		d, ok := v.ext[url]
		if !ok {
			add("%s has no StructureDefinition", url)
			continue
		}
		if !slices.Contains(d.contexts, context) {
			add("%s used on %s, its contexts are %v", url, context, d.contexts)
		}
		if d.valueType == "" {
			subs, _ := m["extension"].([]any)
			for j, s := range subs {
				sm, _ := s.(map[string]any)
				su, _ := sm["url"].(string)
				want, ok := d.subs[su]
				if !ok {
					add("extension[%d]: %q is not a sub-extension of %s", j, su, url)
					continue
				}
				key := "value" + strings.ToUpper(want[:1]) + want[1:]
				if _, ok := sm[key]; !ok {
					add("extension[%d]: %s wants %s", j, su, key)
				}
			}
			continue
		}
		key := "value" + strings.ToUpper(d.valueType[:1]) + d.valueType[1:]
		val, ok := m[key]
		if !ok {
			add("%s wants %s", url, key)
			continue
		}
		if len(d.targets) > 0 {
			ref, _ := val.(map[string]any)["reference"].(string)
			if lit := literalRef.FindStringSubmatch(ref); lit == nil || !slices.Contains(d.targets, lit[1]) {
				add("%s: reference %q, want one of %v", url, ref, d.targets)
			}
		}
	}
}

// invariants checks the official invariants on typ (a resource, a backbone
// element path or a data type) and on its primitive elements.
func (v *Validator) invariants(obj map[string]any, typ string, root map[string]any, add func(string, ...any)) {
	for _, c := range v.inv[typ] {
		if msg := invariantChecks[c.Key](obj, root); msg != "" {
			add("%s (%s)", msg, c.Key)
		}
	}
	// An invariant on a primitive element (Narrative.div's txt-1 and
	// txt-2) is checked on the element that holds it, in the order of the
	// elements' names.
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		p := typ + "." + k
		if _, isType := v.defs.Types[p]; isType {
			continue
		}
		for _, c := range v.inv[p] {
			if msg := invariantChecks[c.Key](obj, root); msg != "" {
				add("%s: %s (%s)", k, msg, c.Key)
			}
		}
	}
}

func init() {
	for k, f := range capabilityChecks {
		invariantChecks[k] = f
	}
}

// invariantChecks implements, by key, each invariant the official
// definitions put on the resources: the function returns what is wrong,
// or "" when o (the element the invariant sits on; root is the resource
// FHIRPath's %rootResource names) satisfies it. Each
// follows the FHIRPath expression of the definition literally (see
// TestInvariantsFollowTheOfficialExpressions).
var invariantChecks = map[string]func(o, root map[string]any) string{
	// reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))
	// Taken literally: "#" alone (the container itself) names no
	// contained resource and fails it.
	"ref-1": func(o, root map[string]any) string {
		ref, ok := strings.CutPrefix(str(o, "reference"), "#")
		if !ok {
			return ""
		}
		cs, _ := root["contained"].([]any)
		for _, c := range cs {
			if m, _ := c.(map[string]any); m != nil && str(m, "id") == ref {
				return ""
			}
		}
		return fmt.Sprintf("local reference %q: no contained resource with id %q", "#"+ref, ref)
	},
	// htmlChecks(), on Narrative.div (o is the Narrative), as its XPath
	// states it: the div's elements and attributes only those the
	// definition lists (see narrativeElements and narrativeAttributes).
	"txt-1": func(o, _ map[string]any) string {
		return narrativeMarkup(str(o, "div"))
	},
	// htmlChecks(), on Narrative.div, as its XPath states it:
	// descendant::text()[normalize-space(.)!=''] or descendant::h:img[@src].
	"txt-2": func(o, _ map[string]any) string {
		return unless(narrativeContent(str(o, "div")), "the narrative has no text and no image")
	},
	// value.empty() or system.exists().
	"cpt-2": func(o, _ map[string]any) string {
		return unless(!has(o, "value") || has(o, "system"), "a value without a system")
	},
	// extension.exists() != value.exists(): value is value[x], any
	// element whose name starts with "value".
	"ext-1": func(o, _ map[string]any) string {
		value := false
		for k := range o {
			value = value || strings.HasPrefix(k, "value")
		}
		return unless(has(o, "extension") != value, "either extensions or a value")
	},
	// start.hasValue().not() or end.hasValue().not() or (start <= end):
	// compared where FHIRPath gives a result, both full date-times or
	// both dates of the same precision.
	"per-1": func(o, _ map[string]any) string {
		s, e := str(o, "start"), str(o, "end")
		if s == "" || e == "" {
			return ""
		}
		st, err1 := time.Parse(time.RFC3339, s)
		et, err2 := time.Parse(time.RFC3339, e)
		switch {
		case err1 == nil && err2 == nil:
			return unless(!et.Before(st), "end before start")
		case len(s) == len(e) && !strings.Contains(s, "T") && !strings.Contains(e, "T"):
			return unless(s <= e, "end before start")
		}
		return ""
	},
	// type.exists() or actor.exists()
	"app-1": func(o, _ map[string]any) string {
		return unless(has(o, "type") || has(o, "actor"), "neither type nor actor")
	},
	// start.exists() = end.exists()
	"app-2": func(o, _ map[string]any) string {
		return unless(has(o, "start") == has(o, "end"), "start and end are both present or both absent")
	},
	// (start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | 'waitlist'))
	"app-3": func(o, _ map[string]any) string {
		ok := has(o, "start") && has(o, "end") || slices.Contains([]string{"proposed", "cancelled", "waitlist"}, str(o, "status"))
		return unless(ok, "only proposed, cancelled and waitlist appointments lack start and end")
	},
	// Appointment.cancelationReason.exists() implies (Appointment.status='no-show' or Appointment.status='cancelled')
	// R4 writes 'no-show', which is not a code of appointmentstatus
	// ('noshow'): taken literally, only a cancelled appointment has one.
	"app-4": func(o, _ map[string]any) string {
		ok := !has(o, "cancelationReason") || str(o, "status") == "no-show" || str(o, "status") == "cancelled"
		return unless(ok, "cancelationReason only on a cancelled appointment")
	},
	// participantType.exists() or actor.exists()
	"apr-1": func(o, _ map[string]any) string {
		return unless(has(o, "participantType") || has(o, "actor"), "neither participantType nor actor")
	},
	// total.empty() or (type = 'searchset') or (type = 'history')
	"bdl-1": func(o, _ map[string]any) string {
		t := str(o, "type")
		return unless(!has(o, "total") || t == "searchset" || t == "history", "total only in a searchset or history")
	},
	// entry.search.empty() or (type = 'searchset')
	"bdl-2": func(o, _ map[string]any) string {
		return unless(!entriesHave(o, "search") || str(o, "type") == "searchset", "entry.search only in a searchset")
	},
	// entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))
	"bdl-3": func(o, _ map[string]any) string {
		want := slices.Contains([]string{"batch", "transaction", "history"}, str(o, "type"))
		return unless(entriesAll(o, func(e map[string]any) bool { return has(e, "request") == want }),
			"entry.request in batch, transaction and history, and only there")
	},
	// entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))
	"bdl-4": func(o, _ map[string]any) string {
		want := slices.Contains([]string{"batch-response", "transaction-response", "history"}, str(o, "type"))
		return unless(entriesAll(o, func(e map[string]any) bool { return has(e, "response") == want }),
			"entry.response in batch-response, transaction-response and history, and only there")
	},
	// resource.exists() or request.exists() or response.exists()
	"bdl-5": func(o, _ map[string]any) string {
		return unless(has(o, "resource") || has(o, "request") || has(o, "response"), "neither resource, request nor response")
	},
	// (type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()
	"bdl-7": func(o, _ map[string]any) string {
		if str(o, "type") == "history" {
			return ""
		}
		seen := map[string]bool{}
		ok := entriesAll(o, func(e map[string]any) bool {
			u := str(e, "fullUrl")
			if u == "" {
				return true
			}
			r, _ := e["resource"].(map[string]any)
			m, _ := r["meta"].(map[string]any)
			k := u + str(m, "versionId")
			dup := seen[k]
			seen[k] = true
			return !dup
		})
		return unless(ok, "fullUrl (with meta.versionId) is not unique")
	},
	// fullUrl.contains('/_history/').not()
	"bdl-8": func(o, _ map[string]any) string {
		return unless(!strings.Contains(str(o, "fullUrl"), "/_history/"), "fullUrl is a version-specific reference")
	},
	// type = 'document' implies (identifier.system.exists() and identifier.value.exists())
	"bdl-9": func(o, _ map[string]any) string {
		id, _ := o["identifier"].(map[string]any)
		return unless(str(o, "type") != "document" || has(id, "system") && has(id, "value"), "a document without identifier.system and value")
	},
	// type = 'document' implies (timestamp.hasValue())
	"bdl-10": func(o, _ map[string]any) string {
		return unless(str(o, "type") != "document" || str(o, "timestamp") != "", "a document without a timestamp")
	},
	// type = 'document' implies entry.first().resource.is(Composition)
	"bdl-11": func(o, _ map[string]any) string {
		return unless(str(o, "type") != "document" || firstResource(o) == "Composition", "a document whose first resource is not a Composition")
	},
	// type = 'message' implies entry.first().resource.is(MessageHeader)
	"bdl-12": func(o, _ map[string]any) string {
		return unless(str(o, "type") != "message" || firstResource(o) == "MessageHeader", "a message whose first resource is not a MessageHeader")
	},
}

// cpbName is the pattern of cpb-0, matched against the whole name.
var cpbName = regexp.MustCompile(`^[A-Z]([A-Za-z0-9_]){0,254}$`)

// capabilityChecks are the invariants of CapabilityStatement (cpb-0,
// cpb-1, cpb-2, cpb-3, cpb-7, cpb-9, cpb-12, cpb-14, cpb-15 and cpb-16;
// R4 4.0.1 states no others), each from its FHIRPath expression. kind is
// required (1..1): where it is missing, kind != 'x' is taken as true.
var capabilityChecks = map[string]func(o, root map[string]any) string{
	// name.matches('[A-Z]([A-Za-z0-9_]){0,254}'), severity warning: no
	// name gives an empty result, which does not fail; a name is matched
	// whole (an identifier "usable by machine processing"). Reported as
	// any other problem.
	"cpb-0": func(o, _ map[string]any) string {
		n, ok := o["name"].(string)
		return unless(!ok || cpbName.MatchString(n), "name is not an identifier [A-Z]([A-Za-z0-9_]){0,254} (a warning)")
	},
	// rest.exists() or messaging.exists() or document.exists()
	"cpb-1": func(o, _ map[string]any) string {
		return unless(has(o, "rest") || has(o, "messaging") || has(o, "document"), "neither rest, messaging nor document")
	},
	// (description.count() + software.count() + implementation.count()) > 0
	"cpb-2": func(o, _ map[string]any) string {
		return unless(has(o, "description") || has(o, "software") || has(o, "implementation"), "neither description, software nor implementation")
	},
	// messaging.endpoint.empty() or kind = 'instance'
	"cpb-3": func(o, _ map[string]any) string {
		endpoint := false
		for _, m := range objects(o, "messaging") {
			endpoint = endpoint || has(m, "endpoint")
		}
		return unless(!endpoint || str(o, "kind") == "instance", "messaging.endpoint only in a statement of kind instance")
	},
	// document.select(profile&mode).isDistinct(): & concatenates, an
	// empty operand as "".
	"cpb-7": func(o, _ map[string]any) string {
		return unless(distinct(objects(o, "document"), func(d map[string]any) (string, bool) {
			return str(d, "profile") + str(d, "mode"), true
		}), "a document profile and mode twice")
	},
	// resource.select(type).isDistinct()
	"cpb-9": func(o, _ map[string]any) string {
		return unless(distinct(objects(o, "resource"), func(r map[string]any) (string, bool) {
			t, ok := r["type"].(string)
			return t, ok
		}), "a resource type described twice")
	},
	// searchParam.select(name).isDistinct()
	"cpb-12": func(o, _ map[string]any) string {
		return unless(distinct(objects(o, "searchParam"), func(p map[string]any) (string, bool) {
			n, ok := p["name"].(string)
			return n, ok
		}), "a search parameter name twice")
	},
	// (kind != 'instance') or implementation.exists()
	"cpb-14": func(o, _ map[string]any) string {
		return unless(str(o, "kind") != "instance" || has(o, "implementation"), "kind instance without an implementation")
	},
	// (kind != 'capability') or (implementation.exists().not() and software.exists())
	"cpb-15": func(o, _ map[string]any) string {
		return unless(str(o, "kind") != "capability" || !has(o, "implementation") && has(o, "software"),
			"kind capability with an implementation or without software")
	},
	// (kind!='requirements') or (implementation.exists().not() and software.exists().not())
	"cpb-16": func(o, _ map[string]any) string {
		return unless(str(o, "kind") != "requirements" || !has(o, "implementation") && !has(o, "software"),
			"kind requirements with an implementation or software")
	},
}

// objects returns the objects of o's list (or single object) k.
func objects(o map[string]any, k string) []map[string]any {
	var out []map[string]any
	switch v := o[k].(type) {
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, v)
	}
	return out
}

// distinct reports whether the values key selects from items (those it
// gives one for: select leaves out an empty result) are all different.
func distinct(items []map[string]any, key func(map[string]any) (string, bool)) bool {
	seen := map[string]bool{}
	for _, m := range items {
		k, ok := key(m)
		if !ok {
			continue
		}
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func unless(ok bool, msg string) string {
	if ok {
		return ""
	}
	return msg
}

func has(o map[string]any, k string) bool { _, ok := o[k]; return ok }

func str(o map[string]any, k string) string { s, _ := o[k].(string); return s }

func entriesAll(o map[string]any, f func(map[string]any) bool) bool {
	es, _ := o["entry"].([]any)
	for _, e := range es {
		m, _ := e.(map[string]any)
		if !f(m) {
			return false
		}
	}
	return true
}

func entriesHave(o map[string]any, k string) bool {
	return !entriesAll(o, func(e map[string]any) bool { return !has(e, k) })
}

func firstResource(o map[string]any) string {
	es, _ := o["entry"].([]any)
	if len(es) == 0 {
		return ""
	}
	e, _ := es[0].(map[string]any)
	r, _ := e["resource"].(map[string]any)
	return str(r, "resourceType")
}
