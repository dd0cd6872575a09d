package booking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

// TestCancelCoded cancels with a coded reason, beside the text or instead
// of it: the appointment keeps the codes and the text as given, the store
// reads them back, and the audit detail has the codes without their
// display texts. Bad codes are refused naming the element.
func TestCancelCoded(t *testing.T) {
	ctx := context.Background()
	ill := booking.ReasonCode{System: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", Code: "pat-crs", Display: "Patient: Canceled via automated reminder system"}
	many := make([]booking.ReasonCode, booking.MaxReasonCodes+1)
	for i := range many {
		many[i] = booking.ReasonCode{Code: "x"}
	}
	tests := []struct {
		name   string
		reason string
		codes  []booking.ReasonCode
		field  string // the field of the refusal; "" for none
	}{
		{"codes only", "", []booking.ReasonCode{ill}, ""},
		{"codes and text", "the client is ill", []booking.ReasonCode{ill, {Code: "local-7"}}, ""},
		{"text only", "the client is ill", nil, ""},
		{"neither", "", nil, "reason"},
		{"a code without code", "", []booking.ReasonCode{{System: ill.System, Display: "ill"}}, "codes[0].code"},
		{"a display with a control character", "", []booking.ReasonCode{ill, {Code: "x", Display: "a\x00b"}}, "codes[1].display"},
		{"too many codes", "", many, "codes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			a := book(t, f, findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0)), "c1")
			res, err := f.b.IfVersion(a.Version).CancelCoded(ctx, a.ID, tt.reason, tt.codes, client("c1"))
			if tt.field != "" {
				var fe *carecontact.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, tt.field, fe.Field)
				require.ErrorIs(t, err, booking.ErrInvalid)
				stored, err := f.store.Appointment(ctx, a.ID)
				require.NoError(t, err)
				require.Equal(t, booking.StatusBooked, stored.Status, "nothing changed")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.reason, res.Cancelled.CancelReason)
			require.Equal(t, tt.codes, res.Cancelled.CancelCodes)
			stored, err := f.store.Appointment(ctx, a.ID)
			require.NoError(t, err)
			require.Equal(t, booking.StatusCancelled, stored.Status)
			require.Equal(t, tt.codes, stored.CancelCodes)
			evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.cancel"})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			if len(tt.codes) > 0 {
				require.Contains(t, evs[0].Detail["codes"], ill.System+"|"+ill.Code)
			}
			for _, v := range evs[0].Detail {
				require.False(t, strings.Contains(v, ill.Display), "no display text in the audit")
			}
		})
	}
}
