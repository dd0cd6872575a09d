package fhirvalidate

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// fhirNS and xhtmlNS are the XML namespaces of FHIR and of the narrative.
const (
	fhirNS  = "http://hl7.org/fhir"
	xhtmlNS = "http://www.w3.org/1999/xhtml"
)

// xmlNode is an element of a parsed XML document with its mixed content:
// each item of content is a *xmlNode or a string (character data).
type xmlNode struct {
	name    xml.Name
	attrs   []xml.Attr
	content []any
}

// elements returns the child elements of n, in order.
func (n *xmlNode) elements() []*xmlNode {
	var out []*xmlNode
	for _, c := range n.content {
		if e, ok := c.(*xmlNode); ok {
			out = append(out, e)
		}
	}
	return out
}

// parseXML reads a whole document into its root element. Comments,
// processing instructions and directives are dropped.
func parseXML(data []byte) (*xmlNode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var root *xmlNode
	var stack []*xmlNode
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name, attrs: append([]xml.Attr(nil), t.Attr...)}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.content = append(p.content, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.content = append(p.content, string(t))
			} else if strings.TrimSpace(string(t)) != "" {
				return nil, errors.New("text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// XMLToJSON converts one resource from the FHIR R4 XML format to the FHIR
// JSON format, by the rules of http://hl7.org/fhir/R4/xml.html and
// json.html: a primitive's value attribute becomes the JSON value (a
// boolean or number where the type is one), its id attribute and
// extensions go to the "_name" object (parallel arrays, with null, for
// repeating primitives); an element that may repeat (max other than "1"
// in the definitions this validator holds) becomes an array; the narrative
// div becomes its XHTML as a string; an element's id attribute and an
// extension's url attribute become properties; a contained resource is
// the element inside its container. Only the types the validator knows can
// be converted; an element it does not know is an error, as is a second
// occurrence of an element with max 1.
func (v *Validator) XMLToJSON(data []byte) ([]byte, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, fmt.Errorf("fhirvalidate: XML: %w", err)
	}
	obj, err := v.xmlResource(root, root.name.Local)
	if err != nil {
		return nil, fmt.Errorf("fhirvalidate: XML: %w", err)
	}
	return json.Marshal(obj)
}

// xmlResource converts the resource element n.
func (v *Validator) xmlResource(n *xmlNode, path string) (map[string]any, error) {
	typ := n.name.Local
	if n.name.Space != fhirNS {
		return nil, fmt.Errorf("%s: namespace %q, want %s", path, n.name.Space, fhirNS)
	}
	if !v.isResource(typ) {
		return nil, fmt.Errorf("%s: %s is not a resource type this validator knows", path, typ)
	}
	obj, err := v.xmlComplex(n, typ, path)
	if err != nil {
		return nil, err
	}
	obj["resourceType"] = typ
	return obj, nil
}

// isResource tells whether typ is a resource type (it has meta).
func (v *Validator) isResource(typ string) bool {
	return v.defs.Types[typ]["meta"].Type != nil
}

// xmlComplex converts n, an element of the complex type typ.
func (v *Validator) xmlComplex(n *xmlNode, typ, path string) (map[string]any, error) {
	defs := v.defs.Types[typ]
	if defs == nil {
		return nil, fmt.Errorf("%s: no definition of type %s", path, typ)
	}
	obj := map[string]any{}
	for _, a := range n.attrs {
		switch {
		case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
		case a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance" && v.isResource(typ):
		case a.Name.Space == "" && a.Name.Local == "id" && !v.isResource(typ):
			obj["id"] = a.Value
		case a.Name.Space == "" && a.Name.Local == "url" && typ == "Extension":
			obj["url"] = a.Value
		default:
			return nil, fmt.Errorf("%s: attribute %s is not one of %s", path, a.Name.Local, typ)
		}
	}
	for _, c := range n.content {
		if s, ok := c.(string); ok && strings.TrimSpace(s) != "" {
			return nil, fmt.Errorf("%s: text %q in a %s", path, strings.TrimSpace(s), typ)
		}
	}
	for _, c := range n.elements() {
		name := c.name.Local
		p := path + "." + name
		if c.name.Space != fhirNS && !(name == "div" && c.name.Space == xhtmlNS) {
			return nil, fmt.Errorf("%s: namespace %q", p, c.name.Space)
		}
		if name == "id" && !v.isResource(typ) {
			return nil, fmt.Errorf("%s: an element's id is an attribute", p)
		}
		def, elemType, ok := choiceDef(defs, name)
		if !ok {
			return nil, fmt.Errorf("%s: not an element of %s", p, typ)
		}
		val, under, err := v.xmlValue(c, elemType, p)
		if err != nil {
			return nil, err
		}
		if def.Max == "1" {
			if _, dup := obj[name]; dup || obj["_"+name] != nil {
				return nil, fmt.Errorf("%s: more than one, max is 1", p)
			}
			if val != nil {
				obj[name] = val
			}
			if under != nil {
				obj["_"+name] = under
			}
			continue
		}
		if v.isPrimitive(elemType) {
			vals, _ := obj[name].([]any)
			unders, _ := obj["_"+name].([]any)
			for len(unders) < len(vals) {
				unders = append(unders, nil)
			}
			for len(vals) < len(unders) {
				vals = append(vals, nil)
			}
			obj[name] = append(vals, val)
			obj["_"+name] = append(unders, under)
			continue
		}
		vals, _ := obj[name].([]any)
		obj[name] = append(vals, val)
	}
	for k, val := range obj {
		arr, ok := val.([]any)
		if !ok {
			continue
		}
		if strings.HasPrefix(k, "_") {
			base := k[1:]
			vals, _ := obj[base].([]any)
			for len(arr) < len(vals) {
				arr = append(arr, nil)
			}
			obj[k] = arr
		}
		if allNil(obj[k].([]any)) {
			delete(obj, k)
		}
	}
	return obj, nil
}

// allNil tells whether every item of arr is nil.
func allNil(arr []any) bool {
	for _, x := range arr {
		if x != nil {
			return false
		}
	}
	return true
}

// choiceDef finds the definition of the child name among defs, either by
// name or as a choice element (value[x] for valueString), and the type the
// child has.
func choiceDef(defs map[string]elemDef, name string) (elemDef, string, bool) {
	if def, ok := defs[name]; ok {
		return def, def.Type[0], true
	}
	for k, def := range defs {
		prefix, ok := strings.CutSuffix(k, "[x]")
		if !ok || !strings.HasPrefix(name, prefix) || len(name) == len(prefix) {
			continue
		}
		suffix := name[len(prefix):]
		for _, t := range def.Type {
			if strings.ToUpper(t[:1])+t[1:] == suffix {
				return def, t, true
			}
		}
	}
	return elemDef{}, "", false
}

// xmlValue converts c, an element of type typ: for a primitive, its JSON
// value and its "_" object (either may be nil); otherwise the JSON value.
func (v *Validator) xmlValue(c *xmlNode, typ, path string) (any, any, error) {
	switch {
	case typ == "xhtml":
		if c.name.Space != xhtmlNS || c.name.Local != "div" {
			return nil, nil, fmt.Errorf("%s: want an XHTML div", path)
		}
		var b strings.Builder
		writeXHTML(&b, c, true)
		return b.String(), nil, nil
	case v.isPrimitive(typ):
		return v.xmlPrimitive(c, typ, path)
	case typ == "Resource":
		els := c.elements()
		if len(els) != 1 {
			return nil, nil, fmt.Errorf("%s: want one resource inside", path)
		}
		r, err := v.xmlResource(els[0], path+"."+els[0].name.Local)
		return r, nil, err
	default:
		obj, err := v.xmlComplex(c, typ, path)
		if err != nil {
			return nil, nil, err
		}
		if len(obj) == 0 {
			return nil, nil, fmt.Errorf("%s: no value and no children (ele-1)", path)
		}
		return obj, nil, nil
	}
}

// xmlPrimitive converts c, an element of the primitive type typ.
func (v *Validator) xmlPrimitive(c *xmlNode, typ, path string) (any, any, error) {
	var val any
	under := map[string]any{}
	for _, a := range c.attrs {
		switch {
		case a.Name.Space == "" && a.Name.Local == "value":
			x, err := primitiveJSON(v.defs.Primitives[typ], a.Value)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			val = x
		case a.Name.Space == "" && a.Name.Local == "id":
			under["id"] = a.Value
		default:
			return nil, nil, fmt.Errorf("%s: attribute %s on a %s", path, a.Name.Local, typ)
		}
	}
	for _, e := range c.content {
		if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
			return nil, nil, fmt.Errorf("%s: text in a primitive; the value is an attribute", path)
		}
	}
	for _, e := range c.elements() {
		if e.name.Space != fhirNS || e.name.Local != "extension" {
			return nil, nil, fmt.Errorf("%s: element %s in a primitive", path, e.name.Local)
		}
		ext, err := v.xmlComplex(e, "Extension", path+".extension")
		if err != nil {
			return nil, nil, err
		}
		exts, _ := under["extension"].([]any)
		under["extension"] = append(exts, ext)
	}
	if val == nil && len(under) == 0 {
		return nil, nil, fmt.Errorf("%s: no value and no children (ele-1)", path)
	}
	if len(under) == 0 {
		return val, nil, nil
	}
	return val, under, nil
}

