package guidance

import (
	"cmp"
	"fmt"
	"slices"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Suitability tells whether an errand can be handled in a channel kind, and
// why. The channel package's *channel.Matrix satisfies it; Advise takes the
// interface so hosts and tests can pass their own.
type Suitability interface {
	Suitable(e channel.Errand, k channel.Kind) (ok bool, reason string)
}

// IdentityRequirer is optionally implemented by a Suitability that also
// states the identification a channel needs for an errand, as
// *channel.Matrix does.
type IdentityRequirer interface {
	RequiredIdentity(e channel.Errand, k channel.Kind) channel.IdentityLevel
}

// Urgency is how soon the client's errand needs a professional.
type Urgency int

// Urgency levels.
const (
	// UrgencyRoutine: within days or weeks.
	UrgencyRoutine Urgency = iota
	// UrgencySameDay: needs a professional's assessment today.
	UrgencySameDay
	// UrgencyEmergency: life-threatening; the client is told to call the
	// emergency number instead of being offered channels.
	UrgencyEmergency
)

// String returns "routine", "same_day" or "emergency".
func (u Urgency) String() string {
	switch u {
	case UrgencyRoutine:
		return "routine"
	case UrgencySameDay:
		return "same_day"
	case UrgencyEmergency:
		return "emergency"
	}
	return "invalid"
}

// Situation describes the client asking for advice.
type Situation struct {
	Errand channel.Errand
	// Area is the client's service area ID; empty for the default.
	Area carecontact.AreaID
	// Group is the client group ID (e.g. "adult", "senior"); empty for none.
	Group string
	// Languages are the client's languages, most preferred first.
	Languages []language.Tag
	// Identity is the strongest identification the client can perform
	// (IdentityStrong when they have bank credentials or a mobile
	// certificate).
	Identity channel.IdentityLevel
	Urgency  Urgency
}

// Code classifies why a channel fits or does not.
type Code string

// Advice codes.
const (
	CodeFits         Code = "fits"
	CodeNotOffered   Code = "not_offered"    // the area does not offer the channel
	CodeMatrix       Code = "not_suitable"   // the suitability matrix rules it out
	CodeGroup        Code = "group"          // the channel is not for the client's group
	CodeIdentity     Code = "identity"       // the client cannot identify as required
	CodeUrgency      Code = "too_slow"       // the channel cannot serve a same-day need
	CodeNoService    Code = "no_service"     // nothing e-bookable for the errand
	CodeEmergency    Code = "emergency"      // emergencies go to the emergency number
	CodeLanguageLess Code = "other_language" // fits, but not served in the client's language
)

// ChannelAdvice is one channel in an Advice.
type ChannelAdvice struct {
	Kind channel.Kind
	// Code and Reason say why the channel fits or not; Reason is English
	// for professionals and logs.
	Code   Code
	Reason string
	// Text is the client text to show with a fitting channel; zero for
	// unsuitable ones.
	Text Rendered
	// Service is the e-bookable service for the errand (e-booking only).
	Service string
}

// Advice is the answer to "which channel should this client use?": the
// fitting channels best first, each with the text to show, and the
// unsuitable ones with why.
type Advice struct {
	Errand   channel.Errand
	Area     carecontact.AreaID
	Language language.Tag
	// Notice is the text shown above the channels (the intro, or the
	// emergency text); zero when none is published.
	Notice     Rendered
	Fits       []ChannelAdvice
	Unsuitable []ChannelAdvice
}

// Advise builds channel advice for the situation from the matrix and the
// catalog's published channel configuration, booking configuration and
// texts. A channel fits when the area offers it, the matrix finds it
// suitable for the errand, it is for the client's group, the client can
// identify as it requires, it can serve the urgency, and (e-booking) the area
// has an e-bookable service for the errand. Fitting channels are ranked:
// those served in the client's language first, then by the area's rank, then
// in channel.Kinds order. Unsuitable channels are listed in channel.Kinds
// order. Errors: ErrInvalid for a bad situation, ErrNotFound when the area
// has no channel configuration or a fitting channel has no text.
func (c *Catalog) Advise(m Suitability, s Situation) (Advice, error) {
	if m == nil {
		return Advice{}, fmt.Errorf("%w: advise: nil suitability matrix", ErrInvalid)
	}
	if !validID(string(s.Errand)) {
		return Advice{}, carecontact.Invalid(ErrInvalid, "situation.errand", "is not an identifier")
	}
	if s.Urgency < UrgencyRoutine || s.Urgency > UrgencyEmergency {
		return Advice{}, carecontact.Invalid(ErrInvalid, "situation.urgency", "is not routine, same_day or emergency")
	}
	if !s.Identity.Valid() {
		return Advice{}, carecontact.Invalid(ErrInvalid, "situation.identity", "is not none, weak or strong")
	}
	if err := carecontact.ValidateID(ErrInvalid, "situation.area", string(s.Area)); err != nil {
		return Advice{}, err
	}
	if err := carecontact.ValidateID(ErrInvalid, "situation.group", s.Group); err != nil {
		return Advice{}, err
	}
	cfg, ok := c.channelConfig(s.Area)
	if !ok {
		return Advice{}, fmt.Errorf("%w: advise: no channel configuration for area %q", ErrNotFound, star(s.Area))
	}
	ch := c.choose(s.Languages)
	lang := c.langs.tags[c.langs.index(ch.best)]
	adv := Advice{Errand: s.Errand, Area: s.Area, Language: lang}
	// Texts follow the advice language, so one advice is in one language.
	ch = langChoice{prefs: append([]language.Tag{lang}, s.Languages...), best: ch.best, good: true}
	scope := Scope{Area: s.Area, Service: string(s.Errand)}
	noticeKey := KeyAdviceIntro
	if s.Urgency == UrgencyEmergency {
		noticeKey = KeyAdviceEmergency
	}
	// Variables are taken in the language each text is rendered in: the
	// area name from the channel configuration, the rest from loc.
	if n, err := c.render(noticeKey, scope, ch, nil, nil); err == nil {
		adv.Notice = n
	}

	type ranked struct {
		ChannelAdvice
		rank     int
		order    int
		langFits bool
	}
	var fits []ranked
	for order, k := range channel.Kinds() {
		ca := ChannelAdvice{Kind: k}
		offer, offered := findOffer(cfg, k)
		why := func(code Code, format string, args ...any) {
			ca.Code, ca.Reason = code, fmt.Sprintf(format, args...)
			adv.Unsuitable = append(adv.Unsuitable, ca)
		}
		if s.Urgency == UrgencyEmergency {
			why(CodeEmergency, "an emergency: call the emergency number 112")
			continue
		}
		if !offered {
			why(CodeNotOffered, "not offered in area %s", star(cfg.Area))
			continue
		}
		if ok, reason := m.Suitable(s.Errand, k); !ok {
			why(CodeMatrix, "not suitable for %s: %s", s.Errand, reason)
			continue
		}
		if len(offer.Groups) > 0 && !slices.Contains(offer.Groups, s.Group) {
			why(CodeGroup, "only for client groups %v", offer.Groups)
			continue
		}
		need := offer.Identity
		if ri, ok := m.(IdentityRequirer); ok {
			need = max(need, ri.RequiredIdentity(s.Errand, k))
		}
		if s.Identity < need {
			why(CodeIdentity, "requires %s identification", need)
			continue
		}
		if s.Urgency == UrgencySameDay && (k == channel.SecureMessage || k == channel.EBooking) {
			why(CodeUrgency, "cannot guarantee a professional's assessment the same day")
			continue
		}
		loc := LocalizedVars{VarOpeningHours: offer.Hours}
		if k == channel.EBooking {
			svc, ok := c.bookableService(s.Area, s.Errand, s.Group)
			if !ok {
				why(CodeNoService, "no e-bookable service for %s", s.Errand)
				continue
			}
			ca.Service = svc.ID
			loc[VarServiceName] = svc.Name
		}
		text, err := c.render(AdviceKey(k), scope, ch, nil, loc)
		if err != nil {
			return Advice{}, fmt.Errorf("guidance: advise %s: %w", k, err)
		}
		ca.Text = text
		ca.Code, ca.Reason = CodeFits, "suitable for "+string(s.Errand)
		langFits := len(offer.Languages) == 0 || slices.Contains(offer.Languages, ch.best)
		if !langFits {
			ca.Code = CodeLanguageLess
			ca.Reason = fmt.Sprintf("suitable for %s, but served only in %v", s.Errand, offer.Languages)
		}
		fits = append(fits, ranked{ChannelAdvice: ca, rank: offer.Rank, order: order, langFits: langFits})
	}
	slices.SortStableFunc(fits, func(a, b ranked) int {
		if a.langFits != b.langFits {
			if a.langFits {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.order, b.order))
	})
	for _, f := range fits {
		adv.Fits = append(adv.Fits, f.ChannelAdvice)
	}
	return adv, nil
}

func findOffer(cfg ChannelConfig, k channel.Kind) (Offer, bool) {
	for _, o := range cfg.Offers {
		if o.Kind == k {
			return o, true
		}
	}
	return Offer{}, false
}

// bookableService returns the first service of the area's booking
// configuration (or the default's) for the errand and group.
func (c *Catalog) bookableService(area carecontact.AreaID, e channel.Errand, group string) (BookableService, bool) {
	cfg, ok := c.bookingConfig(area)
	if !ok {
		return BookableService{}, false
	}
	for _, s := range cfg.Services {
		if s.Rules != nil && s.Rules.StaffOnly {
			continue // professionals book it; a client is never sent to book it
		}
		if s.Errand == e && (len(s.Groups) == 0 || slices.Contains(s.Groups, group)) {
			return s, true
		}
	}
	return BookableService{}, false
}
