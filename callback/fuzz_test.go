package callback_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// FuzzPhoneValidate: Phone.Validate on any text. It accepts exactly an
// optional "+" and 5 to 15 digits with separators, at most 32 bytes; a
// refusal is an ErrInvalidRequest *carecontact.FieldError naming "phone"
// whose text never repeats the input; and whatever the phone, its JSON and
// every formatting are "<redacted>".
func FuzzPhoneValidate(f *testing.F) {
	for _, s := range []string{"+358401234567", "040 123 4567", "(09) 310 12345", "12345", "1234", "++1", "040\x00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := callback.Phone(s)
		err := p.Validate()
		digits, other := 0, false
		for _, r := range strings.TrimPrefix(s, "+") {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune(" -./()", r):
			default:
				other = true
			}
		}
		want := !other && digits >= 5 && digits <= 15 && len(s) <= 32
		if (err == nil) != want {
			t.Fatalf("Validate(%q) = %v, want accepted %v", s, err, want)
		}
		if err != nil {
			var fe *carecontact.FieldError
			if !errors.As(err, &fe) || fe.Field != "phone" || !errors.Is(err, callback.ErrInvalidRequest) {
				t.Fatalf("Validate(%q): not a field error naming phone: %v", s, err)
			}
			if len(s) >= 5 && strings.Contains(err.Error(), s) {
				t.Fatalf("the error repeats the input: %v", err)
			}
		}
		b, err := json.Marshal(p)
		var back string
		if err != nil || json.Unmarshal(b, &back) != nil || back != "<redacted>" {
			t.Fatalf("JSON of a phone: %s, %v", b, err)
		}
		if got := fmt.Sprintf("%v %s %q %#v %+v", p, p, p, p, p); strings.Count(got, "<redacted>") != 5 {
			t.Fatalf("a formatting shows the number: %s", got)
		}
	})
}
