package frontdoor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// organisation is a small, consistent organisation: Kallio and Vallila
// with one team each and a central team, chat piloted by two nurses,
// calendars, a flu vaccination both areas let adults and seniors e-book,
// callback rosters and guidance that advises e-booking it.
func organisation() frontdoor.Organisation {
	nurse := func(id carecontact.ProfessionalID, team carecontact.TeamID, area carecontact.AreaID) booking.Calendar {
		return booking.Calendar{ID: booking.ProfessionalCalendar(id), Kind: booking.OwnerProfessional, Area: area, Team: team, Role: "nurse",
			Rules: []booking.WeeklyRule{
				{Weekdays: []time.Weekday{time.Monday, time.Tuesday}, Span: civil.Span{From: civil.At(8, 0), To: civil.At(10, 0)}, Block: booking.BlockCallback},
				{Weekdays: []time.Weekday{time.Monday, time.Tuesday}, Span: civil.Span{From: civil.At(10, 0), To: civil.At(15, 0)}, Block: booking.BlockSelfService},
			}}
	}
	kallioNurse := nurse("n-aino", "kallio-a", "kallio")
	kallioNurse.Closures = &booking.Closures{Local: []booking.Closure{{Date: civil.NewDate(2026, time.December, 31), Area: "kallio",
		Names: civil.Names{FI: "Uudenvuodenaatto"}}}}
	flu := func(area carecontact.AreaID) booking.Service {
		return booking.Service{Code: "flu-vaccination", Area: area, Names: civil.Names{FI: "Influenssarokotus"}, Duration: 10 * time.Minute,
			Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
			SelfBookGroups: []string{"adult", "senior"}}
	}
	fi := func(s string) guidance.Localized { return guidance.Localized{"fi": s} }
	return frontdoor.Organisation{
		Routing: routing.Config{
			Areas: []routing.Area{
				{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}, Neighbours: []carecontact.AreaID{"vallila"}},
				{ID: "vallila", NameFi: "Vallila", PostalCodes: []routing.PostalCode{"00550"}, Neighbours: []carecontact.AreaID{"kallio"}},
			},
			Teams: []routing.Team{
				{ID: "kallio-a", NameFi: "Kallion tiimi", Area: "kallio"},
				{ID: "vallila-a", NameFi: "Vallilan tiimi", Area: "vallila"},
				{ID: "keskitetty", NameFi: "Keskitetty", Central: true},
			},
			Professionals: []routing.Professional{
				{ID: "n-aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}},
				{ID: "d-carita", Role: routing.RoleDoctor, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1}},
				{ID: "n-eero", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"vallila-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}},
				{ID: "n-kaisa", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"keskitetty"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 3}},
			},
			Policies: []routing.Policy{{Steps: []routing.Step{
				{Target: routing.TargetHomeArea, Timeout: 10 * time.Minute},
				{Target: routing.TargetCentralPool},
			}}},
			Pilots: []routing.Pilot{{Channel: channel.Chat, Professionals: []carecontact.ProfessionalID{"n-aino", "n-eero"}}},
		},
		ClientGroups: []string{"adult", "senior"},
		Calendars: []booking.Calendar{
			kallioNurse,
			nurse("n-eero", "vallila-a", "vallila"),
			{ID: booking.TeamCalendar("kallio-a"), Kind: booking.OwnerTeam, Area: "kallio"},
			{ID: "room-1", Kind: booking.OwnerResource, Area: "kallio", Role: "room"},
		},
		Services: []booking.Service{flu("kallio"), flu("vallila")},
		Rosters: []frontdoor.Roster{
			{Team: "kallio-a", Shifts: []callback.Shift{{Professional: "n-aino", From: civil.At(8, 0), To: civil.At(10, 0)},
				{Professional: "d-carita", From: civil.At(12, 0), To: civil.At(13, 0)}}},
			{Team: "vallila-a", Shifts: []callback.Shift{{Professional: "n-eero", From: civil.At(8, 0), To: civil.At(10, 0)}}},
		},
		Guidance: &guidance.Content{
			Format: guidance.FormatName, Version: guidance.FormatVersion, Languages: []string{"fi"},
			Texts: []guidance.Text{
				{Key: guidance.AdviceKey(channel.Callback), Text: fi("Jätä soittopyyntö.")},
				{Key: guidance.AdviceKey(channel.EBooking), Text: fi("Varaa {service_name}.")},
			},
			Channels: []guidance.ChannelConfig{{AreaName: fi("Terveysasema"), Offers: []guidance.Offer{
				{Kind: channel.Callback, Rank: 1, Identity: channel.IdentityWeak, Hours: fi("ma–pe 8–16")},
				{Kind: channel.EBooking, Rank: 2, Identity: channel.IdentityStrong, Hours: fi("aina")},
			}}},
			Booking: []guidance.BookingConfig{{Services: []guidance.BookableService{
				{ID: "flu-vaccination", Errand: channel.ErrandVaccination, Name: fi("influenssarokotus")},
			}}},
		},
	}
}

