package callback_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
)

// Bad configuration and bad shifts are refused with an error of the root
// kind ErrInvalid that names the field at fault.
func TestConfigAndShiftErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   callback.Config
		field string
	}{
		{"default handling", callback.Config{DefaultHandling: -time.Minute}, "DefaultHandling"},
		{"retry gap", callback.Config{RetryGap: -time.Minute}, "RetryGap"},
		{"low slack", callback.Config{LowSlack: -time.Minute}, "LowSlack"},
		{"overrun", callback.Config{Overrun: -time.Minute}, "Overrun"},
		{"replan every", callback.Config{ReplanEvery: -time.Minute}, "ReplanEvery"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			require.ErrorIs(t, err, callback.ErrConfig)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			require.ErrorContains(t, err, tc.field)
		})
	}

	for _, tc := range []struct {
		name  string
		shift callback.Shift
		want  string
	}{
		{"no professional", callback.Shift{From: civil.At(8, 0), To: civil.At(16, 0)}, "shifts[1]: professional is empty"},
		{"before the day", callback.Shift{Professional: "p2", From: -1, To: civil.At(16, 0)}, "shifts[1]: from is before the start of the day"},
		{"empty interval", callback.Shift{Professional: "p2", From: civil.At(16, 0), To: civil.At(8, 0)}, "shifts[1]: to must be after from"},
		{"after the day", callback.Shift{Professional: "p2", From: civil.At(8, 0), To: civil.EndOfDay + 1}, "shifts[1]: to is after the end of the day"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok := callback.Shift{Professional: "p1", From: civil.At(8, 0), To: civil.At(16, 0)}
			err := callback.NewStaticCapacity(nil).SetTeam("team-1", ok, tc.shift)
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
