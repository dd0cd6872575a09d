package guidance

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// FormatName and FormatVersion identify the JSON content format (see
// doc.go). A file must carry both; Decode refuses other versions.
const (
	FormatName    = "carecontact.guidance"
	FormatVersion = 1
)

// Content is a whole guidance content set, as imported from and exported to
// a JSON file: the languages, client texts, channel configurations, booking
// configurations and professional checklist items.
type Content struct {
	// Format must be FormatName and Version FormatVersion.
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Languages are the BCP 47 tags the content is written in; the first
	// is the default, which every text must have and which serves clients
	// whose languages match none of them.
	Languages []string        `json:"languages"`
	Texts     []Text          `json:"texts,omitempty"`
	Channels  []ChannelConfig `json:"channels,omitempty"`
	Booking   []BookingConfig `json:"booking,omitempty"`
	Checklist []ChecklistItem `json:"checklist,omitempty"`
}

// Text is a client guidance text for one key in one scope, in several
// languages. Area and Service narrow the scope: a text with both empty is the
// default for every area and service; when serving, the most specific scope
// that has a text in the client's language wins.
type Text struct {
	Key string `json:"key"`
	// Area is a service area ID; empty for every area.
	Area carecontact.AreaID `json:"area,omitempty"`
	// Service is a service ID (an e-bookable service) or an errand; empty
	// for every service.
	Service string `json:"service,omitempty"`
	// Text holds the template (see Template) per language.
	Text Localized `json:"text"`
}

// ChannelConfig is a service area's channel offering: which channels it
// offers, in which order of preference, to whom and when.
type ChannelConfig struct {
	// Area is the service area ID; empty for the default configuration of
	// areas that have none of their own.
	Area     carecontact.AreaID `json:"area,omitempty"`
	AreaName Localized          `json:"area_name"`
	Offers   []Offer            `json:"offers"`
}

// Offer is one channel a service area offers.
type Offer struct {
	Kind channel.Kind `json:"kind"`
	// Rank orders the area's preference among fitting channels: 1 first.
	Rank int `json:"rank"`
	// Identity is the identification the channel requires of the client
	// (JSON "none", "weak" or "strong"). Advice requires the stronger of
	// this and the suitability matrix's requirement, when the matrix
	// states one.
	Identity channel.IdentityLevel `json:"identity"`
	// Languages lists the languages the channel is served in; empty for
	// every content language.
	Languages []string `json:"languages,omitempty"`
	// Groups lists the client groups the channel is for; empty for all.
	Groups []string `json:"groups,omitempty"`
	// Hours says when the channel is served, in each language.
	Hours Localized `json:"hours"`
}

// BookingConfig is the set of services clients of a service area may book
// themselves (e-booking).
type BookingConfig struct {
	// Area is the service area ID; empty for the default.
	Area     carecontact.AreaID `json:"area,omitempty"`
	Services []BookableService  `json:"services"`
}

// BookableService is one e-bookable service.
type BookableService struct {
	ID     string         `json:"id"`
	Errand channel.Errand `json:"errand"`
	Name   Localized      `json:"name"`
	// Groups lists the client groups that may book it; empty for all.
	// With Rules, they are the groups booking lets book it themselves.
	Groups []string `json:"groups,omitempty"`
	// Rules are the service's booking rules, when the published catalogue
	// is where booking takes its e-bookable services from (see the
	// booking package's ServiceSource); nil for a service booking
	// configures itself.
	Rules *BookingRules `json:"rules,omitempty"`
}

