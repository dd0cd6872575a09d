package channel

// Errand is the type of a client's errand (asiointisyy): what the client
// contacts primary care about. Routing policies, the suitability matrix,
// guidance texts and sessions all key on it. Hosts may define errands of
// their own; these are the common ones the library ships defaults for.
type Errand string

// Common primary-care errands.
const (
	ErrandInfectionSymptoms   Errand = "infection_symptoms"
	ErrandPrescriptionRenewal Errand = "prescription_renewal"
	ErrandLabResults          Errand = "lab_results"
	ErrandChronicFollowUp     Errand = "chronic_follow_up"
	ErrandMentalHealth        Errand = "mental_health"
	ErrandCertificate         Errand = "certificate"
	ErrandWoundCare           Errand = "wound_care"
	ErrandVaccination         Errand = "vaccination"
	ErrandPhysiotherapy       Errand = "physiotherapy"
	ErrandSocialWelfare       Errand = "social_welfare"
	ErrandOther               Errand = "other"
)

// IdentityLevel is how strongly a client's identity has been verified in a
// contact. Channels and actions that carry health data require a level.
type IdentityLevel int

// Identity levels, weakest first; they compare with < and >=.
const (
	// IdentityNone: the client is not identified (an anonymous chat).
	IdentityNone IdentityLevel = iota
	// IdentityWeak: identified by something the client told or the number
	// they called from, checked by the professional in conversation.
	IdentityWeak
	// IdentityStrong: strong electronic identification (bank credentials,
	// mobile certificate) as defined by the Finnish Act on Strong Electronic
	// Identification (617/2009).
	IdentityStrong
)

// String returns "none", "weak" or "strong".
func (l IdentityLevel) String() string {
	switch l {
	case IdentityNone:
		return "none"
	case IdentityWeak:
		return "weak"
	case IdentityStrong:
		return "strong"
	default:
		return "invalid"
	}
}
