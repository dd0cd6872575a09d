package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
)

func TestParsePostalCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want routing.PostalCode
		err  error
	}{
		{"00530", "00530", nil},
		{" 00100 ", "00100", nil},
		{"0053", "", routing.ErrMalformedPostalCode},
		{"005300", "", routing.ErrMalformedPostalCode},
		{"00a30", "", routing.ErrMalformedPostalCode},
		{"", "", routing.ErrMalformedPostalCode},
		{"٠٠٥٣٠", "", routing.ErrMalformedPostalCode},
	} {
		got, err := routing.ParsePostalCode(tc.in)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got)
	}
}

func FuzzParsePostalCode(f *testing.F) {
	for _, s := range []string{"00530", " 00100", "0053", "abcde", "99999", "\x00\x00\x00\x00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pc, err := routing.ParsePostalCode(s)
		if err != nil {
			require.ErrorIs(t, err, routing.ErrMalformedPostalCode)
			require.Contains(t, err.Error(), "must be 5 digits", "the error explains without echoing the input")
			return
		}
		require.Len(t, string(pc), 5)
		for _, c := range []byte(pc) {
			require.True(t, c >= '0' && c <= '9')
		}
		again, err := routing.ParsePostalCode(string(pc))
		require.NoError(t, err)
		require.Equal(t, pc, again)
	})
}

func TestAreaOf(t *testing.T) {
	d := fixture(t)
	a, err := d.AreaOf("00530")
	require.NoError(t, err)
	require.Equal(t, carecontact.AreaID("kallio"), a.ID)
	require.Equal(t, "Berghäll", a.Name(civil.Swedish))
	require.Equal(t, "Kallio", a.Name(civil.Finnish))
	a, err = d.AreaOf("00580")
	require.NoError(t, err)
	require.Equal(t, "Fiskehamnen", a.Name(civil.Swedish))

	_, err = d.AreaOf("00990")
	require.ErrorIs(t, err, routing.ErrUnknownPostalCode)
	_, err = d.AreaOf("5300")
	require.ErrorIs(t, err, routing.ErrMalformedPostalCode)

	n, err := d.Neighbours("kallio")
	require.NoError(t, err)
	require.Equal(t, []carecontact.AreaID{"vallila", "kalasatama"}, n)
	_, err = d.Neighbours("espoo")
	require.ErrorIs(t, err, routing.ErrUnknownArea)
}

func TestOpeningHoursAcrossDST(t *testing.T) {
	h := routing.Weekdays(civil.At(8, 0), civil.At(16, 0))
	hel := civil.Helsinki()
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{
		// Friday before the spring change (EET, UTC+2) and Monday after (EEST, UTC+3).
		{time.Date(2026, 3, 27, 8, 0, 0, 0, hel), true},
		{time.Date(2026, 3, 27, 7, 59, 0, 0, hel), false},
		{time.Date(2026, 3, 30, 8, 0, 0, 0, hel), true},
		{time.Date(2026, 3, 30, 15, 59, 59, 0, hel), true},
		{time.Date(2026, 3, 30, 16, 0, 0, 0, hel), false},
		// 08:00 local is 05:00 UTC in summer and 06:00 UTC in winter.
		{time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 10, 26, 5, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 10, 26, 6, 0, 0, 0, time.UTC), true},
		// Saturday.
		{time.Date(2026, 3, 28, 10, 0, 0, 0, hel), false},
	} {
		require.Equal(t, tc.open, h.IsOpen(tc.at), tc.at.String())
	}
	require.True(t, routing.OpeningHours(nil).IsOpen(time.Date(2026, 3, 28, 3, 0, 0, 0, hel)), "no hours: always open")
}

func TestNewDirectoryRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*routing.Config)
		err   error
		field string
	}{
		{"area without id", func(c *routing.Config) { c.Areas[0].ID = "" }, routing.ErrInvalid, "id"},
		{"malformed postal code", func(c *routing.Config) { c.Areas[0].PostalCodes[0] = "530" }, routing.ErrMalformedPostalCode, "postal_codes"},
		{"postal code in two areas", func(c *routing.Config) { c.Areas[1].PostalCodes[0] = "00530" }, routing.ErrInvalid, "00530"},
		{"unknown neighbour", func(c *routing.Config) { c.Areas[0].Neighbours[0] = "espoo" }, routing.ErrUnknownArea, "neighbours"},
		{"bad hours", func(c *routing.Config) { c.Areas[0].Hours[0].Close = civil.At(7, 0) }, routing.ErrInvalid, "hours"},
		{"team in unknown area", func(c *routing.Config) { c.Teams[0].Area = "espoo" }, routing.ErrUnknownArea, "area"},
		{"team without area", func(c *routing.Config) { c.Teams[0].Area = "" }, routing.ErrInvalid, "area"},
		{"professional without role", func(c *routing.Config) { c.Professionals[0].Role = "" }, routing.ErrInvalid, "role"},
		{"bad language", func(c *routing.Config) { c.Professionals[0].Languages = []civil.Language{"!!"} }, routing.ErrInvalid, "languages[0]"},
		{"unknown team", func(c *routing.Config) { c.Professionals[0].Teams = []carecontact.TeamID{"x"} }, routing.ErrUnknownTeam, "teams"},
		{"negative capacity", func(c *routing.Config) { c.Professionals[0].Capacity.Chat = -1 }, routing.ErrInvalid, "capacity"},
		{"duplicate professional", func(c *routing.Config) { c.Professionals[1].ID = c.Professionals[0].ID }, routing.ErrInvalid, "duplicate"},
		{"middle step without timeout", func(c *routing.Config) { c.Policies[0].Steps[1].Timeout = 0 }, routing.ErrInvalid, "timeout"},
		{"team step without team", func(c *routing.Config) { c.Policies[1].Steps[0].Target = routing.TargetTeam }, routing.ErrInvalid, "team"},
		{"duplicate default policy", func(c *routing.Config) { c.Policies[1].Errand = "" }, routing.ErrInvalid, "duplicate"},
		{"empty policy", func(c *routing.Config) { c.Policies[1].Steps = nil }, routing.ErrInvalid, "steps"},
		{"policy of e-booking", func(c *routing.Config) { c.Policies[1].Channel = channel.EBooking }, routing.ErrInvalid, "policies[1].channel"},
		{"duplicate channel policy", func(c *routing.Config) {
			c.Policies[0].Channel, c.Policies[1].Channel, c.Policies[1].Errand = channel.Callback, channel.Callback, ""
		}, routing.ErrInvalid, "duplicate"},
		{"pilot of e-booking", func(c *routing.Config) { c.Pilots[0].Channel = channel.EBooking }, routing.ErrInvalid, "pilots"},
		{"pilot of unknown team", func(c *routing.Config) { c.Pilots[0].Teams[0] = "x" }, routing.ErrUnknownTeam, "pilots"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixtureConfig()
			tc.edit(&cfg)
			_, err := routing.NewDirectory(cfg)
			require.ErrorIs(t, err, tc.err)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestDirectoryLookups(t *testing.T) {
	d := fixture(t)
	m, err := d.Members("kallio-a")
	require.NoError(t, err)
	require.Equal(t, []carecontact.ProfessionalID{"n-aino", "n-bertil"}, m)
	_, err = d.Members("x")
	require.ErrorIs(t, err, routing.ErrUnknownTeam)
	p, err := d.Professional("n-eero")
	require.NoError(t, err)
	require.Equal(t, []routing.Skill{"diabetes"}, p.Skills)
	_, err = d.Professional("x")
	require.ErrorIs(t, err, routing.ErrUnknownProfessional)
	tm, err := d.Team("keskitetty")
	require.NoError(t, err)
	require.True(t, tm.Central)
	require.True(t, d.Piloted(channel.Video))
	require.False(t, d.Piloted(channel.Chat))
	pol, ok := d.Policy(channel.ErrandLabResults, "")
	require.True(t, ok)
	require.Len(t, pol.Steps, 5, "errands without a policy use the default")
	require.Len(t, d.Professionals(), 7)
}

// IsMember answers from the teams the professionals list: a member, a
// professional of another team and one the directory does not know.
func TestDirectoryIsMember(t *testing.T) {
	d := fixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		team carecontact.TeamID
		prof carecontact.ProfessionalID
		want bool
	}{
		{"kallio-a", "n-aino", true},
		{"kallio-a", "n-bertil", true},
		{"kallio-a", "n-eero", false},
		{"kallio-a", "nobody", false},
	} {
		got, err := d.IsMember(ctx, tc.team, tc.prof)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%s in %s", tc.prof, tc.team)
	}
	_, err := d.IsMember(ctx, "x", "n-aino")
	require.ErrorIs(t, err, routing.ErrUnknownTeam)
}

// A channel's policy applies to that channel only, and the most specific
// policy wins: errand and channel, errand, channel, default.
func TestChannelPolicies(t *testing.T) {
	cfg := fixtureConfig()
	own := []routing.Step{{Target: routing.TargetOwnTeam}}
	area := []routing.Step{{Target: routing.TargetHomeArea}}
	cfg.Policies = append(cfg.Policies,
		routing.Policy{Channel: channel.Callback, Steps: own},
		routing.Policy{Errand: channel.ErrandLabResults, Channel: channel.Callback, Steps: area},
	)
	d, err := routing.NewDirectory(cfg)
	require.NoError(t, err)
	for _, tc := range []struct {
		errand channel.Errand
		kind   channel.Kind
		steps  int
		first  routing.Target
	}{
		{channel.ErrandInfectionSymptoms, channel.Callback, 1, routing.TargetOwnTeam},
		{channel.ErrandLabResults, channel.Callback, 1, routing.TargetHomeArea},
		{channel.ErrandInfectionSymptoms, channel.InboundPhone, 5, routing.TargetOwnProfessional},
		{channel.ErrandInfectionSymptoms, "", 5, routing.TargetOwnProfessional},
	} {
		pol, ok := d.Policy(tc.errand, tc.kind)
		require.True(t, ok)
		require.Len(t, pol.Steps, tc.steps, "%s %s", tc.errand, tc.kind)
		require.Equal(t, tc.first, pol.Steps[0].Target, "%s %s", tc.errand, tc.kind)
	}
	rt, err := d.Route(routing.Contact{Client: "c1", Errand: channel.ErrandInfectionSymptoms, Channel: channel.Callback,
		PostalCode: "00530", OwnTeam: "kallio-a"})
	require.NoError(t, err)
	require.Len(t, rt.Steps, 1, "a callback stays with the own team")
	require.Equal(t, []carecontact.TeamID{"kallio-a"}, rt.Steps[0].Teams)
	rt, err = d.Route(routing.Contact{Client: "c1", Errand: channel.ErrandInfectionSymptoms, Channel: channel.InboundPhone,
		PostalCode: "00530", OwnTeam: "kallio-a"})
	require.NoError(t, err)
	require.Greater(t, len(rt.Steps), 1, "a call widens by the default policy")
}

func TestAreaOpeningHoursOnHolidaysAndEves(t *testing.T) {
	hki := civil.Helsinki()
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hki) }
	week := routing.Weekdays(civil.At(8, 0), civil.At(16, 0))
	noonEve := civil.Span{From: civil.At(8, 0), To: civil.At(12, 0)}
	plain := routing.Area{ID: "kallio", NameFi: "Kallio", Hours: week}
	shortEves := routing.Area{ID: "kallio", NameFi: "Kallio", Hours: week, EveHours: &noonEve}
	allYear := routing.Area{ID: "kallio", NameFi: "Kallio", Hours: week, OpenOnHolidays: true}
	always := routing.Area{ID: "central", NameFi: "Keskitetty"}
	tests := []struct {
		name string
		area routing.Area
		at   time.Time
		open bool
	}{
		{"ordinary Wednesday", plain, at(2026, time.December, 23, 10, 0), true},
		{"Christmas Day (Friday)", plain, at(2026, time.December, 25, 10, 0), false},
		{"Christmas Eve closed by default", plain, at(2026, time.December, 24, 9, 0), false},
		{"Christmas Eve short hours, morning", shortEves, at(2026, time.December, 24, 9, 0), true},
		{"Christmas Eve short hours, afternoon", shortEves, at(2026, time.December, 24, 12, 0), false},
		{"Midsummer Eve short hours", shortEves, at(2026, time.June, 19, 11, 59), true},
		{"eve hours do not open a holiday", shortEves, at(2026, time.December, 25, 9, 0), false},
		{"Good Friday", plain, at(2026, time.April, 3, 10, 0), false},
		{"Easter Monday", plain, at(2026, time.April, 6, 10, 0), false},
		{"Epiphany", shortEves, at(2026, time.January, 6, 10, 0), false},
		{"Independence Day 2027 (Monday)", plain, at(2027, time.December, 6, 10, 0), false},
		{"open on holidays keeps weekly hours", allYear, at(2026, time.December, 25, 10, 0), true},
		{"open on holidays keeps weekly hours on eves", allYear, at(2026, time.December, 24, 15, 0), true},
		{"no hours: open on Christmas Day", always, at(2026, time.December, 25, 3, 0), true},
		// DST: the Monday after the spring change, 08:00 local is 05:00 UTC.
		{"after spring change, 08:00 local", plain, time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC), true},
		{"after spring change, 07:59 local", plain, time.Date(2026, 3, 30, 4, 59, 0, 0, time.UTC), false},
		// Midsummer Eve 2026 is in summer time: 12:00 local is 09:00 UTC.
		{"eve end in summer time", shortEves, time.Date(2026, 6, 19, 9, 0, 0, 0, time.UTC), false},
		{"eve in summer time", shortEves, time.Date(2026, 6, 19, 8, 59, 0, 0, time.UTC), true},
		// Christmas Eve is in winter time: 08:00 local is 06:00 UTC.
		{"eve start in winter time", shortEves, time.Date(2026, 12, 24, 6, 0, 0, 0, time.UTC), true},
		{"before eve start in winter time", shortEves, time.Date(2026, 12, 24, 5, 59, 0, 0, time.UTC), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.open, tc.area.IsOpen(tc.at)) })
	}
}

func TestAreaEveHoursValidated(t *testing.T) {
	cfg := fixtureConfig()
	eve := civil.Span{From: civil.At(8, 0), To: civil.At(12, 0)}
	cfg.Areas[0].EveHours = &eve
	_, err := routing.NewDirectory(cfg)
	require.NoError(t, err)
	bad := civil.Span{From: civil.At(12, 0), To: civil.At(8, 0)}
	cfg.Areas[0].EveHours = &bad
	_, err = routing.NewDirectory(cfg)
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorContains(t, err, "eve_hours")
}