// BookingRules are the rules booking applies to an e-bookable service,
// in whole minutes and days as professionals write them.
type BookingRules struct {
	// DurationMinutes is the length of the appointment.
	DurationMinutes int `json:"duration_minutes"`
	// Channel is how the appointment takes place: in_person,
	// inbound_phone, callback or video.
	Channel channel.Kind `json:"channel"`
	// Requires lists the participants, the first a professional.
	Requires []BookingRequirement `json:"requires"`
	// MinNoticeMinutes is how long before its start a client may still
	// book; HorizonDays how far ahead (0: no limit).
	MinNoticeMinutes int `json:"min_notice_minutes,omitempty"`
	HorizonDays      int `json:"horizon_days,omitempty"`
	// MaxPerClient limits a client's active bookings within PeriodDays.
	MaxPerClient int `json:"max_per_client,omitempty"`
	PeriodDays   int `json:"period_days,omitempty"`
	// ClientCancelBeforeMinutes is the clients' cancellation cut-off.
	ClientCancelBeforeMinutes int `json:"client_cancel_before_minutes,omitempty"`
	// Capacity is how many bookings one slot holds (0 or 1: one).
	Capacity int `json:"capacity,omitempty"`
	// BufferBeforeMinutes and BufferAfterMinutes keep the participants
	// free around the appointment; StepMinutes is the slot grid (0: the
	// appointment with its buffers).
	BufferBeforeMinutes int `json:"buffer_before_minutes,omitempty"`
	BufferAfterMinutes  int `json:"buffer_after_minutes,omitempty"`
	StepMinutes         int `json:"step_minutes,omitempty"`
	// PreQuestions are the service's pre-questions in the booking
	// package's JSON form, which booking checks when it reads them.
	PreQuestions json.RawMessage `json:"pre_questions,omitempty"`
	// StaffOnly makes the service one that only professionals book (a
	// follow-up the nurse sets up): the entry then lists no client
	// groups, advice never offers it for self-booking, and no client books
	// it themselves: a professional books it or sends an invitation.
	StaffOnly bool `json:"staff_only,omitempty"`
}

// BookingRequirement is one participant an appointment needs: a
// professional of Role (with Skill, if set) or a resource of type Role.
type BookingRequirement struct {
	// Kind is "professional" or "resource".
	Kind  string `json:"kind"`
	Role  string `json:"role"`
	Skill string `json:"skill,omitempty"`
}

// Category groups professional checklist items.
type Category string

// The checklist categories.
const (
	CategoryTechnical   Category = "technical"
	CategoryInteraction Category = "interaction"
	CategoryPrivacy     Category = "privacy"
)

// ChecklistItem is one thing a professional checks before an action, such as
// "the client is in a private place" before starting a video leg.
type ChecklistItem struct {
	ID       string   `json:"id"`
	Category Category `json:"category"`
	// Actions are the actions the item is required before, e.g.
	// "leg.start", "participant.invite", "close".
	Actions []string `json:"actions"`
	// Kinds limits the item to these channels; empty for every channel.
	Kinds []channel.Kind `json:"kinds,omitempty"`
	Text  Localized      `json:"text"`
}

// Entry is the unit of versioning: exactly one text, channel configuration,
// booking configuration or checklist item.
type Entry struct {
	Text      *Text          `json:"text,omitempty"`
	Channels  *ChannelConfig `json:"channels,omitempty"`
	Booking   *BookingConfig `json:"booking,omitempty"`
	Checklist *ChecklistItem `json:"checklist,omitempty"`
}

// Subject returns the entry's stable name, the same for all its versions:
// "text/<key>/<area>/<service>", "channels/<area>", "booking/<area>" or
// "checklist/<id>", with "*" for an empty area or service.
func (e Entry) Subject() string {
	switch {
	case e.Text != nil:
		return "text/" + e.Text.Key + "/" + star(e.Text.Area) + "/" + star(e.Text.Service)
	case e.Channels != nil:
		return "channels/" + star(e.Channels.Area)
	case e.Booking != nil:
		return "booking/" + star(e.Booking.Area)
	case e.Checklist != nil:
		return "checklist/" + e.Checklist.ID
	}
	return ""
}

// Area returns the service area the entry belongs to, empty for entries that
// apply to every area (defaults and checklist items). Workflow rights are
// checked against it.
func (e Entry) Area() carecontact.AreaID {
	switch {
	case e.Text != nil:
		return e.Text.Area
	case e.Channels != nil:
		return e.Channels.Area
	case e.Booking != nil:
		return e.Booking.Area
	}
	return ""
}

