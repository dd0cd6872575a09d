package booking

import (
	"fmt"
	"slices"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// Requirement is one participant an appointment needs: a professional of
// Role (with Skill, if set) or a resource of type Role. Each requirement is
// met by a different calendar.
type Requirement struct {
	Kind  OwnerKind `json:"kind"`
	Role  string    `json:"role"`
	Skill string    `json:"skill,omitempty"`
}

// Service is an appointment type a service area offers.
type Service struct {
	// Code identifies the service within its area.
	Code  string             `json:"code"`
	Area  carecontact.AreaID `json:"area"`
	Names civil.Names        `json:"names"`
	// Duration is the length of the appointment.
	Duration time.Duration `json:"duration"`
	// Channel is how the appointment takes place: channel.InPerson,
	// channel.InboundPhone or channel.Callback (a phone appointment) or
	// channel.Video.
	Channel channel.Kind `json:"channel"`
	// Requires lists the participants, at least one professional. Two
	// entries make a multi-professional appointment (nurse and doctor
	// together); resources (a room, a device) are entries of kind resource.
	Requires []Requirement `json:"requires"`
	// SelfBookGroups are the client groups that may book the service
	// themselves; empty means professionals only.
	SelfBookGroups []string `json:"selfBookGroups,omitempty"`
	// MinNotice is how long before its start a client may still book a
	// slot; Horizon how far ahead clients may book (0: no limit).
	MinNotice time.Duration `json:"minNotice,omitempty"`
	Horizon   time.Duration `json:"horizon,omitempty"`
	// MaxPerClient limits a client's active self-booked appointments of
	// the service that start within Period of each other (0: no limit).
	MaxPerClient int           `json:"maxPerClient,omitempty"`
	Period       time.Duration `json:"period,omitempty"`
	// ClientCancelBefore is how long before its start a client may still
	// cancel or reschedule a booked appointment of the service; later
	// attempts are ErrNotAllowed (staff may override it, see Override).
	// Defaults to 0: until the start.
	ClientCancelBefore time.Duration `json:"clientCancelBefore,omitempty"`
	// Capacity is how many appointments one slot holds (a group session,
	// a vaccination clinic): up to Capacity clients book the same start
	// with the same participants. Defaults to 0, which like 1 is one
	// appointment per slot.
	Capacity int `json:"capacity,omitempty"`
	// BufferBefore and BufferAfter keep the participants free around the
	// appointment (preparation, notes, cleaning a room).
	BufferBefore time.Duration `json:"bufferBefore,omitempty"`
	BufferAfter  time.Duration `json:"bufferAfter,omitempty"`
	// Step is the slot grid from the start of each working block; 0 means
	// BufferBefore + Duration + BufferAfter.
	Step         time.Duration `json:"step,omitempty"`
	PreQuestions []Question    `json:"preQuestions,omitempty"`
}

// step returns the slot grid.
func (s *Service) step() time.Duration {
	if s.Step > 0 {
		return s.Step
	}
	return s.BufferBefore + s.Duration + s.BufferAfter
}

// Validate reports the first problem of s, naming the field.
func (s *Service) Validate() error {
	f := "service " + s.Code
	switch {
	case s.Code == "":
		return carecontact.Invalid(ErrInvalid, "service.code", "is empty")
	case s.Area == "":
		return carecontact.Invalid(ErrInvalid, "area", f+": is empty")
	case s.Names.FI == "":
		return carecontact.Invalid(ErrInvalid, "names.fi", f+": is empty")
	case s.Duration <= 0 || s.Duration%time.Minute != 0:
		return carecontact.Invalid(ErrInvalid, "duration", fmt.Sprintf("%s: %s: want whole minutes > 0", f, s.Duration))
	case s.Channel != channel.InPerson && s.Channel != channel.InboundPhone && s.Channel != channel.Callback && s.Channel != channel.Video:
		return carecontact.Invalid(ErrInvalid, "channel", fmt.Sprintf("%s: %q: want in_person, inbound_phone, callback or video", f, s.Channel))
	case s.MinNotice < 0 || s.Horizon < 0 || s.BufferBefore < 0 || s.BufferAfter < 0 || s.Step < 0 || s.Period < 0 || s.ClientCancelBefore < 0:
		return carecontact.Invalid(ErrInvalid, "durations", f+": minNotice, horizon, buffers, step, period and clientCancelBefore must not be negative")
	case s.Capacity < 0:
		return carecontact.Invalid(ErrInvalid, "capacity", f+": must not be negative")
	case s.MaxPerClient < 0 || (s.MaxPerClient > 0 && s.Period == 0):
		return carecontact.Invalid(ErrInvalid, "maxPerClient", f+": must not be negative, and needs a period")
	case s.Horizon > 0 && s.Horizon <= s.MinNotice:
		return carecontact.Invalid(ErrInvalid, "horizon", f+": must exceed minNotice")
	}
	pros := 0
	for i, r := range s.Requires {
		if r.Kind != OwnerProfessional && r.Kind != OwnerResource {
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("requires[%d].kind", i), fmt.Sprintf("%s: %q is not professional or resource", f, r.Kind))
		}
		if r.Role == "" {
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("requires[%d].role", i), f+": is empty")
		}
		if r.Kind == OwnerProfessional {
			pros++
		}
	}
	if pros == 0 || s.Requires[0].Kind != OwnerProfessional {
		return carecontact.Invalid(ErrInvalid, "requires[0]", f+": must be a professional")
	}
	seen := map[string]bool{}
	for i, q := range s.PreQuestions {
		if q.ID == "" || seen[q.ID] {
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("preQuestions[%d].id", i), f+": empty or repeated")
		}
		if fe := q.validate(); fe != nil {
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("preQuestions[%d].%s", i, fe.Field), f+": "+fe.Reason)
		}
		seen[q.ID] = true
	}
	return nil
}

