package routing_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
)

func TestRouteResolvesStepsInOrder(t *testing.T) {
	d := fixture(t)
	r, err := d.Route(routing.Contact{
		Client: "c-1", Errand: channel.ErrandInfectionSymptoms, Channel: channel.Callback,
		PostalCode: "00530", OwnProfessional: "n-aino", OwnTeam: "kallio-a",
	})
	require.NoError(t, err)
	require.Equal(t, carecontact.AreaID("kallio"), r.Area)
	require.Empty(t, r.Skipped)
	require.Len(t, r.Steps, 5)
	want := []struct {
		target routing.Target
		teams  []carecontact.TeamID
		areas  []carecontact.AreaID
		profs  []carecontact.ProfessionalID
	}{
		{routing.TargetOwnProfessional, []carecontact.TeamID{"kallio-a"}, nil, []carecontact.ProfessionalID{"n-aino"}},
		{routing.TargetOwnTeam, []carecontact.TeamID{"kallio-a"}, nil, []carecontact.ProfessionalID{"n-aino", "n-bertil"}},
		{routing.TargetHomeArea, []carecontact.TeamID{"kallio-a", "kallio-b"}, []carecontact.AreaID{"kallio"},
			[]carecontact.ProfessionalID{"d-carita", "n-aino", "n-bertil"}},
		{routing.TargetNeighbourAreas, []carecontact.TeamID{"kalasatama-a", "kallio-a", "kallio-b", "vallila-a"},
			[]carecontact.AreaID{"kalasatama", "kallio", "vallila"},
			[]carecontact.ProfessionalID{"d-carita", "n-aino", "n-bertil", "n-eero", "n-frida"}},
		{routing.TargetCentralPool, []carecontact.TeamID{"keskitetty"}, nil, []carecontact.ProfessionalID{"n-kaisa", "p-pekka"}},
	}
	for i, w := range want {
		s := r.Steps[i]
		require.Equal(t, i, s.Index)
		require.Equal(t, w.target, s.Target)
		require.Equal(t, w.teams, s.Teams, "step %d teams", i)
		require.Equal(t, w.areas, s.Areas, "step %d areas", i)
		require.Equal(t, w.profs, s.Professionals, "step %d professionals", i)
	}
	require.Equal(t, r.Steps[1].Timeout.Minutes(), 5.0)
	require.Zero(t, r.Steps[4].Timeout)
}

func TestRouteSkipsUnresolvableSteps(t *testing.T) {
	d := fixture(t)
	r, err := d.Route(routing.Contact{Errand: channel.ErrandLabResults, Channel: channel.Chat, PostalCode: "00990", OwnTeam: "vallila-a"})
	require.NoError(t, err)
	require.Equal(t, []routing.SkippedStep{
		{Index: 0, Target: routing.TargetOwnProfessional, Reason: "contact has no own professional"},
		{Index: 2, Target: routing.TargetHomeArea, Reason: "postal code 00990 is in no area"},
		{Index: 3, Target: routing.TargetNeighbourAreas, Reason: "postal code 00990 is in no area"},
	}, r.Skipped)
	require.Equal(t, []carecontact.ProfessionalID{"n-eero"}, r.Steps[0].Professionals)
	require.Equal(t, routing.TargetCentralPool, r.Steps[1].Target)

	// Chat capacity filters: the doctor takes no chats.
	r, err = d.Route(routing.Contact{Errand: channel.ErrandLabResults, Channel: channel.Chat, Area: "kallio"})
	require.NoError(t, err)
	require.Equal(t, []carecontact.ProfessionalID{"n-aino", "n-bertil"}, r.Steps[0].Professionals)
}

func TestRouteFilters(t *testing.T) {
	d := fixture(t)
	r, err := d.Route(routing.Contact{Errand: channel.ErrandMentalHealth, Channel: channel.Callback, PostalCode: "00510"})
	require.NoError(t, err)
	require.Len(t, r.Steps, 1)
	require.Equal(t, []carecontact.ProfessionalID{"p-pekka"}, r.Steps[0].Professionals, "role filter")

	r, err = d.Route(routing.Contact{Errand: channel.ErrandChronicFollowUp, Channel: channel.Callback, PostalCode: "00500"})
	require.NoError(t, err)
	require.Equal(t, []routing.SkippedStep{{Index: 0, Target: routing.TargetHomeArea,
		Reason: "no professional matches the step's filters and takes work on callback"}}, r.Skipped)
	require.Equal(t, []carecontact.ProfessionalID{"n-eero"}, r.Steps[0].Professionals, "skill filter; neighbour Vallila has the diabetes nurse")

	r, err = d.Route(routing.Contact{Errand: channel.ErrandCertificate, Channel: channel.Callback, PostalCode: "00500"})
	require.NoError(t, err)
	require.Equal(t, []carecontact.ProfessionalID{"d-carita"}, r.Steps[0].Professionals)
	_, err = d.Route(routing.Contact{Errand: channel.ErrandCertificate, Channel: channel.Callback, PostalCode: "00500", Language: civil.Swedish})
	var nr *routing.NoRouteError
	require.ErrorAs(t, err, &nr, "language filter: the doctor speaks no Swedish")
	require.Equal(t, routing.ReasonNoCandidates, nr.Reason)
}

