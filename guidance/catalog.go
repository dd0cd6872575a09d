package guidance

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Scope narrows a text to a service area and a service (an e-bookable
// service ID or an errand). Empty fields mean "any".
type Scope struct {
	Area    carecontact.AreaID
	Service string
}

// candidates returns the scopes to try, most specific first.
func (s Scope) candidates() []Scope {
	out := []Scope{s}
	add := func(c Scope) {
		for _, o := range out {
			if o == c {
				return
			}
		}
		out = append(out, c)
	}
	add(Scope{Area: s.Area})
	add(Scope{Service: s.Service})
	add(Scope{})
	return out
}

// Rendered is a text ready to show: the language it is actually in (after
// any fallback) and the same text as plain text and as an escaped HTML
// fragment, with the version of the content it was rendered from.
type Rendered struct {
	Key      string
	Scope    Scope
	Language language.Tag
	Plain    string
	HTML     template.HTML
	// Version names the published version of the text's entry; zero for
	// a catalog that NewCatalog built from a content set.
	Version Ref
}

type textID struct {
	key string
	Scope
}

type compiledText struct {
	text Text
	tmpl map[string]*Template
	mask uint32
	ref  Ref
}

// Catalog is the guidance content in force at one moment: what Guide.Published
// returns for a time, or what NewCatalog builds straight from a content set.
// It serves texts, channel advice and checklists. A Catalog is immutable and
// safe for concurrent use.
type Catalog struct {
	at        time.Time
	langs     *languages
	schema    *Schema
	entries   []Entry
	texts     map[textID]*compiledText
	channels  map[string]ChannelConfig
	booking   map[string]BookingConfig
	checklist Checklist
	versions  map[string]Ref
}

// NewCatalog validates c against schema (DefaultSchema when nil) and returns
// a catalog serving all of it.
func NewCatalog(c Content, schema *Schema) (*Catalog, error) {
	if schema == nil {
		schema = DefaultSchema()
	}
	if err := c.Validate(schema); err != nil {
		return nil, err
	}
	langs, err := newLanguages(c.Languages)
	if err != nil {
		return nil, err
	}
	return buildCatalog(langs, schema, c.Entries(), nil, time.Time{})
}

// buildCatalog compiles entries that have been validated; refs, when not
// nil, name the version of each entry.
func buildCatalog(langs *languages, schema *Schema, entries []Entry, refs []Ref, at time.Time) (*Catalog, error) {
	c := &Catalog{
		at: at, langs: langs, schema: schema, entries: entries,
		texts:    map[textID]*compiledText{},
		channels: map[string]ChannelConfig{},
		booking:  map[string]BookingConfig{},
		versions: map[string]Ref{},
	}
	var items []ChecklistItem
	for i, e := range entries {
		if i < len(refs) {
			c.versions[e.Subject()] = refs[i]
		}
		switch {
		case e.Text != nil:
			ct := &compiledText{text: *e.Text, tmpl: map[string]*Template{}, mask: langs.mask(e.Text.Text)}
			if i < len(refs) {
				ct.ref = refs[i]
			}
			for lang, src := range e.Text.Text {
				t, err := ParseTemplate(src)
				if err != nil {
					return nil, fmt.Errorf("guidance: %s: %s: %w", e.Subject(), lang, err)
				}
				ct.tmpl[lang] = t
			}
			c.texts[textID{key: e.Text.Key, Scope: Scope{Area: e.Text.Area, Service: e.Text.Service}}] = ct
		case e.Channels != nil:
			c.channels[string(e.Channels.Area)] = *e.Channels
		case e.Booking != nil:
			c.booking[string(e.Booking.Area)] = *e.Booking
		case e.Checklist != nil:
			items = append(items, *e.Checklist)
		}
	}
	slices.SortStableFunc(items, func(a, b ChecklistItem) int {
		return cmp.Or(cmp.Compare(categoryOrder(a.Category), categoryOrder(b.Category)), cmp.Compare(a.ID, b.ID))
	})
	c.checklist = Checklist{items: items, langs: langs}
	return c, nil
}

// At returns the moment the catalog reconstructs (zero for a catalog built
// by NewCatalog).
func (c *Catalog) At() time.Time { return c.at }

// Languages returns the content languages, the default first.
func (c *Catalog) Languages() []string { return append([]string(nil), c.langs.names...) }

// Content returns the catalog's content as a content set, for export.
func (c *Catalog) Content() Content { return NewContent(c.langs.names, c.entries) }

// Language returns the content language that best serves prefs (the
// client's languages, most preferred first), falling back to the default.
func (c *Catalog) Language(prefs []language.Tag) language.Tag {
	return c.langs.tags[c.langs.index(c.choose(prefs).best)]
}

// Render renders the text for key in scope for a client who prefers prefs.
// It picks the most specific scope that has the text in a well-matching
// language; if none has, the most specific text in its best (or default)
// language. vals supplies the variables; area_name is filled in from the
// area's channel configuration unless vals has it. Errors: ErrUnknownKey,
// ErrNotFound (no text in any scope), ErrMissingValue.
func (c *Catalog) Render(key string, scope Scope, prefs []language.Tag, vals Vars) (Rendered, error) {
	return c.render(key, scope, c.choose(prefs), vals, nil)
}

// LocalizedVars holds variable values written in several languages, such
// as a service's name: a text takes each in the language it is actually
// rendered in (after any fallback), or in the default language when the
// value has none in it.
type LocalizedVars map[string]Localized

// RenderLocalized is Render with values in several languages as well:
// loc's values are taken in the language the text is rendered in, so a
// Swedish text never names a service in Finnish when the service has a
// Swedish name. A value in vals wins over one in loc.
func (c *Catalog) RenderLocalized(key string, scope Scope, prefs []language.Tag, vals Vars, loc LocalizedVars) (Rendered, error) {
	return c.render(key, scope, c.choose(prefs), vals, loc)
}

// langChoice is a client's language preferences resolved once against the
// content languages.
type langChoice struct {
	prefs []language.Tag
	best  string // the best content language (the default when none matches)
	good  bool   // best matches with at least High confidence
}

func (c *Catalog) choose(prefs []language.Tag) langChoice {
	best, good := c.langs.match(1<<len(c.langs.names)-1, prefs)
	return langChoice{prefs: prefs, best: best, good: good}
}

// pick returns the language to serve ct in for ch, and whether it matches
// the client's preferences well.
func (c *Catalog) pick(ct *compiledText, ch langChoice) (string, bool) {
	if _, ok := ct.tmpl[ch.best]; ok {
		return ch.best, ch.good
	}
	return c.langs.match(ct.mask, ch.prefs)
}

func (c *Catalog) render(key string, scope Scope, ch langChoice, vals Vars, loc LocalizedVars) (Rendered, error) {
	if _, ok := c.schema.Key(key); !ok {
		return Rendered{}, carecontact.Invalid(ErrUnknownKey, "key", fmt.Sprintf("%q", truncate(key, 60)))
	}
	var chosen, fallback *compiledText
	var chosenScope, fallbackScope Scope
	var lang string
	for _, s := range scope.candidates() {
		ct := c.texts[textID{key: key, Scope: s}]
		if ct == nil {
			continue
		}
		if fallback == nil {
			fallback, fallbackScope = ct, s
		}
		if !ch.good {
			// Nothing matches well in any text: serve the most specific.
			break
		}
		if name, good := c.pick(ct, ch); good {
			chosen, chosenScope, lang = ct, s, name
			break
		}
	}
	if chosen == nil {
		if fallback == nil {
			return Rendered{}, fmt.Errorf("%w: no text %q for area %q, service %q", ErrNotFound, key, star(scope.Area), star(scope.Service))
		}
		chosen, chosenScope = fallback, fallbackScope
		lang, _ = c.pick(chosen, ch)
	}
	plain, err := chosen.tmpl[lang].execute(func(name string) (string, bool) {
		if v, ok := vals[name]; ok {
			return v, ok
		}
		if l, ok := loc[name]; ok && len(l) > 0 {
			return c.localize(l, lang), true
		}
		if name != VarAreaName {
			return "", false
		}
		return c.areaName(scope.Area, lang)
	})
	if err != nil {
		return Rendered{}, fmt.Errorf("guidance: render %q (%s, %s): %w", key, star(chosenScope.Area), lang, err)
	}
	return Rendered{Key: key, Scope: chosenScope, Language: c.langs.tags[c.langs.index(lang)], Plain: plain, HTML: plainToHTML(plain),
		Version: chosen.ref}, nil
}

// areaName returns the name of area in lang (or the best language) from
// its channel configuration.
func (c *Catalog) areaName(area carecontact.AreaID, lang string) (string, bool) {
	cfg, ok := c.channelConfig(area)
	if !ok {
		return "", false
	}
	return c.localize(cfg.AreaName, lang), true
}

// localize returns loc in lang, or in the default language.
func (c *Catalog) localize(loc Localized, lang string) string {
	if s, ok := loc[lang]; ok {
		return s
	}
	name, _ := c.langs.match(c.langs.mask(loc), []language.Tag{language.Make(lang)})
	return loc[name]
}

// channelConfig returns the area's channel configuration or the default.
func (c *Catalog) channelConfig(area carecontact.AreaID) (ChannelConfig, bool) {
	if cfg, ok := c.channels[string(area)]; ok {
		return cfg, true
	}
	cfg, ok := c.channels[""]
	return cfg, ok
}

// bookingConfig returns the area's booking configuration or the default.
func (c *Catalog) bookingConfig(area carecontact.AreaID) (BookingConfig, bool) {
	if cfg, ok := c.booking[string(area)]; ok {
		return cfg, true
	}
	cfg, ok := c.booking[""]
	return cfg, ok
}

// Version returns the published version of subject that the catalog
// serves; false for a subject it does not serve or a catalog that
// NewCatalog built.
func (c *Catalog) Version(subject string) (Ref, bool) {
	r, ok := c.versions[subject]
	return r, ok
}

// Bookable returns the booking configuration serving area (its own, or
// the default) and the version it was published as (zero for a catalog
// NewCatalog built).
func (c *Catalog) Bookable(area carecontact.AreaID) (BookingConfig, Ref, bool) {
	cfg, ok := c.bookingConfig(area)
	if !ok {
		return BookingConfig{}, Ref{}, false
	}
	e := Entry{Booking: &cfg}
	return *e.Clone().Booking, c.versions[e.Subject()], true
}

// Checklist returns the professional checklist in force.
func (c *Catalog) Checklist() Checklist { return c.checklist }

// Required returns the IDs of the checklist items required before action in
// a channel of kind k; it makes a Catalog usable as the session package's
// checklist policy.
func (c *Catalog) Required(action string, k channel.Kind) []string {
	return c.checklist.Required(action, k)
}