// Catalogue is the set of services one service area offers. It is
// read-only once built and safe for concurrent use.
type Catalogue struct {
	area     carecontact.AreaID
	services []Service
	byCode   map[string]int
}

// NewCatalogue validates services (all of area) and returns the area's
// catalogue.
func NewCatalogue(area carecontact.AreaID, services []Service) (*Catalogue, error) {
	if area == "" {
		return nil, carecontact.Invalid(ErrInvalid, "area", "the catalogue area is empty")
	}
	c := &Catalogue{area: area, byCode: map[string]int{}}
	for i, s := range services {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("booking: catalogue %s: services[%d]: %w", area, i, err)
		}
		if s.Area != area {
			return nil, carecontact.Invalid(ErrInvalid, fmt.Sprintf("services[%d].area", i), fmt.Sprintf("%q is not the catalogue's area %s", s.Area, area))
		}
		if _, dup := c.byCode[s.Code]; dup {
			return nil, fmt.Errorf("booking: catalogue %s: services[%d]: %w: duplicate code %s", area, i, ErrInvalid, s.Code)
		}
		s.Requires = slices.Clone(s.Requires)
		s.SelfBookGroups = slices.Clone(s.SelfBookGroups)
		s.PreQuestions = slices.Clone(s.PreQuestions)
		for j := range s.PreQuestions {
			s.PreQuestions[j].Options = slices.Clone(s.PreQuestions[j].Options)
			s.PreQuestions[j].CallOn = slices.Clone(s.PreQuestions[j].CallOn)
		}
		c.byCode[s.Code] = len(c.services)
		c.services = append(c.services, s)
	}
	return c, nil
}

// Area returns the catalogue's service area.
func (c *Catalogue) Area() carecontact.AreaID { return c.area }

// Service returns the service with the given code.
func (c *Catalogue) Service(code string) (Service, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Service{}, false
	}
	return c.services[i], true
}

// Services returns the services in the order given.
func (c *Catalogue) Services() []Service { return slices.Clone(c.services) }

// SelfBookable returns the services clients of group may book themselves.
func (c *Catalogue) SelfBookable(group string) []Service {
	var out []Service
	for _, s := range c.services {
		if slices.Contains(s.SelfBookGroups, group) {
			out = append(out, s)
		}
	}
	return out
}
