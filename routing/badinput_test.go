package routing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

// Steps whose filters differ never share a queue, whatever the role and
// skill names hold: a role named "nurse,psychiatric_nurse" is not the two
// roles nurse and psychiatric_nurse.
func TestFiltersWithSeparatorsInNamesDoNotShareQueues(t *testing.T) {
	joined := routing.Role(string(routing.RoleNurse) + "," + string(routing.RolePsychiatricNurse))
	central := func(roles []routing.Role, skills ...routing.Skill) routing.Step {
		return routing.Step{Target: routing.TargetCentralPool, Roles: roles, Skills: skills}
	}
	nurse := []routing.Role{routing.RoleNurse}
	for _, tc := range []struct {
		name         string
		wide, narrow routing.Step
	}{
		{"comma in a role", central([]routing.Role{routing.RoleNurse, routing.RolePsychiatricNurse}), central([]routing.Role{joined})},
		{"comma in a skill", central(nurse, "b", "c"), central(nurse, "b,c")},
		{"bar in a role and a skill", central(nurse, "b|c"), central([]routing.Role{routing.RoleNurse + "|b"}, "c")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixtureConfig()
			for i, p := range cfg.Professionals {
				if p.ID == "n-kaisa" { // in the central pool
					cfg.Professionals[i].Skills = []routing.Skill{"b", "c", "b|c"}
				}
			}
			cfg.Policies = append(cfg.Policies[:1],
				routing.Policy{Errand: channel.ErrandMentalHealth, Steps: []routing.Step{tc.wide}},
				routing.Policy{Errand: channel.ErrandCertificate, Steps: []routing.Step{tc.narrow}})
			r := newRig(t, cfg, nil)
			r.presence(routing.PresenceBusy, everyone...)
			wide := kallioClient("c-1")
			wide.Errand = channel.ErrandMentalHealth
			r.enqueue("wide", wide)
			narrow := kallioClient("c-2")
			narrow.Errand = channel.ErrandCertificate
			_, err := r.d.Enqueue(r.ctx, "narrow", narrow)
			require.ErrorIs(t, err, routing.ErrNoRoute, "nobody holds the narrow step's role")
		})
	}
}

// Bad IDs and an empty professional are field errors, not "offer expired".
func TestDispatcherBadInput(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-aino")
	for _, tc := range []struct {
		name, field string
		id          carecontact.ItemID
	}{
		{"mebibyte id", "id", carecontact.ItemID(strings.Repeat("i", 1<<20))},
		{"NUL in id", "id", "item\x00"},
		{"invalid UTF-8 id", "id", "item-\xff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.d.Enqueue(r.ctx, tc.id, kallioClient("c-1"))
			requireField(t, err, tc.field)
		})
	}
	it := r.enqueue("item-1", kallioClient("c-1"))
	require.Equal(t, routing.ItemOffered, it.State)
	_, err := r.d.Accept(r.ctx, "item-1", "")
	requireField(t, err, "professional")
	require.False(t, errors.Is(err, routing.ErrOfferExpired))
	requireField(t, r.d.Decline(r.ctx, "item-1", ""), "professional")
	r.advance(time.Second)
	_, err = r.d.Accept(r.ctx, "item-1", it.Professional)
	require.NoError(t, err, "the offer stands")
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorIs(t, err, carecontact.ErrInvalid)
	var fe *carecontact.FieldError
	require.True(t, errors.As(err, &fe), "%v", err)
	require.Equal(t, field, fe.Field)
}

// A contact's references are bounded like IDs and a client is required
// (a mebibyte, NUL or empty client was queued), and a lookup of an
// unknown item never repeats more than a short prefix of its ID.
func TestContactReferencesAreBounded(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	mib := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name, field string
		edit        func(c *routing.Contact)
	}{
		{"empty client", "client", func(c *routing.Contact) { c.Client = "" }},
		{"mebibyte client", "client", func(c *routing.Contact) { c.Client = carecontact.ClientRef(mib) }},
		{"NUL in client", "client", func(c *routing.Contact) { c.Client = "c\x00" }},
		{"mebibyte errand", "errand", func(c *routing.Contact) { c.Errand = channel.Errand(mib) }},
		{"invalid UTF-8 own team", "ownTeam", func(c *routing.Contact) { c.OwnTeam = "t\xff" }},
		{"mebibyte own professional", "ownProfessional", func(c *routing.Contact) { c.OwnProfessional = carecontact.ProfessionalID(mib) }},
		{"NUL in area", "area", func(c *routing.Contact) { c.Area = "a\x00" }},
		{"priority 9", "priority", func(c *routing.Contact) { c.Priority = 9 }},
		{"malformed postal code", "postalCode", func(c *routing.Contact) { c.PostalCode = "abc" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := kallioClient("c-1")
			tc.edit(&c)
			_, err := r.d.Enqueue(r.ctx, "item-1", c)
			var fe *carecontact.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Equal(t, tc.field, fe.Field)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			require.Less(t, len(err.Error()), 300)
		})
	}
	_, err := r.d.Accept(r.ctx, carecontact.ItemID(mib), "n-aino")
	require.ErrorIs(t, err, routing.ErrItemNotFound)
	require.Less(t, len(err.Error()), 200, "the error repeats a short prefix of the ID")
}
