package booking

import (
	"testing"

	"github.com/carecontact/carecontact/civil"
	"github.com/stretchr/testify/require"
)

func TestStatusTransitions(t *testing.T) {
	legal := map[[2]Status]bool{}
	for from, tos := range transitions {
		for _, to := range tos {
			legal[[2]Status{from, to}] = true
		}
	}
	tests := []struct {
		from, to Status
		ok       bool
	}{
		{StatusPending, StatusBooked, true},
		{StatusBooked, StatusFulfilled, true},
		{StatusBooked, StatusNoShow, true},
		{StatusBooked, StatusCheckedIn, true},
		{StatusCheckedIn, StatusArrived, true},
		{StatusArrived, StatusFulfilled, true},
		{StatusWaitlist, StatusBooked, true},
		{StatusFulfilled, StatusEnteredInError, true},
		{StatusFulfilled, StatusBooked, false},
		{StatusCancelled, StatusBooked, false},
		{StatusNoShow, StatusFulfilled, false},
		{StatusArrived, StatusNoShow, false},
		{StatusEnteredInError, StatusBooked, false},
		{StatusBooked, StatusPending, false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.ok, CanTransition(tc.from, tc.to), "%s -> %s", tc.from, tc.to)
		require.Equal(t, tc.ok, legal[[2]Status{tc.from, tc.to}])
	}
	for _, s := range Statuses() {
		require.True(t, s == StatusEnteredInError || CanTransition(s, StatusEnteredInError), "%s may be marked in error", s)
		require.False(t, CanTransition(StatusEnteredInError, s))
		got, err := ParseStatus(string(s))
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	_, err := ParseStatus("done")
	require.ErrorIs(t, err, ErrInvalid)
}

func TestNationalStatusCodes(t *testing.T) {
	// Finnish Scheduling IG (HL7 Finland), ConceptMap
	// appointmentstatus-ajanvarauksentila.
	want := map[Status]string{
		StatusWaitlist: "1 Suunniteltu", StatusProposed: "2 Tilattu", StatusPending: "8 Ehdotettu",
		StatusBooked: "3 Varattu", StatusArrived: "3 Varattu", StatusCancelled: "4 Peruttu",
		StatusCheckedIn: "10 Ilmoittautunut", StatusFulfilled: "7 Toteutunut", StatusNoShow: "9 Saapumatta",
	}
	for _, s := range Statuses() {
		n, ok := s.National()
		if s == StatusEnteredInError {
			require.False(t, ok)
			continue
		}
		require.True(t, ok, s)
		require.Equal(t, want[s], n.Code+" "+n.Display)
		back, err := StatusFromNational(n.Code)
		require.NoError(t, err)
		if s != StatusArrived {
			require.Equal(t, s, back, "round trip of %s", s)
		}
	}
	for code, s := range map[string]Status{"5": StatusCancelled, "6": StatusFulfilled} {
		got, err := StatusFromNational(code)
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	_, err := StatusFromNational("11")
	require.ErrorIs(t, err, ErrInvalid)
}

func TestServiceValidate(t *testing.T) {
	base := func() Service {
		return Service{Code: "s", Area: "a", Names: civil.Names{FI: "x"}, Duration: 30 * 60e9, Channel: "video",
			Requires: []Requirement{{Kind: OwnerProfessional, Role: "nurse"}}}
	}
	require.NoError(t, func() error { s := base(); return s.Validate() }())
	tests := []struct {
		name   string
		mutate func(s *Service)
		field  string
	}{
		{"code", func(s *Service) { s.Code = "" }, "service.code"},
		{"area", func(s *Service) { s.Area = "" }, "area"},
		{"names", func(s *Service) { s.Names.FI = "" }, "names.fi"},
		{"duration", func(s *Service) { s.Duration = 90e9 + 1 }, "duration"},
		{"channel", func(s *Service) { s.Channel = "chat" }, "channel"},
		{"negative", func(s *Service) { s.BufferAfter = -1 }, "buffers"},
		{"limit without period", func(s *Service) { s.MaxPerClient = 1 }, "period"},
		{"horizon", func(s *Service) { s.Horizon, s.MinNotice = 60e9, 120e9 }, "horizon"},
		{"requirement kind", func(s *Service) { s.Requires[0].Kind = OwnerTeam }, "requires[0].kind"},
		{"requirement role", func(s *Service) { s.Requires[0].Role = "" }, "requires[0].role"},
		{"first is a professional", func(s *Service) { s.Requires[0].Kind = OwnerResource }, "requires[0]"},
		{"question id", func(s *Service) {
			s.PreQuestions = []Question{{ID: "q", Text: civil.Names{FI: "?"}}, {ID: "q", Text: civil.Names{FI: "?"}}}
		}, "preQuestions[1].id"},
		{"question text", func(s *Service) { s.PreQuestions = []Question{{ID: "q"}} }, "preQuestions[0].text.fi"},
	}
	for _, tc := range tests {
		s := base()
		tc.mutate(&s)
		err := s.Validate()
		require.ErrorIs(t, err, ErrInvalid, tc.name)
		require.ErrorContains(t, err, tc.field, tc.name)
	}
	_, err := NewCatalogue("a", []Service{base(), base()})
	require.ErrorContains(t, err, "duplicate code")
	other := base()
	other.Area = "b"
	_, err = NewCatalogue("a", []Service{other})
	require.ErrorContains(t, err, "services[0]")
	c, err := NewCatalogue("a", []Service{base()})
	require.NoError(t, err)
	require.Empty(t, c.SelfBookable("adult"))
	_, ok := c.Service("s")
	require.True(t, ok)
}

// FuzzParseStatus checks that the status parsers of outside input (FHIR
// Appointment.status and the national status code) never panic, accept
// only known values and agree with the mapping both ways.
func FuzzParseStatus(f *testing.F) {
	for _, s := range Statuses() {
		f.Add(string(s))
		if n, ok := s.National(); ok {
			f.Add(n.Code)
		}
	}
	f.Add("")
	f.Add("Booked")
	f.Add("05")
	f.Fuzz(func(t *testing.T, in string) {
		if s, err := ParseStatus(in); err == nil {
			require.Equal(t, in, string(s))
			require.Contains(t, Statuses(), s)
		} else {
			require.ErrorIs(t, err, ErrInvalid)
		}
		if s, err := StatusFromNational(in); err == nil {
			require.Contains(t, Statuses(), s)
			n, ok := s.National()
			require.True(t, ok)
			if n.Code != in {
				require.Contains(t, []string{"5", "6"}, in, "only the deprecated or wider codes map to another code")
			}
		} else {
			require.ErrorIs(t, err, ErrInvalid)
		}
	})
}
