package carecontact_test

import (
	"errors"
	"fmt"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/routing"
)

// A host branches on the kind of any error of any package and answers with
// one status mapping, whatever the package and however the error is wrapped.
func ExampleHTTPStatus() {
	unknownTeam := fmt.Errorf("routing: route to team %s: %w", "kallio-1", routing.ErrUnknownTeam)
	noRoute := &routing.NoRouteError{Reason: routing.ReasonNobodySignedIn}
	badInput := carecontact.Invalid(routing.ErrInvalid, "steps[0].timeout", "must be positive")

	for _, err := range []error{unknownTeam, noRoute, badInput, errors.New("disk on fire"), nil} {
		fmt.Println(carecontact.HTTPStatus(err), carecontact.KindOf(err))
	}
	fmt.Println(errors.Is(unknownTeam, carecontact.ErrNotFound), errors.Is(unknownTeam, routing.ErrUnknownTeam))
	fmt.Println(badInput)
	// Output:
	// 404 not found
	// 404 not found
	// 400 invalid input
	// 500 <nil>
	// 200 <nil>
	// true true
	// routing: invalid input: steps[0].timeout: must be positive
}