func star[T ~string](s T) string {
	if s == "" {
		return "*"
	}
	return string(s)
}

func (e Entry) count() int {
	n := 0
	for _, set := range []bool{e.Text != nil, e.Channels != nil, e.Booking != nil, e.Checklist != nil} {
		if set {
			n++
		}
	}
	return n
}

// Clone returns a deep copy of e.
func (e Entry) Clone() Entry {
	var out Entry
	if e.Text != nil {
		t := *e.Text
		t.Text = t.Text.clone()
		out.Text = &t
	}
	if e.Channels != nil {
		c := *e.Channels
		c.AreaName = c.AreaName.clone()
		c.Offers = slices.Clone(c.Offers)
		for i := range c.Offers {
			c.Offers[i].Languages = slices.Clone(c.Offers[i].Languages)
			c.Offers[i].Groups = slices.Clone(c.Offers[i].Groups)
			c.Offers[i].Hours = c.Offers[i].Hours.clone()
		}
		out.Channels = &c
	}
	if e.Booking != nil {
		b := *e.Booking
		b.Services = slices.Clone(b.Services)
		for i := range b.Services {
			b.Services[i].Name = b.Services[i].Name.clone()
			b.Services[i].Groups = slices.Clone(b.Services[i].Groups)
			if r := b.Services[i].Rules; r != nil {
				rc := *r
				rc.Requires = slices.Clone(r.Requires)
				rc.PreQuestions = slices.Clone(r.PreQuestions)
				b.Services[i].Rules = &rc
			}
		}
		out.Booking = &b
	}
	if e.Checklist != nil {
		c := *e.Checklist
		c.Actions = slices.Clone(c.Actions)
		c.Kinds = slices.Clone(c.Kinds)
		c.Text = c.Text.clone()
		out.Checklist = &c
	}
	return out
}

// Entries splits the content into its versioned entries, in file order:
// texts, channel configurations, booking configurations, checklist items.
func (c Content) Entries() []Entry {
	var out []Entry
	for i := range c.Texts {
		out = append(out, Entry{Text: &c.Texts[i]}.Clone())
	}
	for i := range c.Channels {
		out = append(out, Entry{Channels: &c.Channels[i]}.Clone())
	}
	for i := range c.Booking {
		out = append(out, Entry{Booking: &c.Booking[i]}.Clone())
	}
	for i := range c.Checklist {
		out = append(out, Entry{Checklist: &c.Checklist[i]}.Clone())
	}
	return out
}

// NewContent assembles a content set of the given languages from entries,
// ordered by subject so that exports are stable.
func NewContent(langs []string, entries []Entry) Content {
	c := Content{Format: FormatName, Version: FormatVersion, Languages: slices.Clone(langs)}
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b Entry) int {
		if a.Subject() < b.Subject() {
			return -1
		}
		if a.Subject() > b.Subject() {
			return 1
		}
		return 0
	})
	for _, e := range sorted {
		e = e.Clone()
		switch {
		case e.Text != nil:
			c.Texts = append(c.Texts, *e.Text)
		case e.Channels != nil:
			c.Channels = append(c.Channels, *e.Channels)
		case e.Booking != nil:
			c.Booking = append(c.Booking, *e.Booking)
		case e.Checklist != nil:
			c.Checklist = append(c.Checklist, *e.Checklist)
		}
	}
	return c
}

// maxProblems bounds how many problems a validation reports.
const maxProblems = 50

// validator checks content against a schema and a language set, collecting
// problems with their JSON paths.
type validator struct {
	schema   *Schema
	langs    *languages
	problems []error
}

func (v *validator) add(err error) {
	if len(v.problems) < maxProblems {
		v.problems = append(v.problems, err)
	}
}

func (v *validator) err() error { return errors.Join(v.problems...) }

