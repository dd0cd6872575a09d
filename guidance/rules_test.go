package guidance_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

func TestBookingRulesAreValidated(t *testing.T) {
	valid := func() guidance.BookableService {
		return guidance.BookableService{ID: "flu", Errand: channel.ErrandVaccination, Name: guidance.Localized{"fi": "Rokotus"},
			Groups: []string{"adult"}, Rules: &guidance.BookingRules{DurationMinutes: 10, Channel: channel.InPerson,
				Requires: []guidance.BookingRequirement{{Kind: "professional", Role: "nurse"}}}}
	}
	tests := []struct {
		name   string
		change func(*guidance.BookableService)
		path   string
	}{
		{"valid", func(*guidance.BookableService) {}, ""},
		{"no duration", func(s *guidance.BookableService) { s.Rules.DurationMinutes = 0 }, "rules.duration_minutes"},
		{"chat is no appointment", func(s *guidance.BookableService) { s.Rules.Channel = channel.Chat }, "rules.channel"},
		{"negative notice", func(s *guidance.BookableService) { s.Rules.MinNoticeMinutes = -1 }, "rules.min_notice_minutes"},
		{"limit without period", func(s *guidance.BookableService) { s.Rules.MaxPerClient = 1 }, "rules.period_days"},
		{"a room first", func(s *guidance.BookableService) { s.Rules.Requires[0].Kind = "resource" }, "rules.requires"},
		{"unknown participant", func(s *guidance.BookableService) {
			s.Rules.Requires = append(s.Rules.Requires, guidance.BookingRequirement{Kind: "robot", Role: "x"})
		}, "rules.requires[1].kind"},
		{"bad pre-questions", func(s *guidance.BookableService) { s.Rules.PreQuestions = []byte("[{") }, "rules.pre_questions"},
		{"no group", func(s *guidance.BookableService) { s.Groups = nil }, "services[0].groups"},
		{"staff only", func(s *guidance.BookableService) { s.Groups, s.Rules.StaffOnly = nil, true }, ""},
		{"staff only with groups", func(s *guidance.BookableService) { s.Rules.StaffOnly = true }, "services[0].groups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := valid()
			tt.change(&svc)
			c := guidance.Content{Format: guidance.FormatName, Version: guidance.FormatVersion, Languages: []string{"fi", "sv"},
				Booking: []guidance.BookingConfig{{Area: "north", Services: []guidance.BookableService{svc}}}}
			err := c.Validate(nil)
			if tt.path == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, guidance.ErrInvalid)
			require.Contains(t, err.Error(), tt.path)
		})
	}
}
