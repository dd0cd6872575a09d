package callback_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/examples/simulation/callbacksim"
	"github.com/carecontact/carecontact/storage/memory"
)

func dumpUnkept(t *testing.T, res callbacksim.Result) {
	risk := map[string]bool{}
	for _, e := range res.Events {
		if e.Kind == "promise_at_risk" {
			risk[e.Request] = true
		}
	}
	for _, r := range res.Records {
		if len(r.Calls) > 0 && !r.Promised.Contains(r.Calls[0].Start) && !risk[r.ID] {
			t.Logf("%s team=%s step=%d prom=%s-%s win=%s-%s first=%s esc=%d broken=%v", r.ID, r.Team, r.StepIndex,
				r.Promised.Start.In(hki).Format("15:04"), r.Promised.End.In(hki).Format("15:04"),
				r.Window.Start.In(hki).Format("15:04"), r.Window.End.In(hki).Format("15:04"),
				r.Calls[0].Start.In(hki).Format("15:04"), r.Escalation, r.Broken)
		}
	}
}

// cfgWith fills a Config with its dependencies and a mock clock, for tests
// written before the Planner took everything in its Config.
func cfgWith(cfg callback.Config, store callback.Store, router callback.Router, capa callback.Capacity, opts ...func(*callback.Config)) callback.Config {
	cfg.Store, cfg.Router, cfg.Capacity = store, router, capa
	if cfg.Clock == nil {
		cfg.Clock = clock.NewMock()
	}
	if cfg.Audit == nil {
		cfg.Audit = memory.NewAuditLog()
	}
	if cfg.Staff == nil {
		cfg.Staff = everyone{}
	}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

func withIDs(next func() string) func(*callback.Config) {
	return func(c *callback.Config) { c.NewID = next }
}

// on sets svc's mock clock to now and returns svc.
func on(svc *callback.Planner, now time.Time) *callback.Planner {
	svc.Config().Clock.(*clock.Mock).Set(now)
	return svc
}

// everyone is the staff directory of tests written before acceptance was
// checked: every professional coordinates callbacks of every team.
type everyone struct{}

func (everyone) Member(_ context.Context, id carecontact.ProfessionalID) (carecontact.StaffMember, error) {
	return carecontact.StaffMember{ID: id, Teams: []carecontact.TeamID{"-"},
		Grants: []carecontact.Grant{{Role: callback.DefaultCrossTeamRole, Scope: carecontact.ScopeOrganisation}}}, nil
}

func (everyone) TeamArea(context.Context, carecontact.TeamID) (carecontact.AreaID, error) {
	return "", nil
}
