package channel

// Reasons shared by several default cells.
const (
	reasonNeedsSeeing    = "the professional needs to see the client; book a visit or use video"
	reasonNeedsSameDay   = "symptoms need an assessment the same day; messages are answered within days"
	reasonAssessFirst    = "the errand needs an assessment by a professional before anything is booked"
	reasonNoVisualNeed   = "no visual contact is needed; use a message, chat or phone"
	reasonNeedsConversat = "the errand needs a conversation with a professional"
)

// cell helpers keep the default table readable.
func ok(l IdentityLevel) Cell           { return Cell{Suitable: true, Identity: l} }
func no(l IdentityLevel, r string) Cell { return Cell{Suitable: false, Reason: r, Identity: l} }

// defaultRows is the built-in matrix for the common primary-care errands.
// Identity levels follow one rule: a professional can verify a caller in
// conversation (weak), while written and video channels that carry health
// data need strong electronic identification before the errand is handled.
// Cells follow the lessons of remote reception in Finnish health stations:
// symptoms are assessed the same day by phone, callback or chat; renewals
// and results suit messages; a wound or a rash suits video; vaccinations and
// many procedures are booked as visits.
func defaultRows() map[Errand]map[Kind]Cell {
	const w, s = IdentityWeak, IdentityStrong
	return map[Errand]map[Kind]Cell{
		ErrandInfectionSymptoms: {
			InboundPhone: ok(w), Callback: ok(w), Video: ok(s), Chat: ok(s),
			SecureMessage: no(s, reasonNeedsSameDay),
			EBooking:      no(s, reasonAssessFirst),
			InPerson:      ok(w),
		},
		ErrandPrescriptionRenewal: {
			InboundPhone: ok(w), Callback: ok(w), Chat: ok(s), SecureMessage: ok(s),
			Video:    no(s, reasonNoVisualNeed),
			EBooking: no(s, "renewals are requested, not booked; send a renewal request"),
			InPerson: no(w, "a renewal needs no visit; use a message, chat or phone"),
		},
		ErrandLabResults: {
			InboundPhone: ok(w), Callback: ok(w), Chat: ok(s), SecureMessage: ok(s), EBooking: ok(s),
			Video:    no(s, reasonNoVisualNeed),
			InPerson: no(w, "results are given remotely unless a professional asks for a visit"),
		},
		ErrandChronicFollowUp: {
			InboundPhone: ok(w), Callback: ok(w), Video: ok(s), Chat: ok(s), SecureMessage: ok(s),
			EBooking: ok(s), InPerson: ok(w),
		},
		ErrandMentalHealth: {
			InboundPhone: ok(w), Callback: ok(w), Video: ok(s), Chat: ok(s), EBooking: ok(s), InPerson: ok(w),
			SecureMessage: no(s, "distress must not wait for a message reply; call or chat"),
		},
		ErrandCertificate: {
			InboundPhone: ok(w), Callback: ok(w), Video: ok(s), EBooking: ok(s), InPerson: ok(w),
			Chat:          no(s, "a certificate needs an assessment in a call, video or visit"),
			SecureMessage: no(s, "a certificate needs an assessment in a call, video or visit"),
		},
		ErrandWoundCare: {
			InboundPhone: ok(w), Callback: ok(w), Video: ok(s), EBooking: ok(s), InPerson: ok(w),
			Chat:          no(s, reasonNeedsSeeing),
			SecureMessage: no(s, reasonNeedsSeeing),
		},
		ErrandVaccination: {
			InboundPhone: ok(w), Callback: ok(w), Chat: ok(s), SecureMessage: ok(s), EBooking: ok(s), InPerson: ok(w),
			Video: no(s, "a vaccination is given at a visit; book one"),
		},
		ErrandPhysiotherapy: {
			InboundPhone: ok(w), Callback: ok(w), Video: ok(s), Chat: ok(s), SecureMessage: ok(s),
			EBooking: ok(s), InPerson: ok(w),
		},
		ErrandSocialWelfare: {
			InboundPhone: ok(w), Callback: ok(w), Video: ok(s), Chat: ok(s), SecureMessage: ok(s), InPerson: ok(w),
			EBooking: no(s, "a social worker assesses the need before a meeting is booked"),
		},
		ErrandOther: {
			InboundPhone: ok(w), Callback: ok(w), Chat: ok(s), SecureMessage: ok(s),
			Video:    no(s, reasonNeedsConversat+" first; video is offered from a call or chat"),
			EBooking: no(s, reasonAssessFirst),
			InPerson: no(w, reasonAssessFirst),
		},
	}
}

// DefaultMatrix returns the built-in suitability matrix for the common
// errands (see the Errand constants). Hosts adjust it with a configuration
// file whose "base" is "defaults" (see ParseMatrix).
func DefaultMatrix() *Matrix {
	// The table is validated by the package tests (TestDefaultMatrixValid).
	return &Matrix{rows: defaultRows()}
}