// Validate checks the content against schema (DefaultSchema when nil): the
// format header, languages, identifiers, channel kinds, templates (syntax,
// unknown variables, missing required variables), unknown text keys,
// duplicates, and that every offered channel has an advice text. The error
// joins up to 50 problems, each naming its JSON path and wrapping a
// sentinel error.
func (c Content) Validate(schema *Schema) error {
	if schema == nil {
		schema = DefaultSchema()
	}
	if c.Format != FormatName {
		return fieldErr("format", ErrFormat, "is %q, want %q", truncate(c.Format, 40), FormatName)
	}
	if c.Version != FormatVersion {
		return fieldErr("version", ErrFormat, "is %d, this library reads version %d", c.Version, FormatVersion)
	}
	langs, err := newLanguages(c.Languages)
	if err != nil {
		return &fieldError{path: "languages", err: err}
	}
	v := &validator{schema: schema, langs: langs}
	seen := map[string]string{}
	dup := func(path string, e Entry) {
		s := e.Subject()
		if first, ok := seen[s]; ok {
			v.add(fieldErr(path, ErrInvalid, "duplicate of %s (%s)", first, s))
			return
		}
		seen[s] = path
	}
	for i := range c.Texts {
		p := fmt.Sprintf("texts[%d]", i)
		v.text(p, &c.Texts[i])
		dup(p, Entry{Text: &c.Texts[i]})
	}
	for i := range c.Channels {
		p := fmt.Sprintf("channels[%d]", i)
		v.channels(p, &c.Channels[i])
		dup(p, Entry{Channels: &c.Channels[i]})
	}
	for i := range c.Booking {
		p := fmt.Sprintf("booking[%d]", i)
		v.booking(p, &c.Booking[i])
		dup(p, Entry{Booking: &c.Booking[i]})
	}
	for i := range c.Checklist {
		p := fmt.Sprintf("checklist[%d]", i)
		v.checklist(p, &c.Checklist[i])
		dup(p, Entry{Checklist: &c.Checklist[i]})
	}
	if len(v.problems) == 0 {
		v.adviceCoverage(c)
	}
	return v.err()
}

// adviceCoverage checks that every channel an area offers has an advice
// text that the area's clients can be served in the default language.
func (v *validator) adviceCoverage(c Content) {
	for i, cfg := range c.Channels {
		for j, o := range cfg.Offers {
			key := AdviceKey(o.Kind)
			found := false
			for _, t := range c.Texts {
				if t.Key == key && (t.Area == "" || t.Area == cfg.Area) && t.Service == "" {
					found = true
					break
				}
			}
			if !found {
				v.add(fieldErr(fmt.Sprintf("channels[%d].offers[%d]", i, j), ErrNotFound,
					"channel %s is offered but no text %q serves area %q for every errand", o.Kind, key, star(cfg.Area)))
			}
		}
	}
}

// validateEntry checks one entry on its own (a workflow draft).
func validateEntry(e Entry, schema *Schema, langs *languages) error {
	v := &validator{schema: schema, langs: langs}
	switch {
	case e.count() != 1:
		v.add(fieldErr("entry", ErrInvalid, "must hold exactly one of text, channels, booking, checklist"))
	case e.Text != nil:
		v.text("text", e.Text)
	case e.Channels != nil:
		v.channels("channels", e.Channels)
	case e.Booking != nil:
		v.booking("booking", e.Booking)
	case e.Checklist != nil:
		v.checklist("checklist", e.Checklist)
	}
	return v.err()
}

func optionalID[T ~string](v *validator, path string, id T) {
	if s := string(id); s != "" && !validID(s) {
		v.add(fieldErr(path, ErrInvalid, "%q is not an identifier (lower-case letters, digits, '-', '_', '.')", truncate(s, 40)))
	}
}

func (v *validator) id(path, s string) {
	if s == "" {
		v.add(fieldErr(path, ErrInvalid, "is empty"))
		return
	}
	optionalID(v, path, s)
}

