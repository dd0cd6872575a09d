package guidance_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/guidance"
)

func tags(s ...string) []language.Tag {
	out := make([]language.Tag, len(s))
	for i, x := range s {
		out[i] = language.MustParse(x)
	}
	return out
}

func TestRenderLanguageFallback(t *testing.T) {
	cat, err := guidance.NewCatalog(miniContent(), nil)
	require.NoError(t, err)
	vals := guidance.Vars{guidance.VarCallbackWindow: "13–15"}
	tests := []struct {
		name  string
		area  string
		prefs []language.Tag
		lang  string
		scope guidance.Scope
		plain string
	}{
		{name: "finnish", prefs: tags("fi"), lang: "fi", plain: "Soitamme 13–15."},
		{name: "swedish", prefs: tags("sv"), lang: "sv", plain: "Vi ringer 13–15."},
		{name: "regional swedish matches sv", prefs: tags("sv-FI"), lang: "sv", plain: "Vi ringer 13–15."},
		{name: "british english matches en", prefs: tags("en-GB"), lang: "en", plain: "We call 13–15."},
		{name: "unknown language falls back to the default", prefs: tags("de"), lang: "fi", plain: "Soitamme 13–15."},
		{name: "second preference is used", prefs: tags("de", "en"), lang: "en", plain: "We call 13–15."},
		{name: "no preference: default", prefs: nil, lang: "fi", plain: "Soitamme 13–15."},
		{name: "area text in finnish", area: "north", prefs: tags("fi"), lang: "fi", scope: guidance.Scope{Area: "north"}, plain: "Pohjoinen: soitamme 13–15."},
		{name: "area has no swedish: the general swedish text wins", area: "north", prefs: tags("sv"), lang: "sv", plain: "Vi ringer 13–15."},
		{name: "nothing matches: most specific text, default language", area: "north", prefs: tags("de"), lang: "fi", scope: guidance.Scope{Area: "north"}, plain: "Pohjoinen: soitamme 13–15."},
		{name: "unknown area uses the general text", area: "west", prefs: tags("fi"), lang: "fi", plain: "Soitamme 13–15."},
		{name: "a civil.Language from routing or callback", prefs: []language.Tag{civil.Swedish.Tag()}, lang: "sv", plain: "Vi ringer 13–15."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: carecontact.AreaID(tc.area), Service: "any-service"}, tc.prefs, vals)
			require.NoError(t, err)
			require.Equal(t, tc.lang, r.Language.String())
			require.Equal(t, tc.scope, r.Scope)
			require.Equal(t, tc.plain, r.Plain)
			require.Equal(t, guidance.KeyCallbackRequested, r.Key)
		})
	}
}

func TestRenderErrors(t *testing.T) {
	cat, err := guidance.NewCatalog(miniContent(), nil)
	require.NoError(t, err)
	_, err = cat.Render("no.such.key", guidance.Scope{}, nil, nil)
	require.ErrorIs(t, err, guidance.ErrUnknownKey)
	_, err = cat.Render(guidance.KeyVideoInvitation, guidance.Scope{}, nil, guidance.Vars{guidance.VarAppointmentTime: "ti 3.3. klo 10"})
	require.ErrorIs(t, err, guidance.ErrNotFound)
	_, err = cat.Render(guidance.KeyCallbackRequested, guidance.Scope{}, nil, nil)
	require.ErrorIs(t, err, guidance.ErrMissingValue)
	require.ErrorContains(t, err, "{callback_window}")
	// area_name comes from the channel configuration unless given.
	r, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "north"}, nil, guidance.Vars{guidance.VarCallbackWindow: "x", guidance.VarAreaName: "<Oma>"})
	require.NoError(t, err)
	require.Equal(t, "<Oma>: soitamme x.", r.Plain)
	require.Equal(t, "<p>&lt;Oma&gt;: soitamme x.</p>", string(r.HTML))
}

func TestCatalogLanguageAndContent(t *testing.T) {
	cat, err := guidance.NewCatalog(miniContent(), nil)
	require.NoError(t, err)
	require.Equal(t, []string{"fi", "sv", "en"}, cat.Languages())
	require.Equal(t, "sv", cat.Language(tags("sv-FI", "fi")).String())
	require.Equal(t, "fi", cat.Language(tags("ja")).String())
	out := cat.Content()
	require.NoError(t, out.Validate(nil))
	require.Len(t, out.Texts, len(miniContent().Texts))
	require.Len(t, out.Channels, 2)
	require.Len(t, out.Checklist, 5)
	require.True(t, cat.At().IsZero())
}

