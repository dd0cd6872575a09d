package errkinds_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/frontdoor/fhirapi"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/internal/errkinds"
	"github.com/carecontact/carecontact/internal/kind"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/postgres"
)

// libraryErrors lists every exported sentinel and error type of every
// library package, by directory. TestEveryErrorHasOneKind fails when a
// package declares one that is not listed here.
var libraryErrors = map[string]errkinds.Package{
	".": {
		Sentinels: map[string]error{
			"ErrInvalid": carecontact.ErrInvalid, "ErrNotFound": carecontact.ErrNotFound,
			"ErrConflict": carecontact.ErrConflict, "ErrNotAllowed": carecontact.ErrNotAllowed,
			"ErrIllegalTransition": carecontact.ErrIllegalTransition, "ErrUnavailable": carecontact.ErrUnavailable,
			"ErrDriver": carecontact.ErrDriver, "ErrUnknownStaff": carecontact.ErrUnknownStaff,
			"ErrRetention": carecontact.ErrRetention, "ErrErasure": carecontact.ErrErasure,
		},
		// FieldError is an alias of internal/kind's, listed there.
	},
	// The leaf the root's kinds are declared in: the same values.
	"internal/kind": {
		Sentinels: map[string]error{
			"ErrInvalid": kind.ErrInvalid, "ErrNotFound": kind.ErrNotFound,
			"ErrConflict": kind.ErrConflict, "ErrNotAllowed": kind.ErrNotAllowed,
			"ErrIllegalTransition": kind.ErrIllegalTransition, "ErrUnavailable": kind.ErrUnavailable,
		},
		Types: map[string]error{"FieldError": &carecontact.FieldError{}},
	},
	"audit": {
		Sentinels: map[string]error{"ErrInvalidEvent": audit.ErrInvalidEvent, "ErrTampered": audit.ErrTampered},
		Types:     map[string]error{"Break": &audit.Break{}},
	},
	"civil": {Sentinels: map[string]error{"ErrInvalid": civil.ErrInvalid}},
	"channel": {
		Sentinels: map[string]error{
			"ErrEscalationNotAllowed": channel.ErrEscalationNotAllowed, "ErrConsentRequired": channel.ErrConsentRequired,
			"ErrInvalidGraph": channel.ErrInvalidGraph, "ErrUnknownIdentityLevel": channel.ErrUnknownIdentityLevel,
			"ErrIdentityTooWeak": channel.ErrIdentityTooWeak,
			"ErrUnsuitable":      channel.ErrUnsuitable, "ErrTransient": channel.ErrTransient,
			"ErrNoTransport": channel.ErrNoTransport, "ErrUnknownKind": channel.ErrUnknownKind,
			"ErrInvalidMatrix": channel.ErrInvalidMatrix,
		},
		Types: map[string]error{"IdentityError": &channel.IdentityError{}, "UnsuitableError": &channel.UnsuitableError{}},
	},
	"demand": {
		Sentinels: map[string]error{
			"ErrContactNotFound": demand.ErrContactNotFound, "ErrContactExists": demand.ErrContactExists,
			"ErrContactClosed": demand.ErrContactClosed, "ErrInvalidConfig": demand.ErrInvalidConfig,
			"ErrInvalidAdmission": demand.ErrInvalidAdmission,
			"ErrNotAllowed":       demand.ErrNotAllowed,
		},
	},
	"frontdoor": {
		Sentinels: map[string]error{"ErrConfig": frontdoor.ErrConfig, "ErrInvalidContact": frontdoor.ErrInvalidContact,
			"ErrNotHandling": frontdoor.ErrNotHandling, "ErrNotInPilot": frontdoor.ErrNotInPilot, "ErrInvalidLine": frontdoor.ErrInvalidLine,
			"ErrTallyConfig": frontdoor.ErrTallyConfig, "ErrInvalidFeedback": frontdoor.ErrInvalidFeedback,
			"ErrUnknownContact": frontdoor.ErrUnknownContact, "ErrContactInHand": frontdoor.ErrContactInHand,
			"ErrContactClosed": frontdoor.ErrContactClosed, "ErrNotChat": frontdoor.ErrNotChat,
			"ErrChatDenied": frontdoor.ErrChatDenied, "ErrNoBooking": frontdoor.ErrNoBooking,
			"ErrInvalidBooking": frontdoor.ErrInvalidBooking},
	},
	"routing": {
		Sentinels: map[string]error{
			"ErrInvalid": routing.ErrInvalid, "ErrMalformedPostalCode": routing.ErrMalformedPostalCode,
			"ErrUnknownPostalCode": routing.ErrUnknownPostalCode, "ErrUnknownArea": routing.ErrUnknownArea,
			"ErrUnknownTeam": routing.ErrUnknownTeam, "ErrUnknownProfessional": routing.ErrUnknownProfessional,
			"ErrNoRoute": routing.ErrNoRoute, "ErrItemNotFound": routing.ErrItemNotFound,
			"ErrDuplicateItem": routing.ErrDuplicateItem, "ErrConflict": routing.ErrConflict,
			"ErrNoCapacity": routing.ErrNoCapacity, "ErrWrongState": routing.ErrWrongState,
			"ErrOfferExpired": routing.ErrOfferExpired, "ErrNotLeader": routing.ErrNotLeader,
		},
		Types: map[string]error{"NoRouteError": &routing.NoRouteError{}},
	},
	"booking": {
		Sentinels: map[string]error{
			"ErrInvalid": booking.ErrInvalid, "ErrNotFound": booking.ErrNotFound, "ErrSlotTaken": booking.ErrSlotTaken,
			"ErrHoldExpired": booking.ErrHoldExpired, "ErrConflict": booking.ErrConflict, "ErrStaleVersion": booking.ErrStaleVersion,
			"ErrIllegalTransition": booking.ErrIllegalTransition, "ErrNotAllowed": booking.ErrNotAllowed,
			"ErrLimitReached": booking.ErrLimitReached, "ErrExists": booking.ErrExists, "ErrCallInstead": booking.ErrCallInstead,
			"ErrTokenInvalid": booking.ErrTokenInvalid, "ErrTokenExpired": booking.ErrTokenExpired, "ErrInvitationUsed": booking.ErrInvitationUsed,
			"ErrCalendarInUse": booking.ErrCalendarInUse,
		},
		Types: map[string]error{"TransitionError": &booking.TransitionError{}, "CallError": &booking.CallError{}, "TokenError": &booking.TokenError{}},
	},
	"booking/fhir": {Types: map[string]error{"Error": &fhir.Error{}}},
	"frontdoor/fhirapi": {
		Sentinels: map[string]error{"ErrNoRequester": fhirapi.ErrNoRequester, "ErrPrecondition": fhirapi.ErrPrecondition,
			"ErrPreconditionRequired": fhirapi.ErrPreconditionRequired},
	},
	"callback": {
		Sentinels: map[string]error{
			"ErrInvalidRequest": callback.ErrInvalidRequest, "ErrNotFound": callback.ErrNotFound,
			"ErrConflict": callback.ErrConflict, "ErrNotDue": callback.ErrNotDue, "ErrNotInCall": callback.ErrNotInCall,
			"ErrInCall": callback.ErrInCall, "ErrNotAllowed": callback.ErrNotAllowed, "ErrNothingDue": callback.ErrNothingDue, "ErrNoRoute": callback.ErrNoRoute,
			"ErrConfig": callback.ErrConfig, "ErrPlanChanged": callback.ErrPlanChanged, "ErrNotLeader": callback.ErrNotLeader,
		},
	},
	"session": {
		Sentinels: map[string]error{
			"ErrNotFound": session.ErrNotFound, "ErrExists": session.ErrExists, "ErrConflict": session.ErrConflict,
			"ErrIllegalTransition": session.ErrIllegalTransition, "ErrAccessDenied": session.ErrAccessDenied,
			"ErrChecklistIncomplete": session.ErrChecklistIncomplete, "ErrTransport": session.ErrTransport,
			"ErrInvalid": session.ErrInvalid, "ErrParticipant": session.ErrParticipant,
			"ErrInvalidPersonalCode": session.ErrInvalidPersonalCode, "ErrIdentityMismatch": session.ErrIdentityMismatch,
			"ErrNotIdentified": session.ErrNotIdentified,
		},
		Types: map[string]error{
			"AccessError": &session.AccessError{}, "ChecklistError": &session.ChecklistError{},
			"StateError": &session.StateError{}, "TransportError": &session.TransportError{},
		},
	},
	"guidance": {
		Sentinels: map[string]error{
			"ErrUnknownKey": guidance.ErrUnknownKey, "ErrUnknownVariable": guidance.ErrUnknownVariable,
			"ErrMissingVariable": guidance.ErrMissingVariable, "ErrMissingValue": guidance.ErrMissingValue,
			"ErrTemplate": guidance.ErrTemplate, "ErrLanguage": guidance.ErrLanguage, "ErrInvalid": guidance.ErrInvalid,
			"ErrFormat": guidance.ErrFormat, "ErrNotFound": guidance.ErrNotFound, "ErrConflict": guidance.ErrConflict,
			"ErrDenied": guidance.ErrDenied, "ErrState": guidance.ErrState,
		},
		// A FileError takes its kind from the problem it wraps.
		Types: map[string]error{"FileError": &guidance.FileError{File: "f.json", Err: guidance.ErrTemplate}},
	},
	"storage/postgres": {
		Sentinels: map[string]error{
			"ErrOutcomeUnknown": postgres.ErrOutcomeUnknown, "ErrRetriesExhausted": postgres.ErrRetriesExhausted,
			"ErrSchemaTooNew": postgres.ErrSchemaTooNew, "ErrLeaseLost": postgres.ErrLeaseLost,
		},
	},
}

