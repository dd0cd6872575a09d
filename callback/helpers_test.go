package callback_test

import (
	"testing"

	"github.com/carecontact/carecontact/callback/callbacksim"
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
