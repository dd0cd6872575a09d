package channel_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/channel"
)

func TestDefaultMatrixValid(t *testing.T) {
	m := channel.DefaultMatrix()
	// The defaults pass the same validation as a configuration file.
	data, err := json.Marshal(m)
	require.NoError(t, err)
	again, err := channel.ParseMatrix(data)
	require.NoError(t, err)
	require.Equal(t, m.Errands(), again.Errands())
	common := []channel.Errand{
		channel.ErrandInfectionSymptoms, channel.ErrandPrescriptionRenewal, channel.ErrandLabResults,
		channel.ErrandChronicFollowUp, channel.ErrandMentalHealth, channel.ErrandCertificate,
		channel.ErrandWoundCare, channel.ErrandVaccination, channel.ErrandPhysiotherapy,
		channel.ErrandSocialWelfare, channel.ErrandOther,
	}
	require.ElementsMatch(t, common, m.Errands())
	for _, e := range common {
		for _, k := range channel.Kinds() {
			c, ok := m.Cell(e, k)
			require.True(t, ok, "%s x %s is configured", e, k)
			if !c.Suitable {
				require.NotEmpty(t, c.Reason, "%s x %s needs a reason", e, k)
			}
			if k == channel.Video || k == channel.Chat || k == channel.SecureMessage {
				require.Equal(t, channel.IdentityStrong, c.Identity, "%s x %s carries health data in writing or video", e, k)
			}
			c2, _ := again.Cell(e, k)
			require.Equal(t, c, c2)
		}
		require.Contains(t, m.Channels(e), channel.Callback, "every errand can be handled by callback")
	}
}

func TestSuitable(t *testing.T) {
	m := channel.DefaultMatrix()
	tests := []struct {
		e      channel.Errand
		k      channel.Kind
		ok     bool
		reason string
	}{
		{channel.ErrandInfectionSymptoms, channel.Callback, true, ""},
		{channel.ErrandInfectionSymptoms, channel.SecureMessage, false, "symptoms need an assessment the same day; messages are answered within days"},
		{channel.ErrandWoundCare, channel.Video, true, ""},
		{channel.ErrandWoundCare, channel.Chat, false, "the professional needs to see the client; book a visit or use video"},
		{channel.ErrandVaccination, channel.Video, false, "a vaccination is given at a visit; book one"},
		{"tax_advice", channel.Chat, false, `errand "tax_advice" is not configured`},
		{channel.ErrandLabResults, "fax", false, `unknown channel "fax"`},
	}
	for _, tc := range tests {
		ok, reason := m.Suitable(tc.e, tc.k)
		require.Equal(t, tc.ok, ok, "%s x %s", tc.e, tc.k)
		require.Equal(t, tc.reason, reason, "%s x %s", tc.e, tc.k)
	}
	require.Equal(t, channel.IdentityStrong, m.RequiredIdentity(channel.ErrandLabResults, channel.Chat))
	require.Equal(t, channel.IdentityWeak, m.RequiredIdentity(channel.ErrandLabResults, channel.Callback))
	require.Equal(t, channel.IdentityStrong, m.RequiredIdentity("unknown", channel.Callback), "unconfigured pairs need the strongest level")
}

func TestParseMatrixFile(t *testing.T) {
	// testdata/matrix.json: a host's overrides on top of the defaults.
	data, err := os.ReadFile("testdata/matrix.json")
	require.NoError(t, err)
	m, err := channel.ParseMatrix(data)
	require.NoError(t, err)
	ok, reason := m.Suitable(channel.ErrandLabResults, channel.Video)
	require.True(t, ok, reason)
	ok, reason = m.Suitable("travel_vaccination", channel.Video)
	require.False(t, ok)
	require.Equal(t, "travel vaccinations need a visit", reason)
	require.Equal(t, []channel.Kind{channel.Chat, channel.EBooking}, m.Channels("travel_vaccination"))
	// untouched defaults survive
	ok, _ = m.Suitable(channel.ErrandVaccination, channel.Video)
	require.False(t, ok)
}