func TestRouteNoRouteReasons(t *testing.T) {
	d := fixture(t)
	for _, tc := range []struct {
		name   string
		c      routing.Contact
		reason routing.NoRouteReason
		inMsg  string
	}{
		{"no candidates anywhere", routing.Contact{Errand: channel.ErrandChronicFollowUp, Channel: channel.Chat, PostalCode: "00250"},
			routing.ReasonNoCandidates, "step 0 home_area"},
		{"video piloted elsewhere", routing.Contact{Errand: channel.ErrandCertificate, Channel: channel.Video, PostalCode: "00500"},
			routing.ReasonNotInPilot, "not_in_pilot"},
		{"no home area for an area-only policy", routing.Contact{Errand: channel.ErrandCertificate, Channel: channel.Callback},
			routing.ReasonNoCandidates, "contact has no postal code or home area"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Route(tc.c)
			require.ErrorIs(t, err, routing.ErrNoRoute)
			var nr *routing.NoRouteError
			require.True(t, errors.As(err, &nr))
			require.Equal(t, tc.reason, nr.Reason)
			require.Contains(t, err.Error(), tc.inMsg)
		})
	}

	noDefault := fixtureConfig()
	noDefault.Policies = noDefault.Policies[1:]
	d2, err := routing.NewDirectory(noDefault)
	require.NoError(t, err)
	_, err = d2.Route(routing.Contact{Errand: channel.ErrandVaccination, Channel: channel.Callback, PostalCode: "00500"})
	var nr *routing.NoRouteError
	require.ErrorAs(t, err, &nr)
	require.Equal(t, routing.ReasonNoPolicy, nr.Reason)
}

func TestRoutePilotCohort(t *testing.T) {
	d := fixture(t)
	r, err := d.Route(routing.Contact{Errand: channel.ErrandInfectionSymptoms, Channel: channel.Video, PostalCode: "00550", OwnTeam: "vallila-a"})
	require.NoError(t, err)
	for _, s := range r.Steps {
		for _, p := range s.Professionals {
			require.Contains(t, []carecontact.ProfessionalID{"n-aino", "n-bertil", "n-kaisa", "p-pekka"}, p, "only pilot teams get video")
		}
	}
	require.Equal(t, routing.TargetNeighbourAreas, r.Steps[0].Target, "own team and home area are not in the video pilot")
	require.Contains(t, r.Skipped, routing.SkippedStep{Index: 1, Target: routing.TargetOwnTeam, Reason: "nobody in the step's scope is in the video pilot"})
}

func TestRouteRejectsBadInput(t *testing.T) {
	d := fixture(t)
	ok := routing.Contact{Errand: channel.ErrandOther, Channel: channel.Chat, PostalCode: "00530"}
	for _, tc := range []struct {
		name  string
		edit  func(*routing.Contact)
		err   error
		field string
	}{
		{"errand", func(c *routing.Contact) { c.Errand = "" }, routing.ErrInvalid, "errand"},
		{"channel", func(c *routing.Contact) { c.Channel = channel.EBooking }, routing.ErrInvalid, "channel"},
		{"unknown channel", func(c *routing.Contact) { c.Channel = "fax" }, routing.ErrInvalid, "channel"},
		{"priority", func(c *routing.Contact) { c.Priority = 7 }, routing.ErrInvalid, "priority"},
		{"language", func(c *routing.Contact) { c.Language = "!!" }, routing.ErrInvalid, "language"},
		{"postal code", func(c *routing.Contact) { c.PostalCode = "530" }, routing.ErrMalformedPostalCode, "postalCode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			_, err := d.Route(c)
			require.ErrorIs(t, err, tc.err)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
}
