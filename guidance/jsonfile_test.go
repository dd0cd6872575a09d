package guidance_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/guidance"
)

func encode(t testing.TB, c guidance.Content) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, guidance.Encode(&b, c))
	return b.Bytes()
}

// fileErrors returns the FileErrors in err.
func fileErrors(err error) []*guidance.FileError {
	var out []*guidance.FileError
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var fe *guidance.FileError
		if errors.As(e, &fe) {
			out = append(out, fe)
		}
	}
	walk(err)
	return out
}

func TestDecodeStarterContentRoundTrip(t *testing.T) {
	c := starter(t)
	require.Equal(t, []string{"fi", "sv", "en"}, c.Languages)
	require.NotEmpty(t, c.Texts)
	require.NotEmpty(t, c.Channels)
	require.NotEmpty(t, c.Booking)
	require.NotEmpty(t, c.Checklist)
	again, err := guidance.Decode("again.json", bytes.NewReader(encode(t, c)), nil)
	require.NoError(t, err)
	require.Equal(t, c, again)
}

func TestDecodeErrorsNameFileKeyAndProblem(t *testing.T) {
	valid := encode(t, miniContent())
	// mutate decodes valid into a generic document, applies f, re-encodes.
	mutate := func(f func(doc map[string]any)) string {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(valid, &doc))
		f(doc)
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		return string(b)
	}
	texts := func(doc map[string]any) []any { return doc["texts"].([]any) }
	tests := []struct {
		name    string
		data    string
		key     string
		wantIs  error
		message string
	}{
		{"not json", "{\n  \"format\": \"carecontact.guidance\",\n  oops\n}", "", guidance.ErrFormat, "line 3, column 3"},
		{"truncated", `{"format": "carecontact.guidance"`, "", guidance.ErrFormat, "ends before"},
		{"not an object", `[1, 2]`, "", guidance.ErrFormat, "not a JSON object"},
		{"trailing data", string(valid) + `{}`, "", guidance.ErrFormat, "data after"},
		{"wrong format name", mutate(func(d map[string]any) { d["format"] = "something.else" }), "format", guidance.ErrFormat, `"something.else"`},
		{"future version", mutate(func(d map[string]any) { d["version"] = 2 }), "version", guidance.ErrFormat, "is 2"},
		{"unknown top-level key", mutate(func(d map[string]any) { d["textz"] = []any{} }), "textz", guidance.ErrInvalid, "unknown key"},
		{"unknown nested key", mutate(func(d map[string]any) { texts(d)[1].(map[string]any)["areaa"] = "x" }), "texts[1].areaa", guidance.ErrInvalid, "unknown key"},
		{"wrong type", mutate(func(d map[string]any) {
			d["channels"].([]any)[0].(map[string]any)["offers"].([]any)[0].(map[string]any)["rank"] = "first"
		}),
			"channels[0].offers[0].rank", guidance.ErrInvalid, "is a string, want an integer"},
		{"fractional rank", mutate(func(d map[string]any) {
			d["channels"].([]any)[0].(map[string]any)["offers"].([]any)[0].(map[string]any)["rank"] = 1.5
		}),
			"channels[0].offers[0].rank", guidance.ErrInvalid, "not an integer"},
		{"bad identity level", mutate(func(d map[string]any) {
			d["channels"].([]any)[1].(map[string]any)["offers"].([]any)[0].(map[string]any)["identity"] = "medium"
		}), "channels[1].offers[0].identity", guidance.ErrInvalid, "unknown identity level"},
		{"unknown text key", mutate(func(d map[string]any) { texts(d)[0].(map[string]any)["key"] = "callback.request" }), "texts[0].key", guidance.ErrUnknownKey, `"callback.request"`},
		{"unknown variable", mutate(func(d map[string]any) {
			texts(d)[0].(map[string]any)["text"].(map[string]any)["sv"] = "Vi ringer {callback_window} {area}."
		}), "texts[0].text.sv", guidance.ErrUnknownVariable, "{area}"},
		{"missing required variable", mutate(func(d map[string]any) {
			texts(d)[0].(map[string]any)["text"].(map[string]any)["en"] = "We call you soon."
		}), "texts[0].text.en", guidance.ErrMissingVariable, "{callback_window}"},
		{"template syntax", mutate(func(d map[string]any) {
			texts(d)[0].(map[string]any)["text"].(map[string]any)["fi"] = "Soitamme {callback_window."
		}), "texts[0].text.fi", guidance.ErrTemplate, "unterminated"},
		{"undeclared language", mutate(func(d map[string]any) {
			texts(d)[0].(map[string]any)["text"].(map[string]any)["de"] = "Wir rufen {callback_window} an."
		}), "texts[0].text.de", guidance.ErrLanguage, "not declared"},
		{"missing default language", mutate(func(d map[string]any) { delete(texts(d)[0].(map[string]any)["text"].(map[string]any), "fi") }),
			"texts[0].text", guidance.ErrLanguage, `default language "fi"`},
		{"bad languages", mutate(func(d map[string]any) { d["languages"] = []any{"fi", "xx-!!"} }), "languages", guidance.ErrLanguage, "canonical"},
		{"duplicate text", mutate(func(d map[string]any) { d["texts"] = append(texts(d), texts(d)[0]) }), "texts[5]", guidance.ErrInvalid, "duplicate of texts[0]"},
		{"bad area id", mutate(func(d map[string]any) { texts(d)[1].(map[string]any)["area"] = "North Area" }), "texts[1].area", guidance.ErrInvalid, "not an identifier"},
		{"offered channel without advice text", mutate(func(d map[string]any) { d["texts"] = texts(d)[:3] }), "channels[1].offers[1]", guidance.ErrNotFound, `"advice.chat"`},
		{"bad checklist category", mutate(func(d map[string]any) { d["checklist"].([]any)[0].(map[string]any)["category"] = "legal" }),
			"checklist[0].category", guidance.ErrInvalid, "want technical, interaction or privacy"},
		{"bad action", mutate(func(d map[string]any) { d["checklist"].([]any)[0].(map[string]any)["actions"] = []any{"Start Leg"} }),
			"checklist[0].actions[0]", guidance.ErrInvalid, "not an action name"},
		{"bad errand", mutate(func(d map[string]any) {
			d["booking"].([]any)[0].(map[string]any)["services"].([]any)[0].(map[string]any)["errand"] = ""
		}), "booking[0].services[0].errand", guidance.ErrInvalid, "is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := guidance.Decode("north.json", strings.NewReader(tc.data), nil)
			require.Error(t, err)
			require.ErrorIs(t, err, tc.wantIs)
			fes := fileErrors(err)
			require.NotEmpty(t, fes, "every problem is a FileError")
			var match *guidance.FileError
			for _, fe := range fes {
				require.Equal(t, "north.json", fe.File)
				if fe.Key == tc.key && errors.Is(fe, tc.wantIs) {
					match = fe
				}
			}
			require.NotNil(t, match, "no problem at key %q in %v", tc.key, err)
			require.Contains(t, match.Error(), tc.message)
			prefix := "north.json: "
			if tc.key != "" {
				prefix += tc.key + ": "
			}
			require.True(t, strings.HasPrefix(match.Error(), prefix), match.Error())
		})
	}
}

