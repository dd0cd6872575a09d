package booking

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// OwnerKind says whose calendar it is.
type OwnerKind string

// The calendar owner kinds.
const (
	OwnerProfessional OwnerKind = "professional"
	OwnerTeam         OwnerKind = "team"
	OwnerResource     OwnerKind = "resource"
)

// CalendarID identifies a calendar by its owner: a professional's calendar
// has the professional's ID, a team's calendar the team's ID and a
// resource's calendar the resource's own ID (a room or a device in the
// host's directory). ProfessionalCalendar and TeamCalendar name the
// calendar of a carecontact.ProfessionalID or TeamID, Calendar.Professional
// and OwnerIntervals.Professional give the professional back; claims,
// slots and appointments name their participants by CalendarID.
type CalendarID string

// ProfessionalCalendar returns the ID of professional p's calendar.
func ProfessionalCalendar(p carecontact.ProfessionalID) CalendarID { return CalendarID(p) }

// TeamCalendar returns the ID of team t's own calendar.
func TeamCalendar(t carecontact.TeamID) CalendarID { return CalendarID(t) }

// professional returns the professional that owns a calendar of kind k
// with ID id; ok is false for a team's or a resource's calendar.
func professional(id CalendarID, k OwnerKind) (p carecontact.ProfessionalID, ok bool) {
	if k != OwnerProfessional {
		return "", false
	}
	return carecontact.ProfessionalID(id), true
}

// BlockType says what a stretch of working time is for.
type BlockType string

// The block types.
const (
	// BlockSelfService time may be booked by clients themselves (and by
	// professionals).
	BlockSelfService BlockType = "self_service"
	// BlockProfessionalOnly time may be booked by professionals only.
	BlockProfessionalOnly BlockType = "professional_only"
	// BlockCallback time is reserved for same-day callbacks; it is never
	// offered as appointment slots. See Calendar.Intervals.
	BlockCallback BlockType = "callback"
	// BlockAcuteReserve time is kept for acute needs: professionals may book
	// it on the same day only.
	BlockAcuteReserve BlockType = "acute_reserve"
)

// BlockTypes lists every block type in a fixed order.
func BlockTypes() []BlockType {
	return []BlockType{BlockSelfService, BlockProfessionalOnly, BlockCallback, BlockAcuteReserve}
}

// Valid reports whether b is a known block type.
func (b BlockType) Valid() bool { return slices.Contains(BlockTypes(), b) }

// WeeklyRule is a recurring stretch of working time: on each of Weekdays,
// Span minus Breaks is working time of type Block, on days between
// ValidFrom and ValidUntil (both inclusive; zero means unbounded).
//
// A rota that repeats over two or three weeks is a rule per week of the
// cycle, each with EveryWeeks set to the cycle's length and Anchor a day
// of the week in which it applies. An overnight shift is a rule whose Span
// ends at 24:00 with NextDay, the time the shift ends on the next morning;
// the rule's day is the day the shift starts.
type WeeklyRule struct {
	Weekdays   []time.Weekday `json:"weekdays"`
	Span       civil.Span     `json:"span"`
	Breaks     []civil.Span   `json:"breaks,omitempty"`
	Block      BlockType      `json:"block"`
	ValidFrom  civil.Date     `json:"validFrom"`
	ValidUntil civil.Date     `json:"validUntil"`
	// EveryWeeks makes the rule apply every EveryWeeks weeks only (a
	// rota of 2 or 3 weeks), in the weeks (Monday to Sunday) whose
	// distance from Anchor's week is a multiple of EveryWeeks. Defaults
	// to 0, which like 1 is every week.
	EveryWeeks int `json:"everyWeeks,omitempty"`
	// Anchor is a day of a week in which the rule applies; required when
	// EveryWeeks > 1.
	Anchor civil.Date `json:"anchor,omitzero"`
	// NextDay, when not zero, continues an overnight Span (one that ends
	// at 24:00) on the next day from 00:00 until NextDay. The next day's
	// part is working time even on days the rule does not apply to, but
	// absences, holidays and closures of that day remove it as usual.
	NextDay civil.TimeOfDay `json:"nextDay,omitempty"`
}