// primitiveJSON is the JSON value of a primitive's value attribute: a
// boolean or a number where the subset's rule for the type says so.
func primitiveJSON(rule, s string) (any, error) {
	switch rule {
	case "json:boolean":
		switch s {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean", s)
	case "json:integer", "json:unsignedInt", "json:positiveInt":
		if _, err := strconv.ParseInt(s, 10, 32); err != nil {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return json.Number(s), nil
	case "json:number":
		if _, err := strconv.ParseFloat(s, 64); err != nil || !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("%q is not a decimal", s)
		}
		return json.Number(s), nil
	}
	return s, nil
}

// writeXHTML writes n as XHTML text: the namespace declared on the div
// only, attributes and text escaped, an element without content as an
// empty-element tag.
func writeXHTML(b *strings.Builder, n *xmlNode, top bool) {
	b.WriteString("<" + n.name.Local)
	if top {
		b.WriteString(` xmlns="` + xhtmlNS + `"`)
	}
	for _, a := range n.attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		name := a.Name.Local
		if a.Name.Space == "http://www.w3.org/XML/1998/namespace" {
			name = "xml:" + name
		}
		b.WriteString(" " + name + `="`)
		escapeXHTML(b, a.Value, true)
		b.WriteString(`"`)
	}
	if len(n.content) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for _, c := range n.content {
		switch c := c.(type) {
		case string:
			escapeXHTML(b, c, false)
		case *xmlNode:
			writeXHTML(b, c, false)
		}
	}
	b.WriteString("</" + n.name.Local + ">")
}

// escapeXHTML writes s with &, < and > (and " in an attribute) escaped.
func escapeXHTML(b *strings.Builder, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
}
