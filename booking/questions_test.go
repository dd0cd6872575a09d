package booking_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

func ptr(v float64) *float64 { return &v }

// serviceFixture is the fixture's calendars with a north catalogue of the
// given services.
func serviceFixture(t testing.TB, svcs ...booking.Service) *fixture {
	t.Helper()
	set, err := booking.NewCalendarSet(fixtureCalendars(t))
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.Date{Year: 2026, Month: time.December, Day: 7}, 21)
	require.NoError(t, err)
	cat, err := booking.NewCatalogue("north", svcs)
	require.NoError(t, err)
	f := &fixture{store: memory.NewBookingStore(nil), now: helsinki(t, 2026, time.December, 7, 7, 0)}
	f.b, err = booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: f.store, Audit: f.store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return f.now }), Staff: fixtureStaff})
	require.NoError(t, err)
	return f
}

func vaccination() booking.Service {
	return booking.Service{Code: "flu-shot", Area: "north", Names: civil.Names{FI: "Influenssarokotus"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"},
		PreQuestions: []booking.Question{
			{ID: "fever", Text: civil.Names{FI: "Onko sinulla kuumetta?"}, Kind: booking.QuestionYesNo, Required: true, CallOn: []string{booking.AnswerYes}},
			{ID: "arm", Text: civil.Names{FI: "Kumpaan käsivarteen?"}, Kind: booking.QuestionChoice,
				Options: []booking.Option{{Value: "left", Text: civil.Names{FI: "Vasen"}}, {Value: "right", Text: civil.Names{FI: "Oikea"}}, {Value: "allergy", Text: civil.Names{FI: "Olen allerginen"}}},
				CallOn:  []string{"allergy"}},
			{ID: "temp", Text: civil.Names{FI: "Lämpö?"}, Kind: booking.QuestionNumber, Min: ptr(34), Max: ptr(43), CallAbove: ptr(38)},
			{ID: "note", Text: civil.Names{FI: "Lisätietoja"}, MaxLength: 10},
		}}
}

func TestPreQuestionAnswers(t *testing.T) {
	ctx := context.Background()
	ok := []booking.Answer{{QuestionID: "fever", Text: "no"}}
	cases := []struct {
		name    string
		answers []booking.Answer
		by      booking.Requester
		field   string // a *carecontact.FieldError naming this field
		call    string // a *booking.CallError naming this question
	}{
		{name: "all fine", answers: append(ok, booking.Answer{QuestionID: "arm", Text: "left"}, booking.Answer{QuestionID: "temp", Text: "37,2"}, booking.Answer{QuestionID: "note", Text: "äöåäöåäöåä"})},
		{name: "required missing", answers: []booking.Answer{{QuestionID: "arm", Text: "left"}}, field: "answers.fever"},
		{name: "required missing, professional", answers: nil, by: pro},
		{name: "yes/no other", answers: []booking.Answer{{QuestionID: "fever", Text: "maybe"}}, field: "answers.fever"},
		{name: "not an option", answers: append(ok, booking.Answer{QuestionID: "arm", Text: "leg"}), field: "answers.arm"},
		{name: "not a number", answers: append(ok, booking.Answer{QuestionID: "temp", Text: "warm"}), field: "answers.temp"},
		{name: "below min", answers: append(ok, booking.Answer{QuestionID: "temp", Text: "20"}), field: "answers.temp"},
		{name: "above max", answers: append(ok, booking.Answer{QuestionID: "temp", Text: "45"}), field: "answers.temp"},
		{name: "NaN", answers: append(ok, booking.Answer{QuestionID: "temp", Text: "NaN"}), field: "answers.temp"},
		{name: "text too long", answers: append(ok, booking.Answer{QuestionID: "note", Text: "12345678901"}), field: "answers.note"},
		{name: "answered twice", answers: append(ok, booking.Answer{QuestionID: "fever", Text: "no"}), field: "answers.fever"},
		{name: "unknown question", answers: append(ok, booking.Answer{QuestionID: "x", Text: "no"}), field: "answers[1].questionId"},
		{name: "fever: call", answers: []booking.Answer{{QuestionID: "fever", Text: "yes"}}, call: "fever"},
		{name: "allergy: call", answers: append(ok, booking.Answer{QuestionID: "arm", Text: "allergy"}), call: "arm"},
		{name: "high temperature: call", answers: append(ok, booking.Answer{QuestionID: "temp", Text: "39.1"}), call: "temp"},
		{name: "a professional books despite the call answer", answers: []booking.Answer{{QuestionID: "fever", Text: "yes"}}, by: pro},
		{name: "a professional's bad answer is still bad", answers: []booking.Answer{{QuestionID: "temp", Text: "99"}}, by: pro, field: "answers.temp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := serviceFixture(t, vaccination())
			by := tc.by
			if by.Actor.ID == "" {
				by = client("c1")
			}
			slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "flu-shot", By: by, Limit: 1})
			require.NoError(t, err)
			require.Len(t, slots, 1)
			a, err := f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "c1", By: by, Answers: tc.answers})
			switch {
			case tc.field != "":
				var fe *carecontact.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, tc.field, fe.Field)
				require.ErrorIs(t, err, booking.ErrInvalid)
				require.ErrorIs(t, err, carecontact.ErrInvalid)
			case tc.call != "":
				var ce *booking.CallError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, tc.call, ce.Question)
				require.Contains(t, err.Error(), "call")
				require.Contains(t, err.Error(), tc.call)
				require.ErrorIs(t, err, booking.ErrCallInstead)
				require.ErrorIs(t, err, carecontact.ErrNotAllowed)
				require.Equal(t, 403, carecontact.HTTPStatus(err))
				for _, ans := range tc.answers {
					require.NotContains(t, err.Error(), ans.Text)
				}
				evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.book"})
				require.NoError(t, err)
				require.Len(t, evs, 1)
				require.Equal(t, audit.Denied, evs[0].Outcome)
				require.Equal(t, booking.ErrCallInstead.Error(), evs[0].Detail["reason"])
			default:
				require.NoError(t, err)
				require.Equal(t, tc.answers, a.Answers)
			}
		})
	}
}