func TestOrganisationBuild(t *testing.T) {
	o := organisation()
	require.NoError(t, o.Check())
	b, err := o.Build()
	require.NoError(t, err)
	require.True(t, b.Directory.InPilot(channel.Chat, "n-eero"))
	require.False(t, b.Directory.InPilot(channel.Chat, "n-kaisa"))
	require.NotNil(t, b.Matrix)
	require.NoError(t, b.Graph.Check(channel.Chat, channel.Callback, channel.IdentityWeak, true))
	require.Equal(t, []booking.CalendarID{"n-aino", "n-eero", "kallio-a", "room-1"}, b.Calendars.IDs())
	require.Len(t, b.Catalogues, 2)
	require.Equal(t, carecontact.AreaID("kallio"), b.Catalogues[0].Area())
	require.Equal(t, carecontact.AreaID("vallila"), b.Catalogues[1].Area())
	require.IsType(t, &callback.StaticCapacity{}, b.Capacity)
	require.NotNil(t, b.Absences)
	require.NotNil(t, b.Guidance)

	// Monday 7 December 2026: the Kallio roster has two professionals.
	ivs, err := b.Capacity.CallbackCapacity(t.Context(), "kallio-a", at(2026, time.December, 7, 0, 0))
	require.NoError(t, err)
	require.Len(t, ivs, 2)

	o.Rosters, o.Guidance = nil, nil
	b, err = o.Build()
	require.NoError(t, err)
	require.IsType(t, &frontdoor.CalendarCapacity{}, b.Capacity, "without rosters capacity comes from the calendars")
	require.NotNil(t, b.Absences)
	require.Nil(t, b.Guidance)
	ivs, err = b.Capacity.CallbackCapacity(t.Context(), "kallio-a", at(2026, time.December, 7, 0, 0))
	require.NoError(t, err)
	require.Equal(t, []callback.Interval{{Start: at(2026, time.December, 7, 8, 0).UTC(), End: at(2026, time.December, 7, 10, 0).UTC(), Professionals: 1}}, ivs)
}

// Configurations the cross-checks let through: what advice never offers
// needs no booking service.
func TestOrganisationCheckPasses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*frontdoor.Organisation)
	}{
		{"guidance narrows the groups to those booking offers", func(o *frontdoor.Organisation) {
			o.Services[1].SelfBookGroups = []string{"adult"}
			o.Guidance.Booking[0].Services[0].Groups = []string{"adult"}
		}},
		{"the e-booking offer narrows the groups", func(o *frontdoor.Organisation) {
			o.Services[1].SelfBookGroups = []string{"senior"}
			o.Guidance.Channels[0].Offers[1].Groups = []string{"senior"}
		}},
		{"the matrix rules e-booking out for the errand", func(o *frontdoor.Organisation) {
			o.Guidance.Booking[0].Services = append(o.Guidance.Booking[0].Services,
				guidance.BookableService{ID: "triage", Errand: channel.ErrandInfectionSymptoms, Name: guidance.Localized{"fi": "arvio"}})
		}},
		{"an area that offers no e-booking needs no service", func(o *frontdoor.Organisation) {
			o.Services = o.Services[:1]
			cfg := o.Guidance.Channels[0]
			cfg.Area, cfg.Offers = "vallila", cfg.Offers[:1]
			o.Guidance.Channels = append(o.Guidance.Channels, cfg)
		}},
		{"an area's own booking guidance replaces the default", func(o *frontdoor.Organisation) {
			o.Services = o.Services[:1]
			o.Guidance.Booking = append(o.Guidance.Booking, guidance.BookingConfig{Area: "vallila"})
		}},
		{"no client groups: groups are not checked against a list", func(o *frontdoor.Organisation) {
			o.ClientGroups = nil
			o.Services[0].SelfBookGroups = []string{"child"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := organisation()
			tc.edit(&o)
			require.NoError(t, o.Check())
		})
	}
}

