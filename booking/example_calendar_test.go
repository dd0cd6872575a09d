package booking_test

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

func ExampleCalendar_Intervals() {
	span := func(s string) civil.Span {
		sp, err := civil.ParseSpan(s)
		if err != nil {
			fmt.Println(err)
		}
		return sp
	}
	cal := booking.Calendar{
		ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Team: "team-a", Role: "nurse",
		Rules: []booking.WeeklyRule{
			{Weekdays: []time.Weekday{time.Monday, time.Friday}, Span: span("08:00-10:00"), Block: booking.BlockCallback},
			{Weekdays: []time.Weekday{time.Monday, time.Friday}, Span: span("08:00-16:00"),
				Breaks: []civil.Span{span("11:00-11:30")}, Block: booking.BlockSelfService},
		},
	}
	loc := civil.Helsinki()
	for _, day := range []civil.Date{{Year: 2026, Month: time.June, Day: 15}, {Year: 2026, Month: time.June, Day: 19}} {
		for _, bt := range []booking.BlockType{booking.BlockCallback, booking.BlockSelfService} {
			ivs, err := cal.Intervals(day, bt)
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("%s %s %s:", day, day.Weekday(), bt)
			for _, iv := range ivs {
				fmt.Printf(" %s-%s", iv.Start.In(loc).Format("15:04"), iv.End.In(loc).Format("15:04"))
			}
			fmt.Println()
		}
	}
	// Output:
	// 2026-06-15 Monday callback: 08:00-10:00
	// 2026-06-15 Monday self_service: 10:00-11:00 11:30-16:00
	// 2026-06-19 Friday callback:
	// 2026-06-19 Friday self_service:
}

func ExampleFinnishHolidays() {
	hs, _ := civil.FinnishHolidays(2027)
	for _, h := range hs {
		if h.Date.Month == time.June || h.Date.Month == time.November {
			fmt.Println(h.Date, h.Kind, h.Names.FI, "/", h.Names.SV, "/", h.Names.EN)
		}
	}
	// Output:
	// 2027-06-25 eve Juhannusaatto / Midsommarafton / Midsummer Eve
	// 2027-06-26 public_holiday Juhannuspäivä / Midsommardagen / Midsummer Day
	// 2027-11-06 public_holiday Pyhäinpäivä / Alla helgons dag / All Saints' Day
}
