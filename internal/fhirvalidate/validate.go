package fhirvalidate

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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

type elemDef struct {
	Min     int      `json:"min"`
	Max     string   `json:"max"`
	Type    []string `json:"type"`
	Targets []string `json:"targets"`
	Binding string   `json:"binding"`
}

type r4Defs struct {
	Types      map[string]map[string]elemDef `json:"types"`
	Bindings   map[string][]string           `json:"bindings"`
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

// Validator checks resources; it is read-only once built.
type Validator struct {
	defs     r4Defs
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
	v.resource(obj, "", &problems)
	sort.Strings(problems)
	return problems
}

func (v *Validator) resource(obj map[string]any, prefix string, problems *[]string) {
	typ, _ := obj["resourceType"].(string)
	if _, ok := v.defs.Types[typ]; !ok {
		*problems = append(*problems, fmt.Sprintf("%sresourceType %q is not one this validator knows", prefix, typ))
		return
	}
	v.object(obj, typ, prefix+typ, typ, problems)
}

// object checks obj, an element of type typ at path. context is the
// extension context of obj's extensions (the resource type, or
// "Appointment.status" for _status).
func (v *Validator) object(obj map[string]any, typ, path, context string, problems *[]string) {
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
						v.object(m, "Element", fmt.Sprintf("%s.%s[%d]", path, k, i), ctx, problems)
					} else {
						add("%s[%d]: want an object", k, i)
					}
				}
				continue
			}
			if m, ok := val.(map[string]any); ok {
				v.object(m, "Element", path+"."+k, ctx, problems)
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
			v.value(item, types[0], p, def, context, problems)
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
	v.invariants(obj, typ, add)
}

func (v *Validator) value(item any, typ, path string, def elemDef, context string, problems *[]string) {
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
			if def.Binding != "" && !slices.Contains(v.defs.Bindings[def.Binding], s) {
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
		v.resource(m, path+"/", problems)
		return
	}
	ctx := context
	if v.defs.Types[typ]["meta"].Type == nil && typ != "Extension" {
		ctx = strings.SplitN(path, ".", 2)[0] + "." + typ
	}
	v.object(m, typ, path, ctx, problems)
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

func (v *Validator) invariants(obj map[string]any, typ string, add func(string, ...any)) {
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch typ {
	case "Appointment":
		status, _ := obj["status"].(string)
		if has("start") != has("end") {
			add("start and end are both present or both absent (app-2)")
		}
		if !(has("start") && has("end")) && !slices.Contains([]string{"proposed", "cancelled", "waitlist"}, status) {
			add("only proposed, cancelled and waitlist appointments lack start and end (app-3)")
		}
		if has("cancelationReason") && status != "noshow" && status != "cancelled" {
			add("cancelationReason only on cancelled or noshow (app-4)")
		}
	case "Appointment.participant":
		if !has("type") && !has("actor") {
			add("neither type nor actor (app-1)")
		}
	case "Extension":
		value := false
		for k := range obj {
			value = value || strings.HasPrefix(k, "value")
		}
		if has("extension") == value {
			add("either extensions or a value (ext-1)")
		}
	case "Bundle":
		bt, _ := obj["type"].(string)
		if has("total") && bt != "searchset" && bt != "history" {
			add("total only in a searchset or history (bdl-1)")
		}
		es, _ := obj["entry"].([]any)
		for i, e := range es {
			m, _ := e.(map[string]any)
			_, search := m["search"]
			_, request := m["request"]
			_, response := m["response"]
			if search && bt != "searchset" {
				add("entry[%d]: search only in a searchset (bdl-2)", i)
			}
			if request != slices.Contains([]string{"batch", "transaction", "history"}, bt) {
				add("entry[%d]: request in batch, transaction and history, and only there (bdl-3)", i)
			}
			if response != slices.Contains([]string{"batch-response", "transaction-response", "history"}, bt) {
				add("entry[%d]: response in batch-response, transaction-response and history, and only there (bdl-4)", i)
			}
		}
	case "Bundle.entry":
		if !has("resource") && !has("request") && !has("response") {
			add("neither resource, request nor response (bdl-5)")
		}
	case "Period":
		s, _ := obj["start"].(string)
		e, _ := obj["end"].(string)
		st, err1 := time.Parse(time.RFC3339, s)
		et, err2 := time.Parse(time.RFC3339, e)
		if err1 == nil && err2 == nil && et.Before(st) {
			add("end before start (per-1)")
		}
	}
}