// appliesOn reports whether the rule's Span is working time on day d.
func (r *WeeklyRule) appliesOn(d civil.Date) bool {
	if !r.ValidFrom.IsZero() && d.Before(r.ValidFrom) {
		return false
	}
	if !r.ValidUntil.IsZero() && r.ValidUntil.Before(d) {
		return false
	}
	if r.EveryWeeks > 1 {
		weeks := floorDiv(mondayOf(r.Anchor).DaysUntil(mondayOf(d)), 7)
		if weeks%r.EveryWeeks != 0 {
			return false
		}
	}
	return slices.Contains(r.Weekdays, d.Weekday())
}

// mondayOf returns the Monday of d's week.
func mondayOf(d civil.Date) civil.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// ExceptionKind tells extra working time from an absence.
type ExceptionKind string

// The exception kinds.
const (
	// ExtraTime adds working time on one date (an extra day or evening).
	ExtraTime ExceptionKind = "extra"
	// Absence removes working time on one date (leave, training, sickness).
	Absence ExceptionKind = "absence"
)

// Exception changes one date of a calendar, or every date from Date to
// Until (two weeks of leave are one exception). An Absence without a Span
// removes the whole day; ExtraTime needs a Span and a Block. Span, when
// set, applies on each day of the range.
type Exception struct {
	Date civil.Date `json:"date"`
	// Until is the last day of the range, inclusive. Defaults to zero:
	// Date only.
	Until civil.Date    `json:"until,omitzero"`
	Kind  ExceptionKind `json:"kind"`
	Span  *civil.Span   `json:"span,omitempty"`
	Block BlockType     `json:"block,omitempty"`
}

// covers reports whether the exception applies on day d.
func (e *Exception) covers(d civil.Date) bool {
	if e.Until.IsZero() {
		return e.Date == d
	}
	return !d.Before(e.Date) && !e.Until.Before(d)
}

// Days returns the exception's range of days.
func (e Exception) Days() civil.DateRange {
	if e.Until.IsZero() {
		return civil.DateRange{From: e.Date, To: e.Date}
	}
	return civil.DateRange{From: e.Date, To: e.Until}
}

// Calendar is the working time of one professional, team or resource
// (room, device). Rules are applied in order: where two rules, or extra
// time and a rule, cover the same minutes, the extra time and then the
// earlier rule win, so no minute has two block types. A Calendar must not
// be changed once given to a CalendarSet.
type Calendar struct {
	// ID is the owner's ID (see CalendarID).
	ID   CalendarID `json:"id"`
	Kind OwnerKind  `json:"kind"`
	// Area is the service area the calendar belongs to.
	Area carecontact.AreaID `json:"area"`
	// Team is the team a professional belongs to, if any.
	Team carecontact.TeamID `json:"team,omitempty"`
	// Role is a professional's role ("nurse", "doctor") or a resource's
	// type ("room", "ecg").
	Role   string   `json:"role,omitempty"`
	Skills []string `json:"skills,omitempty"`

	Rules      []WeeklyRule `json:"rules"`
	Exceptions []Exception  `json:"exceptions,omitempty"`
	// Closures are the area's closures; nil means Finnish public holidays
	// and eves only.
	Closures *Closures `json:"closures,omitempty"`
	// OpenOnHolidays keeps the calendar's working time on holidays, eves
	// and local closures (e.g. an on-call service).
	OpenOnHolidays bool `json:"openOnHolidays,omitempty"`
}

// Professional returns the professional whose calendar c is; ok is false
// for a team's or a resource's calendar.
func (c *Calendar) Professional() (p carecontact.ProfessionalID, ok bool) {
	return professional(c.ID, c.Kind)
}