// fields returns the fields the errors err joins name.
func fields(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "a joined error")
	for _, e := range joined.Unwrap() {
		if fe := (*carecontact.FieldError)(nil); errors.As(e, &fe) {
			out = append(out, fe.Field)
		}
	}
	return out
}

// Each bad item yields an error that names it.
func TestOrganisationCrossChecks(t *testing.T) {
	vaccinationOnly := func(video bool) *channel.Matrix {
		row := map[channel.Kind]channel.Cell{}
		for _, k := range channel.Kinds() {
			row[k] = channel.Cell{Suitable: k != channel.Chat && (video || k != channel.Video), Reason: "not here", Identity: channel.IdentityWeak}
		}
		m, err := channel.NewMatrix(map[channel.Errand]map[channel.Kind]channel.Cell{channel.ErrandVaccination: row})
		if err != nil {
			panic(err)
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		edit  func(*frontdoor.Organisation)
		field string
		msg   string
	}{
		{"calendar of an unknown team", func(o *frontdoor.Organisation) { o.Calendars[0].Team = "kallio-c" },
			"calendars[0].team", `calendars[0].team: "kallio-c" is not a routing team`},
		{"calendar in an unknown area", func(o *frontdoor.Organisation) { o.Calendars[3].Area = "espoo" },
			"calendars[3].area", `calendars[3].area: "espoo" is not a routing area`},
		{"calendar outside its team's area", func(o *frontdoor.Organisation) { o.Calendars[0].Area = "vallila" },
			"calendars[0].area", `calendars[0].area: "vallila" is not the area of team "kallio-a" ("kallio")`},
		{"calendar of an unknown professional", func(o *frontdoor.Organisation) { o.Calendars[0].ID = "n-nobody" },
			"calendars[0].id", `calendars[0].id: "n-nobody" is not a routing professional`},
		{"calendar of a professional of another team", func(o *frontdoor.Organisation) {
			o.Calendars[1].Team, o.Calendars[1].Area = "kallio-a", "kallio"
		}, "calendars[1].id", `calendars[1].id: "n-eero" is not a member of team "kallio-a" in routing`},
		{"calendar role other than routing's", func(o *frontdoor.Organisation) { o.Calendars[0].Role = "doctor" },
			"calendars[0].role", `calendars[0].role: "doctor" is not the role of "n-aino" in routing ("nurse")`},
		{"team calendar of an unknown team", func(o *frontdoor.Organisation) { o.Calendars[2].ID = "kallio-x" },
			"calendars[2].id", `calendars[2].id: "kallio-x" is not a routing team`},
		{"closure of an unknown area", func(o *frontdoor.Organisation) { o.Calendars[0].Closures.Local[0].Area = "espoo" },
			"calendars[0].closures.local[0].area", `calendars[0].closures.local[0].area: "espoo" is not a routing area`},
		{"closure of another area", func(o *frontdoor.Organisation) { o.Calendars[0].Closures.Local[0].Area = "vallila" },
			"calendars[0].closures.local[0].area", `closes area "vallila", not the calendar's area "kallio"`},
		{"service of an unknown area", func(o *frontdoor.Organisation) { o.Services[1].Area = "espoo" },
			"services[1].area", `services[1].area: "espoo" is not a routing area`},
		{"service for an unknown client group", func(o *frontdoor.Organisation) {
			o.Services[0].SelfBookGroups = append(o.Services[0].SelfBookGroups, "child")
		}, "services[0].selfBookGroups[2]", `services[0].selfBookGroups[2]: "child" is not one of the client groups [adult senior]`},
		{"duplicate service of an area", func(o *frontdoor.Organisation) { o.Services = append(o.Services, o.Services[0]) },
			"services[2].code", `services[2].code: "flu-vaccination" is already a service of area "kallio" (services[0])`},
		{"roster of an unknown team", func(o *frontdoor.Organisation) { o.Rosters[1].Team = "vallila-x" },
			"rosters[1].team", `rosters[1].team: "vallila-x" is not a routing team`},
		{"two rosters of a team", func(o *frontdoor.Organisation) { o.Rosters[1].Team = "kallio-a" },
			"rosters[1].team", `rosters[1].team: team "kallio-a" already has a roster (rosters[0])`},
		{"roster shift of an unknown professional", func(o *frontdoor.Organisation) { o.Rosters[0].Shifts[1].Professional = "d-nobody" },
			"rosters[0].shifts[1].professional", `rosters[0].shifts[1].professional: "d-nobody" is not a routing professional`},
		{"roster shift of another team's professional", func(o *frontdoor.Organisation) { o.Rosters[1].Shifts[0].Professional = "n-aino" },
			"rosters[1].shifts[0].professional", `rosters[1].shifts[0].professional: "n-aino" is not a member of team "vallila-a" in routing`},
		{"guidance text of an unknown area", func(o *frontdoor.Organisation) {
			o.Guidance.Texts = append(o.Guidance.Texts, guidance.Text{Key: guidance.AdviceKey(channel.Callback), Area: "espoo", Text: guidance.Localized{"fi": "Soita."}})
		}, "guidance.texts[2].area", `guidance.texts[2].area: "espoo" is not a routing area`},
		{"guidance channels of an unknown area", func(o *frontdoor.Organisation) {
			cfg := o.Guidance.Channels[0]
			cfg.Area = "espoo"
			o.Guidance.Channels = append(o.Guidance.Channels, cfg)
		}, "guidance.channels[1].area", `guidance.channels[1].area: "espoo" is not a routing area`},
		{"guidance booking of an unknown area", func(o *frontdoor.Organisation) {
			o.Guidance.Booking = append(o.Guidance.Booking, guidance.BookingConfig{Area: "espoo"})
		}, "guidance.booking[1].area", `guidance.booking[1].area: "espoo" is not a routing area`},
		{"guidance offer for an unknown client group", func(o *frontdoor.Organisation) {
			o.Guidance.Channels[0].Offers[1].Groups = []string{"adult", "child"}
		}, "guidance.channels[0].offers[1].groups[1]", `"child" is not one of the client groups [adult senior]`},
		{"guidance service for an unknown client group", func(o *frontdoor.Organisation) {
			o.Guidance.Booking[0].Services[0].Groups = []string{"child"}
		}, "guidance.booking[0].services[0].groups[0]", `"child" is not one of the client groups [adult senior]`},
		{"e-booking advised of a service booking does not have", func(o *frontdoor.Organisation) { o.Guidance.Booking[0].Services[0].ID = "flu-shot" },
			"guidance.booking[0].services[0]", `guidance.booking[0].services[0]: e-booking of "flu-shot" is advised in area "kallio", but booking has no such service there`},
		{"e-booking advised in an area booking does not offer it in", func(o *frontdoor.Organisation) { o.Services = o.Services[:1] },
			"guidance.booking[0].services[0]", `e-booking of "flu-vaccination" is advised in area "vallila", but booking has no such service there`},
		{"e-booking advised to a group booking does not let book", func(o *frontdoor.Organisation) { o.Services[1].SelfBookGroups = []string{"adult"} },
			"guidance.booking[0].services[0]", `e-booking of "flu-vaccination" is advised in area "vallila" to client groups [senior], but booking lets only [adult] book it`},
		{"e-booking advised of a service for professionals only", func(o *frontdoor.Organisation) { o.Services[0].SelfBookGroups = nil },
			"guidance.booking[0].services[0]", `e-booking of "flu-vaccination" is advised in area "kallio", but booking lets no client book it`},
		{"e-booking advised to the group the offer names", func(o *frontdoor.Organisation) {
			o.Services[0].SelfBookGroups = []string{"adult"}
			o.Guidance.Channels[0].Offers[1].Groups = []string{"senior"}
		}, "guidance.booking[0].services[0]", `advised in area "kallio" to client groups [senior], but booking lets only [adult] book it`},
		{"pilot of a channel no errand suits", func(o *frontdoor.Organisation) { o.Matrix = vaccinationOnly(true) },
			"routing.pilots[0].channel", `routing.pilots[0].channel: chat suits no errand in the channel matrix`},
		{"escalation to a channel no errand suits", func(o *frontdoor.Organisation) {
			o.Matrix = vaccinationOnly(false)
			o.Routing.Pilots = nil
			o.Escalations = []channel.Escalation{{From: channel.Callback, To: channel.InPerson}, {From: channel.Callback, To: channel.Video, Consent: true}}
		}, "escalations[1].to", `escalations[1].to: video suits no errand in the channel matrix`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := organisation()
			tc.edit(&o)
			err := o.Check()
			require.Error(t, err)
			require.ErrorIs(t, err, frontdoor.ErrConfig)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			require.Contains(t, err.Error(), tc.msg)
			require.Contains(t, fields(t, err), tc.field)
			_, err = o.Build()
			require.Error(t, err, "Build refuses what Check refuses")
		})
	}
}