func TestParseMatrixErrors(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"not json":         {`{`, "unexpected EOF"},
		"no version":       {`{"errands":{}}`, "version: must be 1"},
		"wrong version":    {`{"version":2,"errands":{}}`, "version: must be 1"},
		"unknown field":    {`{"version":1,"errands":{},"extra":1}`, `unknown field "extra"`},
		"bad base":         {`{"version":1,"base":"mine"}`, `base: must be "defaults" or empty`},
		"bad errand":       {`{"version":1,"errands":{"Lab Results":{}}}`, `errands["Lab Results"]: a name may hold only a-z, 0-9 and _`},
		"unknown channel":  {`{"version":1,"errands":{"x":{"fax":{"suitable":true,"identity":"weak"}}}}`, `errands["x"]["fax"]: unknown channel`},
		"no suitable":      {`{"version":1,"errands":{"x":{"chat":{"identity":"weak"}}}}`, `errands["x"]["chat"].suitable: is required`},
		"no identity":      {`{"version":1,"errands":{"x":{"chat":{"suitable":true}}}}`, `errands["x"]["chat"].identity: is required`},
		"bad identity":     {`{"version":1,"errands":{"x":{"chat":{"suitable":true,"identity":"bank"}}}}`, `errands["x"]["chat"].identity: must be none, weak or strong`},
		"missing reason":   {`{"version":1,"errands":{"x":{"chat":{"suitable":false,"identity":"weak"}}}}`, `errands["x"]["chat"].reason: is required when suitable is false`},
		"cell extra field": {`{"version":1,"errands":{"x":{"chat":{"suitable":true,"identity":"weak","why":1}}}}`, `errands["x"]["chat"]: json: unknown field "why"`},
		"trailing":         {`{"version":1} {}`, "trailing data"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := channel.ParseMatrix([]byte(tc.in))
			require.ErrorIs(t, err, channel.ErrInvalidMatrix)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNewMatrixCopies(t *testing.T) {
	rows := map[channel.Errand]map[channel.Kind]channel.Cell{
		"x": {channel.Chat: {Suitable: true, Identity: channel.IdentityWeak}},
	}
	m, err := channel.NewMatrix(rows)
	require.NoError(t, err)
	rows["x"][channel.Chat] = channel.Cell{Suitable: false, Reason: "changed"}
	ok, _ := m.Suitable("x", channel.Chat)
	require.True(t, ok, "later changes to the input do not reach the matrix")
	_, err = channel.NewMatrix(map[channel.Errand]map[channel.Kind]channel.Cell{"x": {channel.Chat: {Identity: 7, Suitable: true}}})
	require.ErrorIs(t, err, channel.ErrInvalidMatrix)
}

// FuzzParseMatrix: the configuration loader never panics, and whatever it
// accepts is a valid matrix that survives a round trip through MarshalJSON.
func FuzzParseMatrix(f *testing.F) {
	if data, err := os.ReadFile("testdata/matrix.json"); err == nil {
		f.Add(data)
	}
	def, _ := json.Marshal(channel.DefaultMatrix())
	f.Add(def)
	f.Add([]byte(`{"version":1,"errands":{"x":{"chat":{"suitable":false,"reason":"r","identity":"none"}}}}`))
	f.Add([]byte(`{"version":1,"base":"defaults","errands":{"lab_results":{"video":{"suitable":true,"identity":"strong"}}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := channel.ParseMatrix(data)
		if err != nil {
			require.ErrorIs(t, err, channel.ErrInvalidMatrix)
			return
		}
		out, err := json.Marshal(m)
		require.NoError(t, err)
		again, err := channel.ParseMatrix(out)
		require.NoError(t, err)
		require.Equal(t, m.Errands(), again.Errands())
		for _, e := range m.Errands() {
			for _, k := range channel.Kinds() {
				a, okA := m.Cell(e, k)
				b, okB := again.Cell(e, k)
				require.Equal(t, okA, okB)
				require.Equal(t, a, b)
				if ok, reason := m.Suitable(e, k); okA && !ok {
					require.NotEmpty(t, reason)
				}
			}
		}
	})
}
