package civil_test

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact/civil"
)

func ExampleFinnishHolidays() {
	hs, err := civil.FinnishHolidays(2026)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range hs[len(hs)-3:] {
		fmt.Println(h.Date, h.Kind, h.Names.In(civil.Swedish))
	}
	// Output:
	// 2026-12-24 eve Julafton
	// 2026-12-25 public_holiday Juldagen
	// 2026-12-26 public_holiday Annandag jul
}

func ExampleNextWorkday() {
	d, err := civil.NextWorkday(civil.FinnishWorkdays(), civil.Date{Year: 2026, Month: time.December, Day: 23})
	fmt.Println(d, d.Weekday(), err)
	// Output: 2026-12-28 Monday <nil>
}

func ExampleDate_At() {
	// 08:00 in Helsinki is 06:00 UTC in winter and 05:00 UTC after the
	// spring-forward change on the last Sunday of March.
	for _, s := range []string{"2026-03-28", "2026-03-29"} {
		d, _ := civil.ParseDate(s)
		fmt.Println(d.At(civil.At(8, 0), civil.Helsinki()).Format(time.RFC3339))
	}
	// Output:
	// 2026-03-28T06:00:00Z
	// 2026-03-29T05:00:00Z
}

func ExampleParseLanguage() {
	for _, tag := range []string{"sv-FI", "en-GB", "de", "!"} {
		l, err := civil.ParseLanguage(tag)
		fmt.Printf("%s -> %q %v\n", tag, l, err)
	}
	// Output:
	// sv-FI -> "sv" <nil>
	// en-GB -> "en" <nil>
	// de -> "fi" <nil>
	// ! -> "" civil: invalid input: language: "!" is not a BCP 47 tag
}