// Validate reports the first problem of c, naming the field.
func (c *Calendar) Validate() error {
	if c.ID == "" {
		return carecontact.Invalid(ErrInvalid, "calendar.id", "is empty")
	}
	switch c.Kind {
	case OwnerProfessional, OwnerTeam, OwnerResource:
	default:
		return carecontact.Invalid(ErrInvalid, "kind", fmt.Sprintf("calendar %s: %q is not professional, team or resource", c.ID, c.Kind))
	}
	if c.Area == "" {
		return carecontact.Invalid(ErrInvalid, "area", fmt.Sprintf("calendar %s: is empty", c.ID))
	}
	for i, r := range c.Rules {
		f, cal := fmt.Sprintf("rules[%d]", i), "calendar "+string(c.ID)
		if len(r.Weekdays) == 0 {
			return carecontact.Invalid(ErrInvalid, f+".weekdays", cal+": is empty")
		}
		for _, w := range r.Weekdays {
			if w < time.Sunday || w > time.Saturday {
				return carecontact.Invalid(ErrInvalid, f+".weekdays", fmt.Sprintf("%s: %d is not a weekday", cal, w))
			}
		}
		if err := validSpan(r.Span, f+".span", cal); err != nil {
			return err
		}
		for j, b := range r.Breaks {
			if err := validSpan(b, fmt.Sprintf("%s.breaks[%d]", f, j), cal); err != nil {
				return err
			}
		}
		if !r.Block.Valid() {
			return carecontact.Invalid(ErrInvalid, f+".block", fmt.Sprintf("%s: %q is not a block type", cal, r.Block))
		}
		switch {
		case r.EveryWeeks < 0:
			return carecontact.Invalid(ErrInvalid, f+".everyWeeks", fmt.Sprintf("%s: %d is negative", cal, r.EveryWeeks))
		case r.EveryWeeks > 1 && !r.Anchor.Valid():
			return carecontact.Invalid(ErrInvalid, f+".anchor", fmt.Sprintf("%s: is required for a rota of %d weeks", cal, r.EveryWeeks))
		case r.EveryWeeks <= 1 && !r.Anchor.IsZero():
			return carecontact.Invalid(ErrInvalid, f+".anchor", cal+": is for a rota of several weeks")
		case r.NextDay != 0 && (r.Span.To != civil.EndOfDay || !r.NextDay.Valid() || r.NextDay >= civil.EndOfDay):
			return carecontact.Invalid(ErrInvalid, f+".nextDay", fmt.Sprintf("%s: %s: an overnight span ends at 24:00 and continues until a time of the next day", cal, r.NextDay))
		}
		if !r.ValidFrom.IsZero() && !r.ValidFrom.Valid() {
			return carecontact.Invalid(ErrInvalid, f+".validFrom", fmt.Sprintf("%s: %s is not a day", cal, r.ValidFrom))
		}
		if !r.ValidUntil.IsZero() && (!r.ValidUntil.Valid() || (!r.ValidFrom.IsZero() && r.ValidUntil.Before(r.ValidFrom))) {
			return carecontact.Invalid(ErrInvalid, f+".validUntil", fmt.Sprintf("%s: %s is not a day on or after validFrom", cal, r.ValidUntil))
		}
	}
	for i, e := range c.Exceptions {
		f, cal := fmt.Sprintf("exceptions[%d]", i), "calendar "+string(c.ID)
		if !e.Date.Valid() {
			return carecontact.Invalid(ErrInvalid, f+".date", fmt.Sprintf("%s: %s is not a day", cal, e.Date))
		}
		if !e.Until.IsZero() && (!e.Until.Valid() || e.Until.Before(e.Date)) {
			return carecontact.Invalid(ErrInvalid, f+".until", fmt.Sprintf("%s: %s: want a day on or after date", cal, e.Until))
		}
		switch e.Kind {
		case Absence:
			if e.Span != nil {
				if err := validSpan(*e.Span, f+".span", cal); err != nil {
					return err
				}
			}
		case ExtraTime:
			if e.Span == nil {
				return carecontact.Invalid(ErrInvalid, f+".span", cal+": is required for extra time")
			}
			if err := validSpan(*e.Span, f+".span", cal); err != nil {
				return err
			}
			if !e.Block.Valid() {
				return carecontact.Invalid(ErrInvalid, f+".block", fmt.Sprintf("%s: %q is not a block type", cal, e.Block))
			}
		default:
			return carecontact.Invalid(ErrInvalid, f+".kind", fmt.Sprintf("%s: %q is not extra or absence", cal, e.Kind))
		}
	}
	if c.Closures != nil {
		if err := c.Closures.Validate(); err != nil {
			return fmt.Errorf("calendar %s: closures: %w", c.ID, err)
		}
	}
	return nil
}

// Block is a stretch of working time of one type, in UTC.
type Block struct {
	Interval
	Type BlockType `json:"type"`
}

type typedSpan struct {
	civil.Span
	Type BlockType
}

