package booking

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// Agenda is one calendar's day: its working time and the appointments on
// it with what the clients answered.
type Agenda struct {
	Owner CalendarID `json:"owner"`
	Day   civil.Date `json:"day"`
	// Blocks are the day's working time of every type, in time order.
	Blocks []Block `json:"blocks"`
	// Items are the active appointments (booked, held, checked in) that
	// start on the day or overlap it, by start.
	Items []AgendaItem `json:"items,omitempty"`
}

// AgendaItem is one appointment of an agenda.
type AgendaItem struct {
	Appointment Appointment `json:"appointment"`
	// ServiceNames are the service's names, empty if the catalogue no
	// longer has the service.
	ServiceNames civil.Names `json:"serviceNames,omitzero"`
	// Answers are the client's answers with their questions, in the
	// service's question order (answers to questions the service no
	// longer asks last, with only their ID).
	Answers []AgendaAnswer `json:"answers,omitempty"`
}

// AgendaAnswer is a client's answer to a pre-question.
type AgendaAnswer struct {
	Question Question `json:"question"`
	// Text is the answer as given (an option's Value for a choice).
	Text string `json:"text"`
	// Choice is the chosen option's text for a choice question.
	Choice civil.Names `json:"choice,omitzero"`
}

// Agenda returns owner's day d (a day of Europe/Helsinki): the working
// blocks and the active appointments with the clients' answers to the
// pre-questions. Only the system and professionals of the calendar's area
// may read it (see Config.Staff); a client's or another area's attempt is
// refused (ErrNotAllowed) and recorded. Each appointment returned is
// recorded as read by the caller (reason "agenda").
func (b *Booker) Agenda(ctx context.Context, owner CalendarID, d civil.Date, by Requester) (Agenda, error) {
	now := b.cfg.Clock.Now().UTC()
	if !d.Valid() {
		return Agenda{}, carecontact.Invalid(ErrInvalid, "day", fmt.Sprintf("%s is not a day", d))
	}
	if err := by.Actor.Validate(); err != nil {
		return Agenda{}, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
	}
	v, err := b.view(ctx)
	if err != nil {
		return Agenda{}, err
	}
	c, ok := v.ix.set.Calendar(owner)
	if !ok {
		return Agenda{}, fmt.Errorf("booking: calendar %s: %w", owner, ErrNotFound)
	}
	subject := "calendar/" + string(owner)
	if by.self() {
		return Agenda{}, b.deny(ctx, now, by, "booking.read", subject, "", fmt.Errorf("booking: agenda: %w", ErrNotAllowed))
	}
	if err := b.actsFor(ctx, by, "", c.Area, "calendar "+string(owner)); err != nil {
		return Agenda{}, b.deny(ctx, now, by, "booking.read", subject, "", err)
	}
	blocks, err := c.BlocksOn(d)
	if err != nil {
		return Agenda{}, err
	}
	loc := civil.Helsinki()
	day := Interval{d.Start(loc), d.AddDays(1).Start(loc)}
	apps, err := b.claimedIn(ctx, []CalendarID{owner}, day, now, nil)
	if err != nil {
		return Agenda{}, fmt.Errorf("booking: agenda: %w", err)
	}
	ag := Agenda{Owner: owner, Day: d, Blocks: blocks}
	for _, a := range apps {
		if !a.Status.Active() || !a.Start.Before(day.End) || !day.Start.Before(a.End) {
			continue
		}
		ag.Items = append(ag.Items, b.agendaItem(ctx, a))
	}
	slices.SortFunc(ag.Items, func(x, y AgendaItem) int {
		if c := x.Appointment.Start.Compare(y.Appointment.Start); c != 0 {
			return c
		}
		return cmp.Compare(x.Appointment.ID, y.Appointment.ID)
	})
	for _, it := range ag.Items {
		if err := b.cfg.Audit.Record(ctx, b.event(now, by, "booking.read", it.Appointment, map[string]string{"reason": "agenda"})); err != nil {
			return Agenda{}, fmt.Errorf("booking: audit read: %w", err)
		}
	}
	return ag, nil
}

// agendaItem pairs a's answers with the service's questions.
func (b *Booker) agendaItem(ctx context.Context, a Appointment) AgendaItem {
	it := AgendaItem{Appointment: a.Clone()}
	svc, err := b.service(ctx, a.Area, a.Service)
	if err != nil {
		for _, ans := range a.Answers {
			it.Answers = append(it.Answers, AgendaAnswer{Question: Question{ID: ans.QuestionID}, Text: ans.Text})
		}
		return it
	}
	it.ServiceNames = svc.Names
	used := make([]bool, len(a.Answers))
	for _, q := range svc.PreQuestions {
		for i, ans := range a.Answers {
			if used[i] || ans.QuestionID != q.ID {
				continue
			}
			used[i] = true
			q.Options = slices.Clone(q.Options)
			aa := AgendaAnswer{Question: q, Text: ans.Text}
			if q.Kind == QuestionChoice {
				if j := slices.IndexFunc(q.Options, func(o Option) bool { return o.Value == ans.Text }); j >= 0 {
					aa.Choice = q.Options[j].Text
				}
			}
			it.Answers = append(it.Answers, aa)
		}
	}
	for i, ans := range a.Answers {
		if !used[i] {
			it.Answers = append(it.Answers, AgendaAnswer{Question: Question{ID: ans.QuestionID}, Text: ans.Text})
		}
	}
	return it
}
