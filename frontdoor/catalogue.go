package frontdoor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/guidance"
)

// CatalogueServices is booking's service source (booking.ServiceSource)
// read from guidance's published catalogue: the e-bookable services of an
// area's booking configuration that carry booking rules, with the client
// groups the configuration lists as the groups that book them
// themselves. Advice and booking then read one catalogue, under one
// workflow, at one moment: advice never recommends a service that booking
// refuses to the client's group. The version is the booking
// configuration's published version ("booking/<area>@<n>").
type CatalogueServices struct {
	// Guide is the guidance whose published catalogue is read. Required.
	Guide *guidance.Guide
}

// Services returns the area's services with booking rules in force at at.
func (s CatalogueServices) Services(ctx context.Context, area carecontact.AreaID, at time.Time) ([]booking.Service, string, error) {
	if s.Guide == nil {
		return nil, "", carecontact.Invalid(ErrInvalidBooking, "guide", "is required")
	}
	cat, err := s.Guide.Published(ctx, at)
	if err != nil {
		return nil, "", fmt.Errorf("frontdoor: catalogue services: %w", err)
	}
	cfg, ref, ok := cat.Bookable(area)
	if !ok {
		return nil, "", nil
	}
	var out []booking.Service
	for _, b := range cfg.Services {
		if b.Rules == nil {
			continue
		}
		svc, err := bookingService(area, b)
		if err != nil {
			return nil, "", fmt.Errorf("frontdoor: catalogue service %s (%s): %w", b.ID, ref, err)
		}
		out = append(out, svc)
	}
	version := ""
	if ref.Subject != "" {
		version = ref.String()
	}
	return out, version, nil
}

// bookingService converts guidance's service with its rules.
func bookingService(area carecontact.AreaID, b guidance.BookableService) (booking.Service, error) {
	r := b.Rules
	mins := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	day := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	svc := booking.Service{Code: b.ID, Area: area,
		Names:    civil.Names{FI: b.Name["fi"], SV: b.Name["sv"], EN: b.Name["en"]},
		Duration: mins(r.DurationMinutes), Channel: r.Channel, SelfBookGroups: append([]string(nil), b.Groups...),
		MinNotice: mins(r.MinNoticeMinutes), Horizon: day(r.HorizonDays), MaxPerClient: r.MaxPerClient, Period: day(r.PeriodDays),
		ClientCancelBefore: mins(r.ClientCancelBeforeMinutes), Capacity: r.Capacity,
		BufferBefore: mins(r.BufferBeforeMinutes), BufferAfter: mins(r.BufferAfterMinutes), Step: mins(r.StepMinutes)}
	for _, q := range r.Requires {
		svc.Requires = append(svc.Requires, booking.Requirement{Kind: booking.OwnerKind(q.Kind), Role: q.Role, Skill: q.Skill})
	}
	if len(r.PreQuestions) > 0 {
		if err := json.Unmarshal(r.PreQuestions, &svc.PreQuestions); err != nil {
			return booking.Service{}, carecontact.Invalid(ErrInvalidBooking, "rules.pre_questions", "are not booking's pre-questions")
		}
	}
	if err := svc.Validate(); err != nil {
		return booking.Service{}, err
	}
	return svc, nil
}

var _ booking.ServiceSource = CatalogueServices{}