// spansOn returns the working spans of day d with their types, after
// breaks, absences and closures, sorted by start.
func (c *Calendar) spansOn(d civil.Date) []typedSpan {
	var claimed []civil.Span
	var out []typedSpan
	add := func(s []civil.Span, t BlockType) {
		s = subtractSpans(s, claimed)
		for _, x := range s {
			out = append(out, typedSpan{x, t})
		}
		claimed = normalizeSpans(append(claimed, s...))
	}
	for i := range c.Exceptions {
		if e := &c.Exceptions[i]; e.Kind == ExtraTime && e.covers(d) {
			add([]civil.Span{*e.Span}, e.Block)
		}
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.appliesOn(d) {
			add(subtractSpans([]civil.Span{r.Span}, normalizeSpans(slices.Clone(r.Breaks))), r.Block)
		}
		if r.NextDay != 0 && r.appliesOn(d.AddDays(-1)) {
			add([]civil.Span{{From: 0, To: r.NextDay}}, r.Block)
		}
	}
	if len(out) == 0 {
		return nil
	}
	var off []civil.Span
	for i := range c.Exceptions {
		if e := &c.Exceptions[i]; e.Kind == Absence && e.covers(d) {
			if e.Span == nil {
				return nil
			}
			off = append(off, *e.Span)
		}
	}
	if !c.OpenOnHolidays {
		cl := c.Closures
		if cl == nil {
			cl = &Closures{}
		}
		spans, _ := cl.ClosedSpans(d)
		off = append(off, spans...)
	}
	if len(off) > 0 {
		off = normalizeSpans(off)
		var kept []typedSpan
		for _, ts := range out {
			for _, s := range subtractSpans([]civil.Span{ts.Span}, off) {
				kept = append(kept, typedSpan{s, ts.Type})
			}
		}
		out = kept
	}
	slices.SortFunc(out, func(a, b typedSpan) int { return cmp.Compare(a.From, b.From) })
	return out
}

// BlocksOn returns the working time of day d (a day of Europe/Helsinki) of
// every type, in UTC and in time order: weekly rules and extra time minus
// breaks, absences, public holidays, eves and local closures.
func (c *Calendar) BlocksOn(d civil.Date) ([]Block, error) {
	loc := civil.Helsinki()
	if !d.Valid() {
		return nil, fmt.Errorf("%w: date %s", ErrInvalid, d)
	}
	spans := c.spansOn(d)
	out := make([]Block, 0, len(spans))
	for _, s := range spans {
		iv := Interval{d.At(s.From, loc), d.At(s.To, loc)}
		if iv.Start.Before(iv.End) {
			out = append(out, Block{iv, s.Type})
		}
	}
	return out, nil
}

// Intervals returns the working intervals of block type t on day d (a day of
// Europe/Helsinki), in UTC, sorted and merged: weekly rules and extra time of
// that type minus breaks, absences, public holidays, eves and local
// closures. Callback planning uses it with BlockCallback to get a
// professional's or a team's callback capacity for a day.
func (c *Calendar) Intervals(d civil.Date, t BlockType) ([]Interval, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("%w: block type %q", ErrInvalid, t)
	}
	blocks, err := c.BlocksOn(d)
	if err != nil {
		return nil, err
	}
	var out []Interval
	for _, b := range blocks {
		if b.Type == t {
			out = append(out, b.Interval)
		}
	}
	return normalize(out), nil
}

func sortIntervals(ivs []Interval) {
	slices.SortFunc(ivs, func(a, b Interval) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.End.Compare(b.End)
	})
}

func normalizeSpans(s []civil.Span) []civil.Span {
	if len(s) < 2 {
		return s
	}
	slices.SortFunc(s, func(a, b civil.Span) int { return cmp.Compare(a.From, b.From) })
	out := s[:1]
	for _, x := range s[1:] {
		last := &out[len(out)-1]
		if x.From <= last.To {
			last.To = max(last.To, x.To)
			continue
		}
		out = append(out, x)
	}
	return out
}

// subtractSpans returns a minus b; b must be sorted and disjoint.
func subtractSpans(a, b []civil.Span) []civil.Span {
	var out []civil.Span
	for _, s := range a {
		cur := s
		for _, x := range b {
			if x.To <= cur.From || x.From >= cur.To {
				continue
			}
			if x.From > cur.From {
				out = append(out, civil.Span{From: cur.From, To: x.From})
			}
			cur.From = x.To
			if cur.From >= cur.To {
				break
			}
		}
		if cur.From < cur.To {
			out = append(out, cur)
		}
	}
	return out
}
