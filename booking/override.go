package booking

import (
	"fmt"
	"slices"
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Rule names a client booking rule that staff may override.
type Rule string

// The rules an Override may name.
const (
	// RuleLimit is the service's per-client limit (MaxPerClient).
	RuleLimit Rule = "limit"
	// RuleNotice is the booking window: MinNotice and Horizon.
	RuleNotice Rule = "notice"
	// RuleCutOff is the cancellation and rescheduling cut-off
	// (ClientCancelBefore).
	RuleCutOff Rule = "cutoff"
)

// Rules lists the overridable rules in a fixed order.
func Rules() []Rule { return []Rule{RuleLimit, RuleNotice, RuleCutOff} }

// Override lets a professional act for a client under the client's
// self-service rules with some of them set aside: the client's booking,
// cancellation or reschedule is done as if the client did it (a booking
// is SelfBooked and counts towards the limit), except that the named Rules
// do not apply. Only professionals may use it (a client's override is
// ErrNotAllowed and audited as denied); the reason is recorded in the
// audit event of the change with any phone number or identity code
// replaced (audit.Redact).
type Override struct {
	// Rules are the rules set aside; at least one.
	Rules []Rule `json:"rules"`
	// Reason says why, for the audit trail. Required.
	Reason string `json:"reason"`
}

// clientRules reports whether the client's self-service rules apply to
// the request: a client's own, or a professional's with an Override.
func (r Requester) clientRules() bool { return r.self() || r.Override != nil }

// overrides reports whether the request sets rule aside.
func (r Requester) overrides(rule Rule) bool {
	return r.Override != nil && slices.Contains(r.Override.Rules, rule)
}

// checkOverride reports an override the requester may not use or that is
// malformed.
func checkOverride(by Requester) error {
	o := by.Override
	if o == nil {
		return nil
	}
	if by.Actor.Kind != audit.ActorProfessional {
		return fmt.Errorf("booking: override: only professionals may override a rule: %w", ErrNotAllowed)
	}
	if strings.TrimSpace(o.Reason) == "" {
		return carecontact.Invalid(ErrInvalid, "override.reason", "is empty")
	}
	if err := carecontact.ValidateText(ErrInvalid, "override.reason", o.Reason); err != nil {
		return err
	}
	if len(o.Rules) == 0 {
		return carecontact.Invalid(ErrInvalid, "override.rules", "is empty")
	}
	for i, r := range o.Rules {
		if !slices.Contains(Rules(), r) || slices.Index(o.Rules, r) != i {
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("override.rules[%d]", i), fmt.Sprintf("%q: unknown or repeated", r))
		}
	}
	return nil
}

// overrideDetail adds an override's rules and redacted reason to an audit
// detail.
func overrideDetail(by Requester, detail map[string]string) {
	if o := by.Override; o != nil {
		rs := make([]string, len(o.Rules))
		for i, r := range o.Rules {
			rs[i] = string(r)
		}
		detail["override"] = strings.Join(rs, ",")
		detail["override_reason"] = audit.Redact(o.Reason)
	}
}

// checkCutOff refuses a client's cancellation or reschedule of a within
// the service's ClientCancelBefore of its start, unless overridden.
func checkCutOff(svc *Service, by Requester, a Appointment, now time.Time, what string) error {
	if svc.ClientCancelBefore <= 0 || !by.clientRules() || by.overrides(RuleCutOff) || a.Status != StatusBooked {
		return nil
	}
	if cut := a.Start.Add(-svc.ClientCancelBefore); !now.Before(cut) {
		return fmt.Errorf("booking: appointment %s: a client may %s only until %s before the start: %w", a.ID, what, svc.ClientCancelBefore, ErrNotAllowed)
	}
	return nil
}
