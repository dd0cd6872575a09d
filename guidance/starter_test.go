package guidance_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/session"
)

// TestStarterAdviceWithChannelMatrix runs the starter content against the
// channel package's real default suitability matrix for a table of errands.
func TestStarterAdviceWithChannelMatrix(t *testing.T) {
	cat := starterCatalog(t)
	m := channel.DefaultMatrix()
	tests := []struct {
		name       string
		s          guidance.Situation
		fits       []channel.Kind
		unsuitable map[channel.Kind]guidance.Code
	}{
		{
			name: "infection symptoms today, weak id, Koivikko: callback first, no messages or booking",
			s: guidance.Situation{Errand: channel.ErrandInfectionSymptoms, Area: "koivikko", Languages: tags("fi"),
				Identity: channel.IdentityWeak, Urgency: guidance.UrgencySameDay},
			fits: []channel.Kind{channel.Callback, channel.InboundPhone, channel.InPerson},
			unsuitable: map[channel.Kind]guidance.Code{channel.Video: guidance.CodeIdentity, channel.Chat: guidance.CodeIdentity,
				channel.SecureMessage: guidance.CodeMatrix, channel.EBooking: guidance.CodeMatrix},
		},
		{
			name: "prescription renewal, strong id, default area: phone, callback, chat, message",
			s:    guidance.Situation{Errand: channel.ErrandPrescriptionRenewal, Languages: tags("sv"), Identity: channel.IdentityStrong},
			fits: []channel.Kind{channel.InboundPhone, channel.Callback, channel.Chat, channel.SecureMessage},
			unsuitable: map[channel.Kind]guidance.Code{channel.Video: guidance.CodeMatrix, channel.EBooking: guidance.CodeMatrix,
				channel.InPerson: guidance.CodeMatrix},
		},
		{
			name: "wound care in Rantala, strong id, Swedish: no video offered, suture removal bookable",
			s:    guidance.Situation{Errand: channel.ErrandWoundCare, Area: "rantala", Languages: tags("sv-FI"), Identity: channel.IdentityStrong},
			fits: []channel.Kind{channel.Callback, channel.InboundPhone, channel.EBooking, channel.InPerson},
			unsuitable: map[channel.Kind]guidance.Code{channel.Video: guidance.CodeNotOffered, channel.Chat: guidance.CodeMatrix,
				channel.SecureMessage: guidance.CodeMatrix},
		},
		{
			name:       "mental health in Koivikko, English speaker: chat served in fi and sv only comes last",
			s:          guidance.Situation{Errand: channel.ErrandMentalHealth, Area: "koivikko", Group: "adult", Languages: tags("en"), Identity: channel.IdentityStrong},
			fits:       []channel.Kind{channel.Callback, channel.Video, channel.InboundPhone, channel.EBooking, channel.InPerson, channel.Chat},
			unsuitable: map[channel.Kind]guidance.Code{channel.SecureMessage: guidance.CodeMatrix},
		},
		{
			name:       "mental health nurse booking is for adults: a minor gets no e-booking",
			s:          guidance.Situation{Errand: channel.ErrandMentalHealth, Group: "minor", Languages: tags("fi"), Identity: channel.IdentityStrong},
			fits:       []channel.Kind{channel.InboundPhone, channel.Callback, channel.Chat, channel.Video, channel.InPerson},
			unsuitable: map[channel.Kind]guidance.Code{channel.SecureMessage: guidance.CodeMatrix, channel.EBooking: guidance.CodeNoService},
		},
		{
			name:       "vaccination, strong id: booking fits, video does not",
			s:          guidance.Situation{Errand: channel.ErrandVaccination, Area: "koivikko", Languages: tags("fi"), Identity: channel.IdentityStrong},
			fits:       []channel.Kind{channel.Callback, channel.Chat, channel.InboundPhone, channel.SecureMessage, channel.EBooking, channel.InPerson},
			unsuitable: map[channel.Kind]guidance.Code{channel.Video: guidance.CodeMatrix},
		},
		{
			name: "emergency",
			s:    guidance.Situation{Errand: channel.ErrandInfectionSymptoms, Area: "koivikko", Languages: tags("fi"), Urgency: guidance.UrgencyEmergency},
			fits: nil,
			unsuitable: map[channel.Kind]guidance.Code{channel.InboundPhone: guidance.CodeEmergency, channel.Callback: guidance.CodeEmergency,
				channel.Video: guidance.CodeEmergency, channel.Chat: guidance.CodeEmergency, channel.SecureMessage: guidance.CodeEmergency,
				channel.EBooking: guidance.CodeEmergency, channel.InPerson: guidance.CodeEmergency},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			adv, err := cat.Advise(m, tc.s)
			require.NoError(t, err)
			var fits []channel.Kind
			for _, f := range adv.Fits {
				fits = append(fits, f.Kind)
				require.NotEmpty(t, f.Text.Plain)
				require.Equal(t, adv.Language, f.Text.Language, "%s text is in the advice language", f.Kind)
			}
			require.Equal(t, tc.fits, fits)
			got := map[channel.Kind]guidance.Code{}
			for _, u := range adv.Unsuitable {
				got[u.Kind] = u.Code
			}
			require.Equal(t, tc.unsuitable, got)
			require.NotEmpty(t, adv.Notice.Plain, "the starter content has an intro and an emergency text")
		})
	}
}

func TestStarterContentIsComplete(t *testing.T) {
	c := starter(t)
	keys := map[string]bool{}
	for _, tx := range c.Texts {
		keys[tx.Key] = true
	}
	for _, d := range guidance.DefaultSchema().Keys() {
		require.True(t, keys[d.Key], "starter content has a text for %s", d.Key)
	}
	cat := starterCatalog(t)
	for _, action := range []string{"leg.start", "participant.invite", "close"} {
		for _, k := range channel.Kinds() {
			ids := cat.Required(action, k)
			require.NotEmpty(t, ids, "%s in %s requires something", action, k)
			for _, id := range ids {
				for _, lang := range tags("fi", "sv", "en") {
					text, got, ok := cat.Checklist().Text(id, tags(lang.String()))
					require.True(t, ok)
					require.NotEmpty(t, text)
					require.Equal(t, lang, got, "%s has a %s text", id, lang)
				}
			}
		}
	}
}

// TestStarterChecklistGatesSessionActions asks the starter catalog what the
// session package asks it, through session's own ChecklistPolicy interface
// and action names.
func TestStarterChecklistGatesSessionActions(t *testing.T) {
	var policy session.ChecklistPolicy = starterCatalog(t)
	tests := []struct {
		action string
		kind   channel.Kind
		want   []string
	}{
		{session.ActionStartLeg, channel.Video, []string{"av-tested", "introduce-yourself", "client-private-place", "identity-verified", "professional-own-space"}},
		{session.ActionStartLeg, channel.Callback, []string{"client-private-place", "identity-verified", "professional-own-space"}},
		{session.ActionStartLeg, channel.Chat, []string{"introduce-yourself", "identity-verified", "professional-own-space"}},
		{session.ActionStartLeg, channel.SecureMessage, []string{"identity-verified"}},
		{session.ActionEscalate, channel.Video, []string{"escalation-consent"}},
		{session.ActionInvite, channel.Video, []string{"participant-consent"}},
		{session.ActionTransfer, "", []string{"transfer-explained"}},
		{session.ActionClose, channel.Chat, []string{"summary-next-steps", "documented"}},
		{"leg.end", channel.Video, nil},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, policy.Required(tc.action, tc.kind), "%s %s", tc.action, tc.kind)
	}
}
