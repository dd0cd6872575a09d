package frontdoor_test

import (
	"errors"
	"fmt"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
)

// An organisation names each area, team and professional once, in
// routing; a calendar or a roster that names another is refused, and the
// error says which item is at fault.
func ExampleOrganisation_Check() {
	o := frontdoor.Organisation{
		Routing: routing.Config{
			Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
			Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallion tiimi A", Area: "kallio"}},
			Professionals: []routing.Professional{{ID: "n-aino", Role: routing.RoleNurse,
				Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"}}},
			Policies: []routing.Policy{routing.StandardPolicy("")},
		},
		Calendars: []booking.Calendar{
			{ID: "n-aino", Kind: booking.OwnerProfessional, Area: "kallio", Team: "kallio-a", Role: "nurse"},
			{ID: "n-aino-b", Kind: booking.OwnerProfessional, Area: "kallio", Team: "kallio-b", Role: "nurse"},
		},
		Rosters: []frontdoor.Roster{{Team: "kallio-a", Shifts: []callback.Shift{
			{Professional: "n-eero", From: civil.At(8, 0), To: civil.At(10, 0)}}}},
	}
	err := o.Check()
	fmt.Println(err)
	fmt.Println(errors.Is(err, frontdoor.ErrConfig), errors.Is(err, carecontact.ErrInvalid))
	// Output:
	// frontdoor: invalid config: calendars[1].team: "kallio-b" is not a routing team
	// frontdoor: invalid config: calendars[1].id: "n-aino-b" is not a routing professional
	// frontdoor: invalid config: rosters[0].shifts[0].professional: "n-eero" is not a routing professional
	// true true
}
