package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

// chatPilotConfig is the fixture with chat piloted by two nurses of
// different teams, n-aino of Kallio and n-eero of Vallila, named one by
// one, and no team of theirs in the pilot.
func chatPilotConfig() routing.Config {
	cfg := fixtureConfig()
	cfg.Pilots = append(cfg.Pilots, routing.Pilot{Channel: channel.Chat, Professionals: []carecontact.ProfessionalID{"n-aino", "n-eero"}})
	return cfg
}

var chatCohort = []carecontact.ProfessionalID{"n-aino", "n-eero"}

// Chat goes to the two named nurses only, each in their own area, and
// nobody of the central pool takes it in their stead.
func TestPilotOfIndividuals(t *testing.T) {
	d, err := routing.NewDirectory(chatPilotConfig())
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		postal   routing.PostalCode
		offered  carecontact.ProfessionalID // "" for no route
		target   routing.Target
		noRouteR routing.NoRouteReason
	}{
		{"kallio client gets the kallio nurse, not her teammate", "00530", "n-aino", routing.TargetHomeArea, ""},
		{"vallila client gets the vallila nurse", "00550", "n-eero", routing.TargetHomeArea, ""},
		{"kalasatama client widens to the kallio nurse", "00540", "n-aino", routing.TargetNeighbourAreas, ""},
		{"tolo client has nobody: the central pool is not in the pilot", "00250", "", 0, routing.ReasonNotInPilot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := routing.Contact{Client: "c-1", Errand: channel.ErrandOther, Channel: channel.Chat, PostalCode: tc.postal}
			r, err := d.Route(c)
			if tc.offered == "" {
				var nr *routing.NoRouteError
				require.ErrorAs(t, err, &nr)
				require.Equal(t, tc.noRouteR, nr.Reason)
			} else {
				require.NoError(t, err)
				require.Equal(t, tc.target, r.Steps[0].Target)
				for _, s := range r.Steps {
					require.NotEqual(t, routing.TargetCentralPool, s.Target, "the central pool is not in the chat pilot")
					require.Subset(t, chatCohort, s.Professionals)
				}
			}

			rg := newRig(t, chatPilotConfig(), nil)
			rg.presence(routing.PresenceAvailable, everyone...)
			it, err := rg.d.Enqueue(rg.ctx, "chat-1", c)
			if tc.offered == "" {
				require.ErrorIs(t, err, routing.ErrNoRoute)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.offered, it.Professional)
		})
	}
}

func TestInPilot(t *testing.T) {
	d, err := routing.NewDirectory(chatPilotConfig())
	require.NoError(t, err)
	for _, tc := range []struct {
		k    channel.Kind
		p    carecontact.ProfessionalID
		want bool
	}{
		{channel.Chat, "n-aino", true},
		{channel.Chat, "n-eero", true},
		{channel.Chat, "n-bertil", false},
		{channel.Chat, "p-pekka", false},
		{channel.Chat, "nobody", false},
		{channel.Video, "n-bertil", true},
		{channel.Video, "n-eero", false},
		{channel.Callback, "n-bertil", true},
		{channel.Callback, "nobody", true},
	} {
		require.Equal(t, tc.want, d.InPilot(tc.k, tc.p), "%s on %s", tc.p, tc.k)
	}
}

func TestPilotsIsACopy(t *testing.T) {
	d, err := routing.NewDirectory(chatPilotConfig())
	require.NoError(t, err)
	want := []routing.Pilot{
		{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-a", "keskitetty"}},
		{Channel: channel.Chat, Professionals: []carecontact.ProfessionalID{"n-aino", "n-eero"}},
	}
	got := d.Pilots()
	require.Equal(t, want, got)
	got[1].Professionals[0] = "n-bertil"
	got[0].Teams = nil
	require.Equal(t, want, d.Pilots())
	require.False(t, d.InPilot(channel.Chat, "n-bertil"))
}

func TestPilotProfessionalsValidated(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*routing.Config)
		err   error
		field string
	}{
		{"unknown professional", func(c *routing.Config) { c.Pilots[1].Professionals[1] = "n-nobody" }, routing.ErrUnknownProfessional, "pilots[1].professionals[1]"},
		{"empty professional", func(c *routing.Config) { c.Pilots[1].Professionals[0] = "" }, routing.ErrUnknownProfessional, "pilots[1].professionals[0]"},
		{"unknown team beside professionals", func(c *routing.Config) { c.Pilots[1].Teams = []carecontact.TeamID{"x"} }, routing.ErrUnknownTeam, "pilots[1].teams"},
		{"duplicate channel", func(c *routing.Config) { c.Pilots[1].Channel = channel.Video }, routing.ErrInvalid, "pilots[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := chatPilotConfig()
			tc.edit(&cfg)
			_, err := routing.NewDirectory(cfg)
			require.ErrorIs(t, err, tc.err)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}