// localized checks that loc is in declared languages, has the default
// language and no empty text.
func (v *validator) localized(path string, loc Localized) {
	if len(loc) == 0 {
		v.add(fieldErr(path, ErrLanguage, "has no text in any language"))
		return
	}
	for _, lang := range slices.Sorted(maps.Keys(loc)) {
		if v.langs.index(lang) < 0 {
			v.add(fieldErr(path+"."+lang, ErrLanguage, "language %q is not declared in languages %v", truncate(lang, 20), v.langs.names))
		} else if loc[lang] == "" {
			v.add(fieldErr(path+"."+lang, ErrInvalid, "is empty"))
		}
	}
	if _, ok := loc[v.langs.names[0]]; !ok {
		v.add(fieldErr(path, ErrLanguage, "missing the default language %q", v.langs.names[0]))
	}
}

func (v *validator) text(path string, t *Text) {
	optionalID(v, path+".area", t.Area)
	optionalID(v, path+".service", t.Service)
	def, ok := v.schema.Key(t.Key)
	if !ok {
		v.add(fieldErr(path+".key", ErrUnknownKey, "%q", truncate(t.Key, 60)))
	}
	v.localized(path+".text", t.Text)
	if !ok {
		return
	}
	for _, lang := range slices.Sorted(maps.Keys(t.Text)) {
		p := path + ".text." + lang
		tmpl, err := ParseTemplate(t.Text[lang])
		if err != nil {
			v.add(&fieldError{path: p, err: err})
			continue
		}
		for _, name := range tmpl.Vars() {
			if !slices.Contains(def.Vars, name) {
				v.add(fieldErr(p, ErrUnknownVariable, "{%s} is not a variable of %q (allowed: %v)", name, t.Key, def.Vars))
			}
		}
		for _, name := range def.Required {
			if !slices.Contains(tmpl.vars, name) {
				v.add(fieldErr(p, ErrMissingVariable, "%q must use {%s}", t.Key, name))
			}
		}
	}
}

func (v *validator) channels(path string, c *ChannelConfig) {
	optionalID(v, path+".area", c.Area)
	v.localized(path+".area_name", c.AreaName)
	if len(c.Offers) == 0 {
		v.add(fieldErr(path+".offers", ErrInvalid, "offers no channel"))
	}
	kinds := map[channel.Kind]bool{}
	for i, o := range c.Offers {
		p := fmt.Sprintf("%s.offers[%d]", path, i)
		if !o.Kind.Valid() {
			v.add(fieldErr(p+".kind", ErrInvalid, "unknown channel kind %q", truncate(string(o.Kind), 40)))
		} else if kinds[o.Kind] {
			v.add(fieldErr(p+".kind", ErrInvalid, "channel %s offered twice", o.Kind))
		}
		kinds[o.Kind] = true
		if o.Rank < 1 || o.Rank > 100 {
			v.add(fieldErr(p+".rank", ErrInvalid, "is %d, want 1..100", o.Rank))
		}
		if !o.Identity.Valid() {
			v.add(fieldErr(p+".identity", ErrInvalid, "is %d, want none, weak or strong", int(o.Identity)))
		}
		for j, l := range o.Languages {
			if v.langs.index(l) < 0 {
				v.add(fieldErr(fmt.Sprintf("%s.languages[%d]", p, j), ErrLanguage, "language %q is not declared", truncate(l, 20)))
			}
		}
		for j, g := range o.Groups {
			v.id(fmt.Sprintf("%s.groups[%d]", p, j), g)
		}
		v.localized(p+".hours", o.Hours)
	}
}