// A part's own validation error names the part and keeps its sentinel.
func TestOrganisationPartErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*frontdoor.Organisation)
		err  error
		msg  string
	}{
		{"routing", func(o *frontdoor.Organisation) { o.Routing.Pilots[0].Professionals[1] = "n-nobody" },
			routing.ErrUnknownProfessional, "routing: pilots[0].professionals[1]"},
		{"calendars", func(o *frontdoor.Organisation) { o.Calendars[1].Kind = "robot" }, booking.ErrInvalid, "calendars: booking: calendars[1]"},
		{"services", func(o *frontdoor.Organisation) { o.Services[1].Duration = 0 }, booking.ErrInvalid, "services[1]: booking: invalid input: duration: service flu-vaccination"},
		{"rosters", func(o *frontdoor.Organisation) { o.Rosters[0].Shifts[0].To = civil.At(7, 0) }, callback.ErrInvalidRequest, "rosters[0]:"},
		{"guidance", func(o *frontdoor.Organisation) { o.Guidance.Version = 99 }, guidance.ErrFormat, "guidance: version"},
		{"escalations", func(o *frontdoor.Organisation) { o.Escalations = []channel.Escalation{{From: channel.Chat, To: "fax"}} },
			channel.ErrInvalidGraph, "escalations: channel: invalid escalation graph: edges[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := organisation()
			tc.edit(&o)
			err := o.Check()
			require.ErrorIs(t, err, frontdoor.ErrConfig)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			require.ErrorIs(t, err, tc.err)
			require.Contains(t, err.Error(), tc.msg)
		})
	}
}

