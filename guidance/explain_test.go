package guidance_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

func TestExplain(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	draftErr := func(e guidance.Entry) error {
		_, err := f.g.Draft(ctx, editor, e, "")
		return err
	}
	dup := miniContent()
	dup.Texts = append(dup.Texts, dup.Texts[0])
	_, decodeErr := guidance.Decode("content.json", strings.NewReader(`{"format":"carecontact.guidance","version":1,"languages":["fi"],"texts":[{"key":"nope.key","text":{"fi":"x"}}]}`), nil)
	_, tmplErr := guidance.ParseTemplate("Soitamme {callback_window")
	tests := []struct {
		name     string
		err      error
		sentinel error
		want     map[string][]string
	}{
		{name: "undeclared placeholder", sentinel: guidance.ErrUnknownVariable,
			err: draftErr(callbackText("north", guidance.Localized{"fi": "Soitamme {callback_window} {when}."})),
			want: map[string][]string{
				"fi": {`text.text.fi: {when} ei ole tekstin "callback.requested" paikkamerkki (sallitut: [area_name callback_window]).`},
				"sv": {`text.text.fi: {when} är inte en platshållare i texten "callback.requested" (tillåtna: [area_name callback_window]).`},
				"en": {`text.text.fi: {when} is not a placeholder of text "callback.requested" (allowed: [area_name callback_window]).`},
			}},
		{name: "required placeholder left out, and the default language missing", sentinel: guidance.ErrMissingVariable,
			err: draftErr(callbackText("north", guidance.Localized{"sv": "Vi ringer."})),
			want: map[string][]string{
				"fi": {`text.text: Oletuskielinen ("fi") teksti puuttuu.`, `text.text.sv: Tekstin "callback.requested" pitää käyttää paikkamerkkiä {callback_window}.`},
				"sv": {`text.text: Texten på standardspråket ("fi") saknas.`, `text.text.sv: Texten "callback.requested" ska använda platshållaren {callback_window}.`},
				"en": {`text.text: The text in the default language ("fi") is missing.`, `text.text.sv: Text "callback.requested" must use the placeholder {callback_window}.`},
			}},
		{name: "duplicate entry", sentinel: guidance.ErrInvalid, err: dup.Validate(nil),
			want: map[string][]string{
				"fi": {`texts[5]: Sama sisältö on jo kohdassa texts[0] (text/callback.requested/*/*).`},
				"sv": {`texts[5]: Samma innehåll finns redan i texts[0] (text/callback.requested/*/*).`},
				"en": {`texts[5]: The same entry is already at texts[0] (text/callback.requested/*/*).`},
			}},
		{name: "unknown key in a file", sentinel: guidance.ErrUnknownKey, err: decodeErr,
			want: map[string][]string{
				"fi": {`texts[0].key: Tekstiavain "nope.key" on tuntematon.`},
				"sv": {`texts[0].key: Textnyckeln "nope.key" är okänd.`},
				"en": {`texts[0].key: Text key "nope.key" is unknown.`},
			}},
		{name: "template syntax", sentinel: guidance.ErrTemplate, err: tmplErr,
			want: map[string][]string{
				"fi": {`template: Tekstipohjan kirjoitusasu on virheellinen: tarkista aaltosulkeet {}.`},
				"sv": {`template: Mallen är felaktigt skriven: kontrollera klammerparenteserna {}.`},
				"en": {`template: The template is written wrongly: check the braces {}.`},
			}},
		{name: "bad identifier", sentinel: guidance.ErrInvalid,
			err: draftErr(guidance.Entry{Booking: &guidance.BookingConfig{Area: "north", Services: []guidance.BookableService{
				{ID: "Flu!", Errand: channel.ErrandVaccination, Name: guidance.Localized{"fi": "rokotus"}, Groups: []string{"adult"}}}}}),
			want: map[string][]string{
				"fi": {`booking.services[0].id: "Flu!" ei kelpaa tunnisteeksi: käytä pieniä kirjaimia, numeroita ja merkkejä '-', '_' ja '.'.`},
				"sv": {`booking.services[0].id: "Flu!" duger inte som identifierare: använd små bokstäver, siffror och tecknen '-', '_' och '.'.`},
				"en": {`booking.services[0].id: "Flu!" is not an identifier: use lower-case letters, digits and '-', '_' or '.'.`},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tt.err)
			require.ErrorIs(t, tt.err, tt.sentinel, "the error is unchanged")
			require.ErrorIs(t, tt.err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.True(t, errors.As(tt.err, &fe), "still a field error")
			for lang, want := range tt.want {
				var got []string
				for _, m := range guidance.Explain(tt.err, lang) {
					got = append(got, m.String())
				}
				require.Equal(t, want, got, lang)
			}
			require.Equal(t, guidance.Explain(tt.err, "en"), guidance.Explain(tt.err, "de"), "other languages get English")
		})
	}
	require.Nil(t, guidance.Explain(nil, "fi"))
	ref, err := f.g.Draft(ctx, editor, callbackText("north", guidance.Localized{"fi": "Soitamme {callback_window}."}), "")
	require.NoError(t, err)
	denied := f.g.Approve(ctx, clientAct, ref, "")
	require.ErrorIs(t, denied, guidance.ErrDenied)
	require.Equal(t, []guidance.Message{{Text: denied.Error()}}, guidance.Explain(denied, "fi"), "not a validation error: left as it is")
}
