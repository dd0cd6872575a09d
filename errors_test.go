package carecontact_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

func TestKindOfAndHTTPStatus(t *testing.T) {
	pkgNotFound := carecontact.Sentinel(carecontact.ErrNotFound, "pkg: unknown thing")
	pkgInvalid := carecontact.Sentinel(carecontact.ErrInvalid, "pkg: invalid input")
	for _, tc := range []struct {
		name   string
		err    error
		kind   error
		status int
	}{
		{"nil", nil, nil, http.StatusOK},
		{"no kind", errors.New("boom"), nil, http.StatusInternalServerError},
		{"invalid", carecontact.ErrInvalid, carecontact.ErrInvalid, http.StatusBadRequest},
		{"not found", carecontact.ErrNotFound, carecontact.ErrNotFound, http.StatusNotFound},
		{"conflict", carecontact.ErrConflict, carecontact.ErrConflict, http.StatusConflict},
		{"not allowed", carecontact.ErrNotAllowed, carecontact.ErrNotAllowed, http.StatusForbidden},
		{"illegal transition", carecontact.ErrIllegalTransition, carecontact.ErrIllegalTransition, http.StatusConflict},
		{"unavailable", carecontact.ErrUnavailable, carecontact.ErrUnavailable, http.StatusServiceUnavailable},
		{"package sentinel", pkgNotFound, carecontact.ErrNotFound, http.StatusNotFound},
		{"wrapped package sentinel", fmt.Errorf("pkg: get x: %w", pkgNotFound), carecontact.ErrNotFound, http.StatusNotFound},
		{"field error", carecontact.Invalid(pkgInvalid, "name", "is required"), carecontact.ErrInvalid, http.StatusBadRequest},
		{"field error without sentinel", &carecontact.FieldError{Field: "name", Reason: "is required"}, carecontact.ErrInvalid, http.StatusBadRequest},
		{"joined: first kind in Kinds order wins", errors.Join(carecontact.ErrUnavailable, pkgInvalid), carecontact.ErrInvalid, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.kind, carecontact.KindOf(tc.err))
			require.Equal(t, tc.status, carecontact.HTTPStatus(tc.err))
		})
	}
}

func TestKindsAreDistinct(t *testing.T) {
	kinds := carecontact.Kinds()
	require.Len(t, kinds, 6)
	for i, a := range kinds {
		for j, b := range kinds {
			require.Equal(t, i == j, errors.Is(a, b), "%v and %v", a, b)
		}
	}
}

func TestSentinelKeepsItsText(t *testing.T) {
	s := carecontact.Sentinel(carecontact.ErrConflict, "pkg: version conflict")
	require.EqualError(t, s, "pkg: version conflict")
	require.ErrorIs(t, s, carecontact.ErrConflict)
	require.NotErrorIs(t, s, carecontact.Sentinel(carecontact.ErrConflict, "pkg: version conflict"),
		"two sentinels of one kind stay distinct")
}

func TestFieldErrorText(t *testing.T) {
	pkgInvalid := carecontact.Sentinel(carecontact.ErrInvalid, "pkg: invalid input")
	require.EqualError(t, carecontact.Invalid(pkgInvalid, "slots[2].start", "must be before end"), "pkg: invalid input: slots[2].start: must be before end")
	require.EqualError(t, &carecontact.FieldError{Field: "x", Reason: "is required"}, "invalid input: x: is required")
}

// civil's errors have the root kind ErrInvalid, so a host answers a bad
// date, time of day, span, range or language in a request with 400, not
// 500.
func TestCivilErrorsAreInvalidInput(t *testing.T) {
	var body struct {
		Day   civil.Date      `json:"day"`
		At    civil.TimeOfDay `json:"at"`
		Span  civil.Span      `json:"span"`
		Range civil.DateRange `json:"range"`
		Lang  civil.Language  `json:"lang"`
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"sentinel", civil.ErrInvalid},
		{"json date", json.Unmarshal([]byte(`{"day":"2026-02-30"}`), &body)},
		{"json time of day", json.Unmarshal([]byte(`{"at":"25:00"}`), &body)},
		{"json span", json.Unmarshal([]byte(`{"span":{"from":"16:00","to":"08:00x"}}`), &body)},
		{"span", func() error { _, err := civil.ParseSpan("16:00-08:00"); return err }()},
		{"range", civil.DateRange{From: civil.NewDate(2026, 3, 2), To: civil.NewDate(2026, 3, 1)}.Validate("range")},
		{"json language", json.Unmarshal([]byte(`{"lang":"not a tag!"}`), &body)},
		{"holidays", func() error { _, err := civil.FinnishHolidays(1); return err }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, tc.err)
			require.ErrorIs(t, tc.err, civil.ErrInvalid)
			require.Equal(t, carecontact.ErrInvalid, carecontact.KindOf(tc.err))
			require.Equal(t, http.StatusBadRequest, carecontact.HTTPStatus(tc.err))
		})
	}
}