func (v *validator) booking(path string, b *BookingConfig) {
	optionalID(v, path+".area", b.Area)
	ids := map[string]bool{}
	for i, s := range b.Services {
		p := fmt.Sprintf("%s.services[%d]", path, i)
		v.id(p+".id", s.ID)
		if ids[s.ID] {
			v.add(fieldErr(p+".id", ErrInvalid, "service %q listed twice", s.ID))
		}
		ids[s.ID] = true
		v.id(p+".errand", string(s.Errand))
		v.localized(p+".name", s.Name)
		for j, g := range s.Groups {
			v.id(fmt.Sprintf("%s.groups[%d]", p, j), g)
		}
		if s.Rules != nil {
			v.rules(p+".rules", s.Rules)
			switch {
			case s.Rules.StaffOnly && len(s.Groups) > 0:
				v.add(fieldErr(p+".groups", ErrInvalid, "names client groups for a service only professionals book"))
			case !s.Rules.StaffOnly && len(s.Groups) == 0:
				v.add(fieldErr(p+".groups", ErrInvalid, "names no client group: booking lets only the groups listed book themselves"))
			}
		}
	}
}

func (v *validator) rules(path string, r *BookingRules) {
	if r.DurationMinutes <= 0 {
		v.add(fieldErr(path+".duration_minutes", ErrInvalid, "is %d, want > 0", r.DurationMinutes))
	}
	switch r.Channel {
	case channel.InPerson, channel.InboundPhone, channel.Callback, channel.Video:
	default:
		v.add(fieldErr(path+".channel", ErrInvalid, "is %q, want in_person, inbound_phone, callback or video", truncate(string(r.Channel), 40)))
	}
	for name, n := range map[string]int{"min_notice_minutes": r.MinNoticeMinutes, "horizon_days": r.HorizonDays,
		"max_per_client": r.MaxPerClient, "period_days": r.PeriodDays, "client_cancel_before_minutes": r.ClientCancelBeforeMinutes,
		"capacity": r.Capacity, "buffer_before_minutes": r.BufferBeforeMinutes, "buffer_after_minutes": r.BufferAfterMinutes,
		"step_minutes": r.StepMinutes} {
		if n < 0 {
			v.add(fieldErr(path+"."+name, ErrInvalid, "is %d, must not be negative", n))
		}
	}
	if r.MaxPerClient > 0 && r.PeriodDays == 0 {
		v.add(fieldErr(path+".period_days", ErrInvalid, "is required with max_per_client"))
	}
	if len(r.Requires) == 0 || r.Requires[0].Kind != "professional" {
		v.add(fieldErr(path+".requires", ErrInvalid, "must start with a professional"))
	}
	for i, q := range r.Requires {
		p := fmt.Sprintf("%s.requires[%d]", path, i)
		if q.Kind != "professional" && q.Kind != "resource" {
			v.add(fieldErr(p+".kind", ErrInvalid, "is %q, want professional or resource", truncate(q.Kind, 20)))
		}
		v.id(p+".role", q.Role)
		optionalID(v, p+".skill", q.Skill)
	}
	if len(r.PreQuestions) > 0 && !json.Valid(r.PreQuestions) {
		v.add(fieldErr(path+".pre_questions", ErrInvalid, "is not JSON"))
	}
}

func (v *validator) checklist(path string, c *ChecklistItem) {
	v.id(path+".id", c.ID)
	switch c.Category {
	case CategoryTechnical, CategoryInteraction, CategoryPrivacy:
	default:
		v.add(fieldErr(path+".category", ErrInvalid, "is %q, want technical, interaction or privacy", truncate(string(c.Category), 20)))
	}
	if len(c.Actions) == 0 {
		v.add(fieldErr(path+".actions", ErrInvalid, "names no action"))
	}
	for i, a := range c.Actions {
		if !validKey(a) {
			v.add(fieldErr(fmt.Sprintf("%s.actions[%d]", path, i), ErrInvalid, "%q is not an action name such as \"leg.start\"", truncate(a, 40)))
		}
	}
	for i, k := range c.Kinds {
		if !k.Valid() {
			v.add(fieldErr(fmt.Sprintf("%s.kinds[%d]", path, i), ErrInvalid, "unknown channel kind %q", truncate(string(k), 40)))
		}
	}
	v.localized(path+".text", c.Text)
}
