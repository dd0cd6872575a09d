package callback_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/callback"
)

// The level is stored as the number the bare counter had, so records the
// stores wrote before keep their meaning.
func TestEscalationLevelJSONIsItsNumber(t *testing.T) {
	for want, l := range []callback.EscalationLevel{callback.EscalationNone, callback.EscalationPromoted,
		callback.EscalationWidened, callback.EscalationReportedToLead} {
		require.Equal(t, want, int(l))
		b, err := json.Marshal(callback.Record{ID: "cb1", Escalation: l})
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(b, &doc))
		require.Equal(t, float64(want), doc["escalation"])
		var back callback.Record
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, l, back.Escalation)
	}
	require.Equal(t, "reported_to_lead", callback.EscalationReportedToLead.String())
	require.Equal(t, "escalation(7)", callback.EscalationLevel(7).String())
}