// prefixes are the sentinel texts' prefixes where they are not the
// package's name: the root kinds, and the leaf they are declared in, are
// bare ("invalid input").
var prefixes = map[string]string{".": "", "internal/kind": ""}

// coveredElsewhere are directory prefixes whose errors another test checks.
var coveredElsewhere = map[string]string{
	"examples/": "nothing imports examples: examples/simulation's errkinds test checks its packages",
}

func TestEveryErrorHasOneKind(t *testing.T) {
	root := errkinds.ModuleRoot(t)
	errkinds.Check(t, root, libraryErrors, prefixes)

	dirs, err := errkinds.Dirs(root)
	require.NoError(t, err)
	for _, dir := range dirs {
		d, err := errkinds.Parse(filepath.Join(root, filepath.FromSlash(dir)))
		require.NoError(t, err)
		if d.Empty() {
			continue
		}
		if _, ok := libraryErrors[dir]; ok {
			continue
		}
		covered := false
		for prefix := range coveredElsewhere {
			covered = covered || strings.HasPrefix(dir, prefix)
		}
		require.True(t, covered, "package %s declares errors %v %v that libraryErrors does not list", dir, d.Sentinels, d.Types)
	}
}

// Typed errors that carry data keep matching their own sentinel as well as
// the root kind, and a wrapped error keeps its kind.
func TestTypedErrorsMatchSentinelAndKind(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		sentinel error
		kind     error
	}{
		{"routing no route", &routing.NoRouteError{Reason: routing.ReasonNoCandidates}, routing.ErrNoRoute, carecontact.ErrNotFound},
		{"session access", &session.AccessError{Actor: "professional:p1", Action: "session.invite"}, session.ErrAccessDenied, carecontact.ErrNotAllowed},
		{"session checklist", &session.ChecklistError{Action: "switch"}, session.ErrChecklistIncomplete, carecontact.ErrIllegalTransition},
		{"session state", &session.StateError{Op: "close"}, session.ErrIllegalTransition, carecontact.ErrIllegalTransition},
		{"session transport", &session.TransportError{Op: "video.create_room", Err: channel.ErrTransient}, session.ErrTransport, carecontact.ErrUnavailable},
		{"channel identity", &channel.IdentityError{Required: channel.IdentityStrong}, channel.ErrIdentityTooWeak, carecontact.ErrNotAllowed},
		{"channel unsuitable", &channel.UnsuitableError{}, channel.ErrUnsuitable, carecontact.ErrNotAllowed},
		{"booking fhir", &fhir.Error{Field: "Slot.start"}, booking.ErrInvalid, carecontact.ErrInvalid},
		{"booking token", &booking.TokenError{Reason: booking.TokenBadSignature}, booking.ErrTokenInvalid, carecontact.ErrNotAllowed},
		{"booking token expired", &booking.TokenError{Reason: booking.TokenExpired}, booking.ErrTokenExpired, carecontact.ErrNotAllowed},
		{"booking transition", &booking.TransitionError{Appointment: "a1", From: booking.StatusCancelled, To: booking.StatusCancelled}, booking.ErrIllegalTransition, carecontact.ErrIllegalTransition},
		{"guidance file", &guidance.FileError{File: "f.json", Err: guidance.ErrNotFound}, guidance.ErrNotFound, carecontact.ErrNotFound},
		{"root field", carecontact.Invalid(routing.ErrInvalid, "steps[1].timeout", "must be positive"), routing.ErrInvalid, carecontact.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wrapped := errors.Join(errors.New("context"), tc.err)
			for _, err := range []error{tc.err, wrapped} {
				require.ErrorIs(t, err, tc.sentinel)
				require.ErrorIs(t, err, tc.kind)
				require.Equal(t, []error{tc.kind}, errkinds.Kinds(err))
			}
		})
	}
}
