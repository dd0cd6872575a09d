package guidance_test

import (
	"html/template"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/guidance"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		vars    []string
		wantErr string
	}{
		{name: "plain", src: "Tervetuloa.", vars: nil},
		{name: "one var", src: "Soitamme {callback_window}.", vars: []string{"callback_window"}},
		{name: "vars sorted and unique", src: "{b} {a} {b}", vars: []string{"a", "b"}},
		{name: "escaped braces", src: "{{not a var}} {x9_y}", vars: []string{"x9_y"}},
		{name: "empty", src: "", vars: nil},
		{name: "unterminated", src: "Soitamme {callback_window", wantErr: "unterminated '{' at offset 9"},
		{name: "lone close", src: "a } b", wantErr: "unmatched '}' at offset 2"},
		{name: "empty name", src: "a {} b", wantErr: `bad variable name ""`},
		{name: "upper case", src: "{Area}", wantErr: `bad variable name "Area"`},
		{name: "leading digit", src: "{9a}", wantErr: `bad variable name "9a"`},
		{name: "space", src: "{area name}", wantErr: `bad variable name "area name"`},
		{name: "nested", src: "{a{b}}", wantErr: `bad variable name "a{b"`},
		{name: "too long", src: "{" + strings.Repeat("a", 65) + "}", wantErr: "bad variable name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := guidance.ParseTemplate(tc.src)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, guidance.ErrTemplate)
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.vars, tmpl.Vars())
			require.Equal(t, tc.src, tmpl.Source())
		})
	}
}

func TestTemplateRender(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		vals      guidance.Vars
		plain     string
		html      template.HTML
		wantErrIs error
	}{
		{
			name:  "values substituted",
			src:   "Soitamme sinulle {callback_window}.",
			vals:  guidance.Vars{"callback_window": "klo 13–15", "unused": "x"},
			plain: "Soitamme sinulle klo 13–15.",
			html:  "<p>Soitamme sinulle klo 13–15.</p>",
		},
		{
			name:  "markup in values is escaped",
			src:   "Hei {name}!",
			vals:  guidance.Vars{"name": `<script>alert("x")</script> & 'y'`},
			plain: `Hei <script>alert("x")</script> & 'y'!`,
			html:  "<p>Hei &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;y&#39;!</p>",
		},
		{
			name:  "markup in the text itself is escaped",
			src:   `<b>Huom</b> {{ok}}`,
			plain: "<b>Huom</b> {ok}",
			html:  "<p>&lt;b&gt;Huom&lt;/b&gt; {ok}</p>",
		},
		{
			name:  "paragraphs and line breaks",
			src:   "Eka rivi\ntoka rivi\n\n\nUusi kappale {x}\r\n\r\nKolmas",
			vals:  guidance.Vars{"x": "a\nb"},
			plain: "Eka rivi\ntoka rivi\n\n\nUusi kappale a\nb\r\n\r\nKolmas",
			html:  "<p>Eka rivi<br>\ntoka rivi</p>\n<p>Uusi kappale a<br>\nb</p>\n<p>Kolmas</p>",
		},
		{
			name:      "missing value is an error, not a blank",
			src:       "Soitamme {callback_window}.",
			vals:      guidance.Vars{"area_name": "Koivikko"},
			wantErrIs: guidance.ErrMissingValue,
		},
		{
			name:  "empty value is a value",
			src:   "[{a}]",
			vals:  guidance.Vars{"a": ""},
			plain: "[]",
			html:  "<p>[]</p>",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := guidance.ParseTemplate(tc.src)
			require.NoError(t, err)
			plain, err := tmpl.Plain(tc.vals)
			html, herr := tmpl.HTML(tc.vals)
			if tc.wantErrIs != nil {
				require.ErrorIs(t, err, tc.wantErrIs)
				require.ErrorIs(t, herr, tc.wantErrIs)
				require.ErrorContains(t, err, "{callback_window}")
				return
			}
			require.NoError(t, err)
			require.NoError(t, herr)
			require.Equal(t, tc.plain, plain)
			require.Equal(t, tc.html, html)
		})
	}
}

// htmlIsSafe reports whether h, with the package's own <p>, </p> and <br>
// tags removed, contains no markup characters.
func htmlIsSafe(h template.HTML) bool {
	s := strings.NewReplacer("<p>", "", "</p>", "", "<br>", "").Replace(string(h))
	return !strings.ContainsAny(s, "<>\"'")
}

func FuzzTemplate(f *testing.F) {
	f.Add("Soitamme {callback_window}.", "klo 13–15")
	f.Add("{{a}} {a}\n\n{a}", `<img src=x onerror="alert(1)">`)
	f.Add("<script>{x}</script>", "</p><p>")
	f.Add("{", "}")
	f.Fuzz(func(t *testing.T, src, val string) {
		tmpl, err := guidance.ParseTemplate(src)
		if err != nil {
			require.ErrorIs(t, err, guidance.ErrTemplate)
			return
		}
		vals := guidance.Vars{}
		for _, v := range tmpl.Vars() {
			vals[v] = val
		}
		plain, err := tmpl.Plain(vals)
		require.NoError(t, err)
		html, err := tmpl.HTML(vals)
		require.NoError(t, err)
		require.True(t, htmlIsSafe(html), "unescaped markup in %q", html)
		if len(tmpl.Vars()) > 0 {
			_, err := tmpl.Plain(nil)
			require.ErrorIs(t, err, guidance.ErrMissingValue)
		}
		if !strings.ContainsAny(plain, "<>&\"'\r\n\x00") && strings.TrimSpace(plain) != "" {
			require.Equal(t, template.HTML("<p>"+plain+"</p>"), html)
		}
	})
}
