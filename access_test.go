package carecontact_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
)

func TestStaffHolds(t *testing.T) {
	lead := carecontact.StaffMember{ID: "lead", Teams: []carecontact.TeamID{"a1"}, Area: "north", Grants: []carecontact.Grant{
		{Role: "supervisor", Scope: carecontact.ScopeTeam},
		{Role: "booking", Scope: carecontact.ScopeArea},
		{Role: "auditor", Scope: carecontact.ScopeOrganisation},
	}}
	for _, tc := range []struct {
		role string
		at   carecontact.Place
		want bool
	}{
		{"supervisor", carecontact.Place{Team: "a1", Area: "north"}, true},
		{"supervisor", carecontact.Place{Team: "a2", Area: "north"}, false},
		{"supervisor", carecontact.Place{Area: "north"}, false},
		{"booking", carecontact.Place{Team: "a2", Area: "north"}, true},
		{"booking", carecontact.Place{Area: "north"}, true},
		{"booking", carecontact.Place{Area: "south"}, false},
		{"booking", carecontact.Place{}, false},
		{"auditor", carecontact.Place{Area: "south"}, true},
		{"nurse", carecontact.Place{Team: "a1", Area: "north"}, false},
	} {
		require.Equal(t, tc.want, lead.Holds(tc.role, tc.at), "%s at %+v", tc.role, tc.at)
	}
	require.True(t, lead.Works(carecontact.Place{Team: "a1"}))
	require.False(t, lead.Works(carecontact.Place{Team: "a2", Area: "north"}))
	require.True(t, lead.Works(carecontact.Place{Area: "north"}))
}

func TestNewStaff(t *testing.T) {
	ctx := context.Background()
	good := carecontact.StaffMember{ID: "n1", Teams: []carecontact.TeamID{"a1"}, Area: "north"}
	for _, tc := range []struct {
		name    string
		members []carecontact.StaffMember
		field   string // "" when valid
	}{
		{"valid", []carecontact.StaffMember{good}, ""},
		{"no id", []carecontact.StaffMember{{Teams: good.Teams}}, "staff[0].id"},
		{"no team", []carecontact.StaffMember{{ID: "n1"}}, "staff[0].teams"},
		{"empty team", []carecontact.StaffMember{{ID: "n1", Teams: []carecontact.TeamID{""}}}, "staff[0].teams[0]"},
		{"twice", []carecontact.StaffMember{good, good}, "staff[1].id"},
		{"grant without role", []carecontact.StaffMember{{ID: "n1", Teams: good.Teams, Grants: []carecontact.Grant{{Scope: carecontact.ScopeTeam}}}}, "staff[0].grants[0].role"},
		{"bad scope", []carecontact.StaffMember{{ID: "n1", Teams: good.Teams, Grants: []carecontact.Grant{{Role: "x", Scope: "galaxy"}}}}, "staff[0].grants[0].scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := carecontact.NewStaff(tc.members, nil)
			if tc.field == "" {
				require.NoError(t, err)
				m, err := s.Member(ctx, "n1")
				require.NoError(t, err)
				require.Equal(t, good, m)
				area, err := s.TeamArea(ctx, "a1")
				require.NoError(t, err)
				require.Equal(t, carecontact.AreaID("north"), area)
				_, err = s.Member(ctx, "n2")
				require.ErrorIs(t, err, carecontact.ErrNotFound)
				_, err = s.TeamArea(ctx, "a9")
				require.ErrorIs(t, err, carecontact.ErrUnknownStaff)
				return
			}
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
	_, err := carecontact.NoStaff{}.Member(ctx, "n1")
	require.ErrorIs(t, err, carecontact.ErrNotFound)
}
