package fhirapi_test

import (
	"errors"
	"net/http"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/frontdoor/fhirapi"
)

// A host mounts the handler under its FHIR base and tells it who asks,
// from its own authentication.
func ExampleNew() {
	var b *booking.Booker // the host's booker
	h, err := fhirapi.New(fhirapi.Config{Booker: b, Base: "https://fhir.example.org/r4",
		Requester: func(r *http.Request) (booking.Requester, error) {
			client := r.Header.Get("X-Authenticated-Client") // set by the host's auth middleware
			if client == "" {
				return booking.Requester{}, errors.New("not signed in")
			}
			return booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: client}, ClientGroup: "adult"}, nil
		}})
	if err != nil {
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/r4/", http.StripPrefix("/r4", h))
	_ = mux
}
