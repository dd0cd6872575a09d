package guidance_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

// fakeMatrix is a table-driven Suitability: every pair is suitable unless
// listed in no.
type fakeMatrix struct {
	no map[channel.Errand]map[channel.Kind]string
}

func (m fakeMatrix) Suitable(e channel.Errand, k channel.Kind) (bool, string) {
	if r, ok := m.no[e][k]; ok {
		return false, r
	}
	return true, ""
}

// identityMatrix adds a required identity level, as *channel.Matrix does.
type identityMatrix struct {
	fakeMatrix
	need channel.IdentityLevel
}

func (m identityMatrix) RequiredIdentity(channel.Errand, channel.Kind) channel.IdentityLevel {
	return m.need
}

type adviceLine struct {
	kind channel.Kind
	code guidance.Code
}

func lines(cas []guidance.ChannelAdvice) []adviceLine {
	var out []adviceLine
	for _, c := range cas {
		out = append(out, adviceLine{c.Kind, c.Code})
	}
	return out
}

func TestAdviseTable(t *testing.T) {
	cat, err := guidance.NewCatalog(miniContent(), nil)
	require.NoError(t, err)
	m := fakeMatrix{no: map[channel.Errand]map[channel.Kind]string{
		channel.ErrandWoundCare:         {channel.Chat: "needs seeing"},
		channel.ErrandInfectionSymptoms: {channel.EBooking: "assess first"},
	}}
	notOffered := func(kinds ...channel.Kind) []adviceLine {
		var out []adviceLine
		for _, k := range kinds {
			out = append(out, adviceLine{k, guidance.CodeNotOffered})
		}
		return out
	}
	northMissing := notOffered(channel.InboundPhone, channel.Video, channel.SecureMessage, channel.InPerson)
	tests := []struct {
		name       string
		matrix     guidance.Suitability
		s          guidance.Situation
		fits       []adviceLine
		unsuitable []adviceLine
		lang       string
	}{
		{
			name: "vaccination in north, strong id, adult: chat first by area rank",
			s: guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult", Languages: tags("fi"),
				Identity: channel.IdentityStrong},
			fits:       []adviceLine{{channel.Chat, guidance.CodeFits}, {channel.Callback, guidance.CodeFits}, {channel.EBooking, guidance.CodeFits}},
			unsuitable: northMissing,
			lang:       "fi",
		},
		{
			name: "swedish speaker: chat served only in finnish is ranked last",
			s: guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult", Languages: tags("sv-FI"),
				Identity: channel.IdentityStrong},
			fits:       []adviceLine{{channel.Callback, guidance.CodeFits}, {channel.EBooking, guidance.CodeFits}, {channel.Chat, guidance.CodeLanguageLess}},
			unsuitable: northMissing,
			lang:       "sv",
		},
		{
			name: "weak identification rules out chat and e-booking",
			s:    guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult", Identity: channel.IdentityWeak},
			fits: []adviceLine{{channel.Callback, guidance.CodeFits}},
			unsuitable: []adviceLine{{channel.InboundPhone, guidance.CodeNotOffered}, {channel.Video, guidance.CodeNotOffered},
				{channel.Chat, guidance.CodeIdentity}, {channel.SecureMessage, guidance.CodeNotOffered},
				{channel.EBooking, guidance.CodeIdentity}, {channel.InPerson, guidance.CodeNotOffered}},
			lang: "fi",
		},
		{
			name: "e-booking is for adults only",
			s:    guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "child", Identity: channel.IdentityStrong},
			fits: []adviceLine{{channel.Chat, guidance.CodeFits}, {channel.Callback, guidance.CodeFits}},
			unsuitable: []adviceLine{{channel.InboundPhone, guidance.CodeNotOffered}, {channel.Video, guidance.CodeNotOffered},
				{channel.SecureMessage, guidance.CodeNotOffered}, {channel.EBooking, guidance.CodeGroup}, {channel.InPerson, guidance.CodeNotOffered}},
			lang: "fi",
		},
		{
			name: "nothing e-bookable for the errand",
			s:    guidance.Situation{Errand: channel.ErrandCertificate, Area: "north", Group: "adult", Identity: channel.IdentityStrong},
			fits: []adviceLine{{channel.Chat, guidance.CodeFits}, {channel.Callback, guidance.CodeFits}},
			unsuitable: []adviceLine{{channel.InboundPhone, guidance.CodeNotOffered}, {channel.Video, guidance.CodeNotOffered},
				{channel.SecureMessage, guidance.CodeNotOffered}, {channel.EBooking, guidance.CodeNoService}, {channel.InPerson, guidance.CodeNotOffered}},
			lang: "fi",
		},
		{
			name:   "the matrix rules out chat for wound care",
			matrix: m,
			s:      guidance.Situation{Errand: channel.ErrandWoundCare, Area: "north", Group: "adult", Identity: channel.IdentityStrong},
			fits:   []adviceLine{{channel.Callback, guidance.CodeFits}},
			unsuitable: []adviceLine{{channel.InboundPhone, guidance.CodeNotOffered}, {channel.Video, guidance.CodeNotOffered},
				{channel.Chat, guidance.CodeMatrix}, {channel.SecureMessage, guidance.CodeNotOffered},
				{channel.EBooking, guidance.CodeNoService}, {channel.InPerson, guidance.CodeNotOffered}},
			lang: "fi",
		},
		{
			name: "same-day need rules out e-booking",
			s: guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult", Identity: channel.IdentityStrong,
				Urgency: guidance.UrgencySameDay},
			fits: []adviceLine{{channel.Chat, guidance.CodeFits}, {channel.Callback, guidance.CodeFits}},
			unsuitable: []adviceLine{{channel.InboundPhone, guidance.CodeNotOffered}, {channel.Video, guidance.CodeNotOffered},
				{channel.SecureMessage, guidance.CodeNotOffered}, {channel.EBooking, guidance.CodeUrgency}, {channel.InPerson, guidance.CodeNotOffered}},
			lang: "fi",
		},
		{
			name:   "the matrix's identity requirement counts too",
			matrix: identityMatrix{need: channel.IdentityStrong},
			s:      guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult", Identity: channel.IdentityWeak},
			fits:   nil,
			unsuitable: []adviceLine{{channel.InboundPhone, guidance.CodeNotOffered}, {channel.Callback, guidance.CodeIdentity},
				{channel.Video, guidance.CodeNotOffered}, {channel.Chat, guidance.CodeIdentity}, {channel.SecureMessage, guidance.CodeNotOffered},
				{channel.EBooking, guidance.CodeIdentity}, {channel.InPerson, guidance.CodeNotOffered}},
			lang: "fi",
		},
		{
			name: "an area without its own configuration uses the default",
			s:    guidance.Situation{Errand: channel.ErrandOther, Area: "west", Languages: tags("en"), Identity: channel.IdentityWeak},
			fits: []adviceLine{{channel.Callback, guidance.CodeFits}},
			unsuitable: []adviceLine{{channel.InboundPhone, guidance.CodeNotOffered}, {channel.Video, guidance.CodeNotOffered},
				{channel.Chat, guidance.CodeNotOffered}, {channel.SecureMessage, guidance.CodeNotOffered},
				{channel.EBooking, guidance.CodeNotOffered}, {channel.InPerson, guidance.CodeNotOffered}},
			lang: "en",
		},
		{
			name: "emergency: no channel, the emergency notice",
			s:    guidance.Situation{Errand: channel.ErrandInfectionSymptoms, Area: "north", Urgency: guidance.UrgencyEmergency},
			fits: nil,
			unsuitable: func() []adviceLine {
				var out []adviceLine
				for _, k := range channel.Kinds() {
					out = append(out, adviceLine{k, guidance.CodeEmergency})
				}
				return out
			}(),
			lang: "fi",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			matrix := tc.matrix
			if matrix == nil {
				matrix = fakeMatrix{}
			}
			adv, err := cat.Advise(matrix, tc.s)
			require.NoError(t, err)
			require.Equal(t, tc.fits, lines(adv.Fits), "fits")
			require.Equal(t, tc.unsuitable, lines(adv.Unsuitable), "unsuitable")
			require.Equal(t, tc.lang, adv.Language.String())
			for _, f := range adv.Fits {
				require.NotEmpty(t, f.Text.Plain, f.Kind)
				require.NotEmpty(t, f.Reason)
				require.Equal(t, guidance.AdviceKey(f.Kind), f.Text.Key)
			}
			for _, u := range adv.Unsuitable {
				require.NotEmpty(t, u.Reason, u.Kind)
				require.Empty(t, u.Text.Plain)
			}
		})
	}
}