func TestDecodeReportsSeveralProblems(t *testing.T) {
	c := miniContent()
	c.Texts[0].Key = "nope"
	c.Checklist[1].Kinds = append(c.Checklist[1].Kinds, "pigeon")
	_, err := guidance.Decode("x.json", bytes.NewReader(encode(t, c)), nil)
	fes := fileErrors(err)
	require.Len(t, fes, 2)
	require.Equal(t, "texts[0].key", fes[0].Key)
	require.Equal(t, "checklist[1].kinds[1]", fes[1].Key)
}

func TestDecodeTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte(" "), guidance.MaxFileSize+1)
	_, err := guidance.Decode("big.json", bytes.NewReader(big), nil)
	require.ErrorIs(t, err, guidance.ErrFormat)
	require.ErrorContains(t, err, "larger than")
}

func TestSchemaWith(t *testing.T) {
	s, err := guidance.DefaultSchema().With(guidance.KeyDef{Key: "lab.ready", Vars: []string{"area_name", "ready_at"}, Required: []string{"ready_at"}})
	require.NoError(t, err)
	d, ok := s.Key("lab.ready")
	require.True(t, ok)
	require.Equal(t, []string{"area_name", "ready_at"}, d.Vars)
	_, ok = guidance.DefaultSchema().Key("lab.ready")
	require.False(t, ok, "With returns a copy")
	require.Len(t, s.Keys(), len(guidance.DefaultSchema().Keys())+1)
	for _, bad := range []guidance.KeyDef{
		{Key: "Bad Key"},
		{Key: "a..b"},
		{Key: guidance.KeyCallbackRequested},
		{Key: "x.y", Vars: []string{"Bad"}},
		{Key: "x.y", Required: []string{"z"}},
	} {
		_, err := s.With(bad)
		require.ErrorIs(t, err, guidance.ErrInvalid, bad.Key)
	}
	c := miniContent()
	c.Texts = append(c.Texts, guidance.Text{Key: "lab.ready", Text: guidance.Localized{"fi": "Tulokset valmiina {ready_at}."}})
	_, err = guidance.Decode("lab.json", bytes.NewReader(encode(t, c)), nil)
	require.ErrorIs(t, err, guidance.ErrUnknownKey, "the default schema does not know the host's key")
	_, err = guidance.Decode("lab.json", bytes.NewReader(encode(t, c)), s)
	require.NoError(t, err)
}

// FuzzDecode keeps its seeds small, so the fuzzer explores instead of
// minimising; the full miniContent file is decoded by the ordinary tests.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"format":"carecontact.guidance","version":1,"languages":["fi"],"texts":[{"key":"advice.intro","text":{"fi":"{area_name}"}}]}`))
	f.Add([]byte(`{"format":"carecontact.guidance","version":1,"languages":["fi"],"checklist":[{"id":"a","category":"privacy","actions":["close"],"text":{"fi":"<b>x</b>"}}]}`))
	f.Add([]byte(`{"texts":[{"text":{"fi":1}}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := guidance.Decode("fuzz.json", bytes.NewReader(data), nil)
		if err != nil {
			for _, fe := range fileErrors(err) {
				require.Equal(t, "fuzz.json", fe.File)
			}
			require.NotEmpty(t, fileErrors(err), "every problem is a FileError: %v", err)
			return
		}
		// Valid content survives a round trip and serves without panics
		// and without unescaped markup.
		again, err := guidance.Decode("again.json", bytes.NewReader(encode(t, c)), nil)
		require.NoError(t, err)
		require.Equal(t, guidance.NewContent(c.Languages, c.Entries()), guidance.NewContent(again.Languages, again.Entries()))
		cat, err := guidance.NewCatalog(c, nil)
		require.NoError(t, err)
		for _, tx := range c.Texts {
			vals := guidance.Vars{}
			if d, ok := guidance.DefaultSchema().Key(tx.Key); ok {
				for _, v := range d.Vars {
					vals[v] = `<i>"v"</i>`
				}
			}
			r, err := cat.Render(tx.Key, guidance.Scope{Area: tx.Area, Service: tx.Service}, nil, vals)
			require.NoError(t, err)
			require.True(t, htmlIsSafe(r.HTML), "unescaped markup in %q", r.HTML)
		}
	})
}
