package main

import (
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
)

// kallio is the Kallio health station, named once: one area, a nurses'
// team and a doctors' team, video piloted by nurse Aino and the doctors,
// the nurses' callback roster, a self-service blood-pressure check in
// Aino's calendar, and the guidance content professionals maintain.
func kallio(content *guidance.Content) frontdoor.Organisation {
	pro := func(id carecontact.ProfessionalID, role routing.Role, team carecontact.TeamID) routing.Professional {
		return routing.Professional{ID: id, Role: role, Teams: []carecontact.TeamID{team},
			Languages: []civil.Language{civil.Finnish, civil.Swedish}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}
	}
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	return frontdoor.Organisation{
		Routing: routing.Config{
			Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", NameSv: "Berghäll", PostalCodes: []routing.PostalCode{"00530", "00500"},
				Hours: routing.Weekdays(civil.At(8, 0), civil.At(16, 0))}},
			Teams: []routing.Team{{ID: "kallio-nurses", NameFi: "Kallion hoitajat", Area: "kallio"},
				{ID: "kallio-doctors", NameFi: "Kallion lääkärit", Area: "kallio"}},
			Professionals: []routing.Professional{pro("aino", routing.RoleNurse, "kallio-nurses"),
				pro("bertil", routing.RoleNurse, "kallio-nurses"), pro("dora", routing.RoleDoctor, "kallio-doctors")},
			Policies: []routing.Policy{routing.StandardPolicy("")},
			Pilots: []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-doctors"},
				Professionals: []carecontact.ProfessionalID{"aino"}}},
		},
		ClientGroups: []string{"adult"},
		Calendars: []booking.Calendar{{ID: booking.ProfessionalCalendar("aino"), Kind: booking.OwnerProfessional,
			Area: "kallio", Team: "kallio-nurses", Role: "nurse", Rules: []booking.WeeklyRule{{Weekdays: weekdays,
				Span: civil.Span{From: civil.At(14, 0), To: civil.At(15, 0)}, Block: booking.BlockSelfService}}}},
		Services: []booking.Service{{Code: "bp-check", Area: "kallio", Duration: 20 * time.Minute, Step: 30 * time.Minute,
			Names:   civil.Names{FI: "Verenpaineen seuranta", SV: "Blodtryckskontroll"},
			Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
			SelfBookGroups: []string{"adult"}}},
		Rosters: []frontdoor.Roster{{Team: "kallio-nurses", Shifts: []callback.Shift{
			{Professional: "aino", From: civil.At(8, 0), To: civil.At(16, 0)},
			{Professional: "bertil", From: civil.At(8, 0), To: civil.At(16, 0)}}}},
		Guidance: content,
	}
}
