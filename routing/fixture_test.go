package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
)

// Helsinki-like test data. Area names and postal codes follow the real
// districts (Kallio/Berghäll 00530, Vallila/Vallgård 00550, Kalasatama/
// Fiskehamnen 00540, Töölö/Tölö 00250); the team and staff are invented.
func fixtureConfig() routing.Config {
	return routing.Config{
		Areas: []routing.Area{
			{ID: "kallio", NameFi: "Kallio", NameSv: "Berghäll", PostalCodes: []routing.PostalCode{"00500", "00530"},
				Neighbours: []carecontact.AreaID{"vallila", "kalasatama"}, Hours: routing.Weekdays(civil.At(8, 0), civil.At(16, 0))},
			{ID: "vallila", NameFi: "Vallila", NameSv: "Vallgård", PostalCodes: []routing.PostalCode{"00510", "00550"},
				Neighbours: []carecontact.AreaID{"kallio"}},
			{ID: "kalasatama", NameFi: "Kalasatama", NameSv: "Fiskehamnen", PostalCodes: []routing.PostalCode{"00540", "00580"},
				Neighbours: []carecontact.AreaID{"kallio"}},
			{ID: "tolo", NameFi: "Töölö", NameSv: "Tölö", PostalCodes: []routing.PostalCode{"00250", "00260"}},
		},
		Teams: []routing.Team{
			{ID: "kallio-a", NameFi: "Kallion tiimi A", NameSv: "Berghälls team A", Area: "kallio"},
			{ID: "kallio-b", NameFi: "Kallion tiimi B", NameSv: "Berghälls team B", Area: "kallio"},
			{ID: "vallila-a", NameFi: "Vallilan tiimi", NameSv: "Vallgårds team", Area: "vallila"},
			{ID: "kalasatama-a", NameFi: "Kalasataman tiimi", NameSv: "Fiskehamnens team", Area: "kalasatama"},
			{ID: "keskitetty", NameFi: "Keskitetty etävastaanotto", NameSv: "Centraliserad distansmottagning", Central: true},
		},
		Professionals: []routing.Professional{
			{ID: "n-aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "en"}, Teams: []carecontact.TeamID{"kallio-a"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 3}, WrapUp: 2 * time.Minute},
			{ID: "n-bertil", Role: routing.RoleNurse, Languages: []civil.Language{"sv", "fi"}, Teams: []carecontact.TeamID{"kallio-a"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 3}, WrapUp: 2 * time.Minute},
			{ID: "d-carita", Role: routing.RoleDoctor, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-b"},
				Capacity: routing.Capacity{Synchronous: 1}, WrapUp: 5 * time.Minute},
			{ID: "n-eero", Role: routing.RoleNurse, Skills: []routing.Skill{"diabetes"}, Languages: []civil.Language{"fi"},
				Teams: []carecontact.TeamID{"vallila-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}},
			{ID: "n-frida", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv"}, Teams: []carecontact.TeamID{"kalasatama-a"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 3}},
			{ID: "n-kaisa", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv", "en"}, Teams: []carecontact.TeamID{"keskitetty"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 3}},
			{ID: "p-pekka", Role: routing.RolePsychiatricNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"keskitetty"},
				Capacity: routing.Capacity{Synchronous: 1}},
		},
		Policies: []routing.Policy{
			{Steps: []routing.Step{
				{Target: routing.TargetOwnProfessional, Timeout: 2 * time.Minute},
				{Target: routing.TargetOwnTeam, Timeout: 5 * time.Minute},
				{Target: routing.TargetHomeArea, Timeout: 10 * time.Minute},
				{Target: routing.TargetNeighbourAreas, Timeout: 10 * time.Minute},
				{Target: routing.TargetCentralPool},
			}},
			{Errand: channel.ErrandMentalHealth, Steps: []routing.Step{
				{Target: routing.TargetCentralPool, Roles: []routing.Role{routing.RolePsychiatricNurse}},
			}},
			{Errand: channel.ErrandChronicFollowUp, Steps: []routing.Step{
				{Target: routing.TargetHomeArea, Timeout: 10 * time.Minute, Skills: []routing.Skill{"diabetes"}},
				{Target: routing.TargetNeighbourAreas, Timeout: 10 * time.Minute, Skills: []routing.Skill{"diabetes"}},
			}},
			{Errand: channel.ErrandCertificate, Steps: []routing.Step{
				{Target: routing.TargetHomeArea, Roles: []routing.Role{routing.RoleDoctor}, MatchLanguage: true, Timeout: time.Hour},
			}},
		},
		Pilots: []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-a", "keskitetty"}}},
	}
}

func fixture(t testing.TB) *routing.Directory {
	t.Helper()
	d, err := routing.NewDirectory(fixtureConfig())
	require.NoError(t, err)
	return d
}
