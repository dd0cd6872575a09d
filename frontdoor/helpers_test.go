package frontdoor_test

import (
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
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
