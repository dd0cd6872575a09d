package guidance

import (
	"slices"
	"strconv"
	"time"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact/channel"
)

// Checklist is the set of professional checklist items in force, ordered by
// category (technical, interaction, privacy) and then by ID. It answers which items must be done before an action in a channel;
// its Required method has the shape of the session package's
// ChecklistPolicy. A Checklist is immutable and safe for concurrent use; the
// zero value requires nothing.
type Checklist struct {
	items []ChecklistItem
	langs *languages
}

// NewChecklist returns a checklist of items written in langs (the first is
// the default). Items are validated as in a content file.
func NewChecklist(langs []string, items ...ChecklistItem) (Checklist, error) {
	l, err := newLanguages(langs)
	if err != nil {
		return Checklist{}, err
	}
	v := &validator{schema: DefaultSchema(), langs: l}
	ids := map[string]bool{}
	for i := range items {
		p := "checklist[" + strconv.Itoa(i) + "]"
		v.checklist(p, &items[i])
		if ids[items[i].ID] {
			v.add(fieldErr(p+".id", ErrInvalid, "item %q listed twice", items[i].ID))
		}
		ids[items[i].ID] = true
	}
	if err := v.err(); err != nil {
		return Checklist{}, err
	}
	entries := make([]Entry, len(items))
	for i := range items {
		entries[i] = Entry{Checklist: &items[i]}.Clone()
	}
	c, err := buildCatalog(l, DefaultSchema(), entries, nil, time.Time{})
	if err != nil {
		return Checklist{}, err
	}
	return c.checklist, nil
}

func categoryOrder(c Category) int {
	switch c {
	case CategoryTechnical:
		return 0
	case CategoryInteraction:
		return 1
	}
	return 2
}

// applies reports whether it is required before action in channel k.
func (it ChecklistItem) applies(action string, k channel.Kind) bool {
	return slices.Contains(it.Actions, action) && (len(it.Kinds) == 0 || slices.Contains(it.Kinds, k))
}

// Required returns the IDs of the items required before action in a
// channel of kind k, in checklist order; nil when none.
func (c Checklist) Required(action string, k channel.Kind) []string {
	var ids []string
	for _, it := range c.items {
		if it.applies(action, k) {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// Items returns copies of the items required before action in channel k.
func (c Checklist) Items(action string, k channel.Kind) []ChecklistItem {
	var out []ChecklistItem
	for _, it := range c.items {
		if it.applies(action, k) {
			out = append(out, *Entry{Checklist: &it}.Clone().Checklist)
		}
	}
	return out
}

// Item returns a copy of the item with id.
func (c Checklist) Item(id string) (ChecklistItem, bool) {
	for _, it := range c.items {
		if it.ID == id {
			return *Entry{Checklist: &it}.Clone().Checklist, true
		}
	}
	return ChecklistItem{}, false
}

// Text returns item id's text in the language that best serves prefs (a
// professional's languages), and that language.
func (c Checklist) Text(id string, prefs []language.Tag) (string, language.Tag, bool) {
	it, ok := c.Item(id)
	if !ok || c.langs == nil {
		return "", language.Und, false
	}
	name, _ := c.langs.match(c.langs.mask(it.Text), prefs)
	return it.Text[name], language.Make(name), true
}
