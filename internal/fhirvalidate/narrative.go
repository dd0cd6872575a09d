package fhirvalidate

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// narrativeElements and narrativeAttributes are the element and attribute
// names the XPath of txt-1 allows in a narrative (the official Narrative
// definition, testdata/r4official/StructureDefinition-Narrative.differential.json).
var (
	narrativeElements = []string{"a", "abbr", "acronym", "b", "big", "blockquote", "br", "caption", "cite", "code", "col",
		"colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol",
		"p", "pre", "q", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
		"tr", "tt", "ul", "var"}
	narrativeAttributes = []string{"abbr", "accesskey", "align", "alt", "axis", "bgcolor", "border", "cellhalign",
		"cellpadding", "cellspacing", "cellvalign", "char", "charoff", "charset", "cite", "class", "colspan", "compact",
		"coords", "dir", "frame", "headers", "height", "href", "hreflang", "hspace", "id", "lang", "longdesc", "name",
		"nowrap", "rel", "rev", "rowspan", "rules", "scope", "shape", "span", "src", "start", "style", "summary",
		"tabindex", "title", "type", "valign", "value", "vspace", "width"}
)

// walkXHTML reads div, an XHTML fragment, calling el for each element
// start and text for each run of character data. It returns what makes div
// not a well-formed XHTML div: a root other than one div of the XHTML
// namespace, or XML that does not parse.
func walkXHTML(div string, el func(xml.StartElement) string, text func(string)) string {
	if div == "" {
		return ""
	}
	d := xml.NewDecoder(strings.NewReader(div))
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Sprintf("the div is not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if t.Name.Local != "div" || t.Name.Space != xhtmlNS || roots > 1 {
					return "the narrative is not one div of the XHTML namespace"
				}
			}
			depth++
			if msg := el(t); msg != "" {
				return msg
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(t)) != "" {
				return "text outside the div"
			}
			text(string(t))
		case xml.ProcInst, xml.Directive:
			return "the div holds a processing instruction or a directive"
		}
	}
	return ""
}

// narrativeMarkup is txt-1: only the listed elements and attributes.
// Namespace declarations are not attributes (XPath's @* leaves them out);
// a prefixed attribute such as xml:lang is not in the list.
func narrativeMarkup(div string) string {
	return walkXHTML(div, func(e xml.StartElement) string {
		if !slices.Contains(narrativeElements, e.Name.Local) {
			return fmt.Sprintf("element %q is not allowed in a narrative", e.Name.Local)
		}
		for _, a := range e.Attr {
			if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
				continue
			}
			if a.Name.Space != "" || !slices.Contains(narrativeAttributes, a.Name.Local) {
				return fmt.Sprintf("attribute %q is not allowed in a narrative", a.Name.Local)
			}
		}
		return ""
	}, func(string) {})
}

// narrativeContent is txt-2: some text that is not white space, or an img
// with a src. A div that is not well-formed has none.
func narrativeContent(div string) bool {
	found := false
	msg := walkXHTML(div, func(e xml.StartElement) string {
		if e.Name.Local == "img" && e.Name.Space == xhtmlNS {
			for _, a := range e.Attr {
				found = found || a.Name.Space == "" && a.Name.Local == "src"
			}
		}
		return ""
	}, func(s string) {
		// normalize-space() removes XML's white space only.
		found = found || strings.Trim(s, " \t\r\n") != ""
	})
	return msg == "" && found
}
