package frontdoor_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
)

// at is a local Helsinki time.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, civil.Helsinki())
}

// req is a callback request from the Kallio postal code.
func req(client string, urgency callback.Urgency) callback.Request {
	return callback.Request{Client: carecontact.ClientRef(client), Phone: "+358401234567",
		Errand: channel.ErrandLabResults, Urgency: urgency, PostalCode: "00530", Language: "fi"}
}

// localDate is t's Helsinki date as "2006-01-02".
func localDate(t time.Time) string { return t.In(civil.Helsinki()).Format(time.DateOnly) }

// count counts the events of kind k.
func count(evs []callback.Event, k callback.EventKind) int {
	return len(slices.DeleteFunc(slices.Clone(evs), func(e callback.Event) bool { return e.Kind != k }))
}

// kallioNurses is the Kallio organisation of the door and client tests:
// nurses aino and bertil of team kallio-a, who take calls and chats, both
// on callback duty 8-16.
func kallioNurses(t testing.TB) (*routing.Directory, *callback.StaticCapacity) {
	t.Helper()
	nurse := func(id string) routing.Professional {
		return routing.Professional{ID: carecontact.ProfessionalID(id), Role: routing.RoleNurse,
			Languages: []civil.Language{"fi", "sv"}, Teams: []carecontact.TeamID{"kallio-a"},
			Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas:         []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
		Teams:         []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"}},
		Professionals: []routing.Professional{nurse("aino"), nurse("bertil")},
		Policies:      []routing.Policy{routing.StandardPolicy("")},
	})
	require.NoError(t, err)
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("kallio-a",
		callback.Shift{Professional: "aino", From: civil.At(8, 0), To: civil.At(16, 0)},
		callback.Shift{Professional: "bertil", From: civil.At(8, 0), To: civil.At(16, 0)}))
	return dir, capa
}