// Check reports every problem at once, not the first only.
func TestOrganisationCheckJoinsProblems(t *testing.T) {
	o := organisation()
	o.Calendars[0].Team = "kallio-c"
	o.Rosters[1].Team = "vallila-x"
	o.Services[1].SelfBookGroups = []string{"adult"}
	require.Equal(t, []string{"calendars[0].team", "rosters[1].team", "guidance.booking[0].services[0]"}, fields(t, o.Check()))
}

// One configuration: a Door named from an Organisation takes its
// directory, capacity, matrix and graph from it, and refuses a bad one or a
// second source.
func TestDoorFromOrganisation(t *testing.T) {
	ctx := context.Background()
	db := memory.New()
	stores := frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
		Demand: db.DemandStore(), Audit: db.AuditLog()}
	org := organisation()
	d, err := frontdoor.New(ctx, frontdoor.Config{Clock: clock.NewMock(), Organisation: &org, Stores: stores})
	require.NoError(t, err)
	_, ok := d.Parts().Dispatcher.Professional(org.Routing.Professionals[0].ID)
	require.True(t, ok, "the organisation's professionals are routing's")

	dir, err := routing.NewDirectory(org.Routing)
	require.NoError(t, err)
	_, err = frontdoor.New(ctx, frontdoor.Config{Clock: clock.NewMock(), Organisation: &org, Directory: dir, Stores: stores})
	require.ErrorIs(t, err, frontdoor.ErrConfig)
	var fe *carecontact.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "organisation", fe.Field)

	bad := organisation()
	bad.Rosters = append(bad.Rosters, frontdoor.Roster{Team: "nowhere"})
	_, err = frontdoor.New(ctx, frontdoor.Config{Clock: clock.NewMock(), Organisation: &bad, Stores: stores})
	require.ErrorIs(t, err, frontdoor.ErrConfig)
	require.Contains(t, fields(t, err), fmt.Sprintf("rosters[%d].team", len(bad.Rosters)-1))
}