func TestPreQuestionDefinitions(t *testing.T) {
	cases := []struct {
		name string
		q    booking.Question
		ok   bool
	}{
		{name: "text default", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}}, ok: true},
		{name: "unknown kind", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Kind: "date"}},
		{name: "choice with one option", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Kind: booking.QuestionChoice, Options: []booking.Option{{Value: "v", Text: civil.Names{FI: "v"}}}}},
		{name: "choice with a repeated value", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Kind: booking.QuestionChoice,
			Options: []booking.Option{{Value: "v", Text: civil.Names{FI: "v"}}, {Value: "v", Text: civil.Names{FI: "w"}}}}},
		{name: "choice calls on a non-option", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Kind: booking.QuestionChoice,
			Options: []booking.Option{{Value: "v", Text: civil.Names{FI: "v"}}, {Value: "w", Text: civil.Names{FI: "w"}}}, CallOn: []string{"z"}}},
		{name: "yes/no calls on maybe", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Kind: booking.QuestionYesNo, CallOn: []string{"maybe"}}},
		{name: "number min above max", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Kind: booking.QuestionNumber, Min: ptr(5), Max: ptr(1)}},
		{name: "number bounds", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Kind: booking.QuestionNumber, Min: ptr(1), Max: ptr(5), CallBelow: ptr(2)}, ok: true},
		{name: "bounds on a text", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, Max: ptr(5)}},
		{name: "text calls", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, CallOn: []string{"x"}}},
		{name: "negative length", q: booking.Question{ID: "a", Text: civil.Names{FI: "x"}, MaxLength: -1}},
		{name: "no Finnish text", q: booking.Question{ID: "a", Kind: booking.QuestionYesNo}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := vaccination()
			s.PreQuestions = []booking.Question{tc.q}
			err := s.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, booking.ErrInvalid)
			require.False(t, errors.Is(err, booking.ErrNotAllowed))
		})
	}
}
