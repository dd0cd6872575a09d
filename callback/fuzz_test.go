package callback_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// FuzzRequest feeds arbitrary outside input to Request: it never panics,
// errors never echo the phone number, and an accepted request has a window
// inside the capacity or is explicitly unplaced.
func FuzzRequest(f *testing.F) {
	f.Add("client-1", "+358401234567", "lab_results", 0, "00100", "fi", int64(9*3600))
	f.Add("", "", "", 7, "", "", int64(-1))
	f.Add("c", "0401234567", "other", 1, "99999", "sv", int64(15*3600))
	f.Fuzz(func(t *testing.T, client, phone, errand string, urgency int, postal, lang string, secs int64) {
		capa := callback.NewStaticCapacity(nil)
		if err := capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(10, 0))...); err != nil {
			t.Fatal(err)
		}
		svc, _ := newPlanner(t, callback.Config{}, capa)
		now := at(2026, 11, 24, 0, 0).Add(time.Duration(secs%(48*3600)) * time.Second)
		r := callback.Request{Client: carecontact.ClientRef(client), Phone: callback.Phone(phone), Errand: channel.Errand(errand),
			Urgency: callback.Urgency(urgency), PostalCode: postal, Language: civil.Language(lang)}
		p, err := on(svc, now).Request(context.Background(), r)
		if err != nil {
			if len(phone) > 6 && strings.Contains(err.Error(), phone) {
				t.Fatalf("error echoes the phone number: %v", err)
			}
			return
		}
		if !p.Unplaced && (p.Window.IsZero() || !p.Window.End.After(p.Window.Start)) {
			t.Fatalf("bad window %+v", p)
		}
	})
}
