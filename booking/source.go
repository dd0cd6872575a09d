package booking

import (
	"context"
	"fmt"
	"time"

	carecontact "github.com/carecontact/carecontact"
)

// ServiceSource gives the e-bookable services of a governed catalogue
// (such as guidance's published catalogue, through the front door's
// adapter), so that what advice recommends and what booking accepts come
// from one place.
type ServiceSource interface {
	// Services returns the services of area in force at at, and the
	// version of the catalogue they come from. An area the catalogue
	// does not cover gives no services and no error.
	Services(ctx context.Context, area carecontact.AreaID, at time.Time) ([]Service, string, error)
}

// ServiceAt returns the service code of area in force now: from
// Config.Services when it has the service, else from Config.Catalogues.
// The version names the catalogue version it came from ("" for a static
// catalogue).
func (b *Booker) ServiceAt(ctx context.Context, area carecontact.AreaID, code string) (Service, string, error) {
	if b.cfg.Services != nil {
		svcs, version, err := b.cfg.Services.Services(ctx, area, b.cfg.Clock.Now())
		if err != nil {
			return Service{}, "", fmt.Errorf("booking: services of area %s: %w", area, err)
		}
		for _, s := range svcs {
			if s.Code != code {
				continue
			}
			if s.Area != area {
				return Service{}, "", carecontact.Invalid(ErrInvalid, "service.area", fmt.Sprintf("service %s: %q is not area %s", code, s.Area, area))
			}
			if err := s.Validate(); err != nil {
				return Service{}, "", fmt.Errorf("booking: service %s of area %s from the catalogue %s: %w", code, area, version, err)
			}
			return s, version, nil
		}
	}
	s, err := b.Service(area, code)
	return s, "", err
}

// service is ServiceAt without the version: the service every operation
// applies.
func (b *Booker) service(ctx context.Context, area carecontact.AreaID, code string) (Service, error) {
	s, _, err := b.ServiceAt(ctx, area, code)
	return s, err
}