func TestAdviseTextsAndReasons(t *testing.T) {
	cat, err := guidance.NewCatalog(miniContent(), nil)
	require.NoError(t, err)
	adv, err := cat.Advise(fakeMatrix{no: map[channel.Errand]map[channel.Kind]string{
		channel.ErrandVaccination: {channel.Chat: "a vaccination is given at a visit"},
	}}, guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult", Languages: tags("sv"), Identity: channel.IdentityStrong})
	require.NoError(t, err)
	require.Len(t, adv.Fits, 2)
	require.Equal(t, "Lämna en begäran (mån–fre 8–16).", adv.Fits[0].Text.Plain)
	require.Equal(t, "Boka: influensavaccination.", adv.Fits[1].Text.Plain)
	require.Equal(t, "flu", adv.Fits[1].Service)
	var chat guidance.ChannelAdvice
	for _, u := range adv.Unsuitable {
		if u.Kind == channel.Chat {
			chat = u
		}
	}
	require.Equal(t, guidance.CodeMatrix, chat.Code)
	require.Equal(t, "not suitable for vaccination: a vaccination is given at a visit", chat.Reason)
	require.Empty(t, adv.Notice.Plain, "mini content has no intro text")
}

func TestAdviseErrors(t *testing.T) {
	cat, err := guidance.NewCatalog(miniContent(), nil)
	require.NoError(t, err)
	_, err = cat.Advise(nil, guidance.Situation{Errand: channel.ErrandOther})
	require.ErrorIs(t, err, guidance.ErrInvalid)
	_, err = cat.Advise(fakeMatrix{}, guidance.Situation{})
	require.ErrorIs(t, err, guidance.ErrInvalid)
	require.ErrorContains(t, err, "situation.errand")
	_, err = cat.Advise(fakeMatrix{}, guidance.Situation{Errand: channel.ErrandOther, Urgency: 7})
	require.ErrorContains(t, err, "situation.urgency")
	c := miniContent()
	c.Channels = c.Channels[1:]
	noDefault, err := guidance.NewCatalog(c, nil)
	require.NoError(t, err)
	_, err = noDefault.Advise(fakeMatrix{}, guidance.Situation{Errand: channel.ErrandOther, Area: "west"})
	require.ErrorIs(t, err, guidance.ErrNotFound)
}

func TestUrgencyString(t *testing.T) {
	require.Equal(t, "routine", guidance.UrgencyRoutine.String())
	require.Equal(t, "same_day", guidance.UrgencySameDay.String())
	require.Equal(t, "emergency", guidance.UrgencyEmergency.String())
	require.Equal(t, "invalid", guidance.Urgency(9).String())
}

func TestAdviceVariablesFollowTheLanguageRendered(t *testing.T) {
	tests := []struct {
		name       string
		defaultSV  bool
		wantLang   language.Tag
		wantPlain  string
		wantScope  guidance.Scope
		wantNotSub string
	}{
		{"the area's text is Finnish only, the default is Swedish too", true, language.Swedish,
			"Boka: influensavaccination.", guidance.Scope{}, "influenssarokotus"},
		{"no Swedish text at all", false, language.Finnish,
			"Pohjoisen varaus: influenssarokotus (ma–pe 8–16).", guidance.Scope{Area: "north"}, "influensavaccination"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := miniContent()
			for i := range c.Texts {
				if c.Texts[i].Key == guidance.AdviceKey(channel.EBooking) && !tt.defaultSV {
					delete(c.Texts[i].Text, "sv")
				}
			}
			c.Texts = append(c.Texts, guidance.Text{Key: guidance.AdviceKey(channel.EBooking), Area: "north",
				Text: guidance.Localized{"fi": "Pohjoisen varaus: {service_name} ({opening_hours})."}})
			cat, err := guidance.NewCatalog(c, nil)
			require.NoError(t, err)
			adv, err := cat.Advise(fakeMatrix{}, guidance.Situation{Errand: channel.ErrandVaccination, Area: "north", Group: "adult",
				Languages: []language.Tag{language.Swedish}, Identity: channel.IdentityStrong})
			require.NoError(t, err)
			var text guidance.Rendered
			for _, f := range adv.Fits {
				if f.Kind == channel.EBooking {
					text = f.Text
				}
			}
			require.Equal(t, tt.wantLang, text.Language)
			require.Equal(t, tt.wantScope, text.Scope)
			require.Equal(t, tt.wantPlain, text.Plain)
			require.NotContains(t, text.Plain, tt.wantNotSub)
		})
	}
}
