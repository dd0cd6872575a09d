package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact/callback"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

// CalendarCapacity is the callback.Capacity of booking calendars: a team's
// capacity is the callback blocks (booking.BlockCallback) of its member
// professionals' calendars on the day, with the calendars' absences,
// holidays and closures already out, and the absences reported during the
// day (the embedded callback.Absences) removed as well. A team calendar's
// own callback blocks are not counted: capacity is professionals' time.
type CalendarCapacity struct {
	callback.Absences
	set *booking.CalendarSet
}

// NewCalendarCapacity returns the callback.Capacity of set.
func NewCalendarCapacity(set *booking.CalendarSet) *CalendarCapacity {
	return &CalendarCapacity{set: set}
}

// CallbackCapacity implements callback.Capacity. A team with no calendars
// has no capacity (and no error), so routing can widen past it.
func (c *CalendarCapacity) CallbackCapacity(ctx context.Context, team carecontact.TeamID, dayStart time.Time) ([]callback.Interval, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := civil.DateOf(dayStart, civil.Helsinki())
	owners, err := c.set.TeamIntervals(team, d, booking.BlockCallback)
	if errors.Is(err, booking.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("frontdoor: calendars of team %s on %s: %w", team, d, err)
	}
	var spans []callback.Span
	for _, o := range owners {
		p, ok := o.Professional()
		if !ok {
			continue
		}
		for _, iv := range o.Intervals {
			spans = append(spans, c.Subtract(team, p, callback.Span{Start: iv.Start, End: iv.End})...)
		}
	}
	return callback.Staffing(spans), nil
}
