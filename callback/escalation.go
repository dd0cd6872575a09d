package callback

import "strconv"

// EscalationLevel is how far a request has been escalated for low slack.
// Plan takes an open request one level up per pass while its slack is
// below Config.LowSlack. A request that cannot be placed, or an urgent one
// whose deadline cannot be met, goes straight to EscalationReportedToLead.
// The level is stored as its number, so records written before the type
// existed read the same.
type EscalationLevel int

// The escalation levels, in order.
const (
	// EscalationNone: not escalated.
	EscalationNone EscalationLevel = iota
	// EscalationPromoted: the request's priority was raised.
	EscalationPromoted
	// EscalationWidened: a later routing step was tried (the request moved
	// if that team could call earlier).
	EscalationWidened
	// EscalationReportedToLead: the team lead was told (EventReportedToLead).
	EscalationReportedToLead
)

var escalationNames = [...]string{"none", "promoted", "widened", "reported_to_lead"}

// String returns "none", "promoted", "widened" or "reported_to_lead".
func (l EscalationLevel) String() string {
	if l >= 0 && int(l) < len(escalationNames) {
		return escalationNames[l]
	}
	return "escalation(" + strconv.Itoa(int(l)) + ")"
}
