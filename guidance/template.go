package guidance

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/carecontact/carecontact"
)

// Vars holds the values of a template's named variables, by name.
type Vars map[string]string

// Template is one translation of a guidance text, parsed. The syntax is
// plain text with named variables in braces:
//
//	Soitamme sinulle takaisin {callback_window}.
//
// A variable name is a lower-case letter followed by up to 63 lower-case
// letters, digits or underscores. "{{" and "}}" stand for literal braces.
// Blank lines separate paragraphs; a single line break is kept as a line
// break. Texts are never interpreted as HTML: in HTML output every character
// of the text and of the values is escaped as html/template escapes text.
//
// A Template is immutable and safe for concurrent use.
type Template struct {
	src  string
	segs []segment
	vars []string
}

type segment struct {
	lit  string
	name string // non-empty: a variable
}

const maxVarName = 64

// ParseTemplate parses src. Errors wrap ErrTemplate and name the byte offset.
func ParseTemplate(src string) (*Template, error) {
	t := &Template{src: src}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.segs = append(t.segs, segment{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '{' && i+1 < len(src) && src[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case c == '}' && i+1 < len(src) && src[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, carecontact.Invalid(ErrTemplate, "template", fmt.Sprintf("unmatched '}' at offset %d (write '}}' for a literal brace)", i))
		case c == '{':
			end := strings.IndexByte(src[i+1:], '}')
			if end < 0 {
				return nil, carecontact.Invalid(ErrTemplate, "template", fmt.Sprintf("unterminated '{' at offset %d", i))
			}
			name := src[i+1 : i+1+end]
			if !validVarName(name) {
				return nil, carecontact.Invalid(ErrTemplate, "template", fmt.Sprintf("bad variable name %q at offset %d", truncate(name, 40), i))
			}
			flush()
			t.segs = append(t.segs, segment{name: name})
			if !slices.Contains(t.vars, name) {
				t.vars = append(t.vars, name)
			}
			i += end + 2
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	slices.Sort(t.vars)
	return t, nil
}

func validVarName(s string) bool {
	if s == "" || len(s) > maxVarName || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Source returns the template text as written.
func (t *Template) Source() string { return t.src }

// Vars returns the names of the variables the template uses, sorted.
func (t *Template) Vars() []string { return slices.Clone(t.vars) }

// Plain renders the template as plain text. Every variable the template uses
// must have a value in vals (ErrMissingValue otherwise, naming the variable);
// values the template does not use are ignored.
func (t *Template) Plain(vals Vars) (string, error) {
	return t.execute(func(name string) (string, bool) {
		v, ok := vals[name]
		return v, ok
	})
}

// execute renders the template with values from get.
func (t *Template) execute(get func(name string) (string, bool)) (string, error) {
	var b strings.Builder
	for _, s := range t.segs {
		if s.name == "" {
			b.WriteString(s.lit)
			continue
		}
		v, ok := get(s.name)
		if !ok {
			return "", carecontact.Invalid(ErrMissingValue, "values."+s.name, "{"+s.name+"} is required by the text")
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// HTML renders the template as an HTML fragment: paragraphs (separated by
// blank lines) become <p> elements, single line breaks become <br>, and all
// text, literal and variable alike, is escaped with html/template's
// escaping, so neither a text nor a value can inject markup.
func (t *Template) HTML(vals Vars) (template.HTML, error) {
	plain, err := t.Plain(vals)
	if err != nil {
		return "", err
	}
	return plainToHTML(plain), nil
}

// plainToHTML escapes s and marks up its paragraphs and line breaks.
func plainToHTML(s string) template.HTML {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for para := range strings.SplitSeq(s, "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(template.HTMLEscapeString(line))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}