func TestChecklistRequired(t *testing.T) {
	cat, err := guidance.NewCatalog(miniContent(), nil)
	require.NoError(t, err)
	tests := []struct {
		action string
		kind   channel.Kind
		want   []string
	}{
		{"leg.start", channel.Video, []string{"av-tested", "identity-verified", "private-place"}},
		{"leg.start", channel.Callback, []string{"identity-verified"}},
		{"participant.invite", channel.Video, []string{"consent"}},
		{"close", channel.Chat, []string{"summary"}},
		{"leg.end", channel.Video, nil},
		{"", channel.Video, nil},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, cat.Required(tc.action, tc.kind), "%s %s", tc.action, tc.kind)
		require.Equal(t, tc.want, cat.Checklist().Required(tc.action, tc.kind))
		items := cat.Checklist().Items(tc.action, tc.kind)
		require.Len(t, items, len(tc.want))
		for i, it := range items {
			require.Equal(t, tc.want[i], it.ID)
		}
	}
	var zero guidance.Checklist
	require.Nil(t, zero.Required("leg.start", channel.Video), "the zero checklist requires nothing")

	text, lang, ok := cat.Checklist().Text("private-place", tags("sv-FI"))
	require.True(t, ok)
	require.Equal(t, "Lugn plats", text)
	require.Equal(t, "sv", lang.String())
	_, _, ok = cat.Checklist().Text("nope", nil)
	require.False(t, ok)
	it, ok := cat.Checklist().Item("av-tested")
	require.True(t, ok)
	require.Equal(t, guidance.CategoryTechnical, it.Category)
	it.Actions[0] = "mutated"
	require.Equal(t, []string{"leg.start"}, cat.Checklist().Items("leg.start", channel.Video)[0].Actions, "items are copies")
}

// checklistPolicy is the session package's interface for checklist gating.
type checklistPolicy interface {
	Required(action string, kind channel.Kind) []string
}

var (
	_ checklistPolicy = (*guidance.Catalog)(nil)
	_ checklistPolicy = guidance.Checklist{}
)

func TestNewChecklist(t *testing.T) {
	c := miniContent()
	cl, err := guidance.NewChecklist(c.Languages, c.Checklist...)
	require.NoError(t, err)
	require.Equal(t, []string{"identity-verified"}, cl.Required("leg.start", channel.Chat))
	bad := append(c.Checklist, c.Checklist[0])
	_, err = guidance.NewChecklist(c.Languages, bad...)
	require.ErrorIs(t, err, guidance.ErrInvalid)
	require.ErrorContains(t, err, "checklist[5].id")
	noCat := c.Checklist[0]
	noCat.Category = "legal"
	_, err = guidance.NewChecklist(c.Languages, noCat)
	require.ErrorContains(t, err, "checklist[0].category")
	_, err = guidance.NewChecklist(nil, c.Checklist...)
	require.ErrorIs(t, err, guidance.ErrLanguage)
}

func TestAreaNameFallsBackToDefaultLanguage(t *testing.T) {
	c := miniContent()
	c.Channels[1].AreaName = guidance.Localized{"fi": "Pohjoinen"}
	c.Texts[1].Text["en"] = "{area_name}: we call {callback_window}."
	cat, err := guidance.NewCatalog(c, nil)
	require.NoError(t, err)
	r, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "north"}, tags("en"), guidance.Vars{guidance.VarCallbackWindow: "1–3 pm"})
	require.NoError(t, err)
	require.Equal(t, "Pohjoinen: we call 1–3 pm.", r.Plain)
	require.Equal(t, guidance.Scope{Area: "north"}, r.Scope)
}

func TestNewSchema(t *testing.T) {
	s, err := guidance.NewSchema(guidance.KeyDef{Key: "only.key", Vars: []string{"b", "a"}, Required: []string{"a"}})
	require.NoError(t, err)
	require.Len(t, s.Keys(), 1)
	d, ok := s.Key("only.key")
	require.True(t, ok)
	require.Equal(t, []string{"a", "b"}, d.Vars)
	c := miniContent()
	require.ErrorIs(t, c.Validate(s), guidance.ErrUnknownKey, "content is checked against the schema given")
	_, err = guidance.NewSchema(guidance.KeyDef{Key: "x"}, guidance.KeyDef{Key: "x"})
	require.ErrorIs(t, err, guidance.ErrInvalid)
}
