package guidance

import (
	"fmt"
	"sync"

	"golang.org/x/text/language"
)

const maxLanguages = 16

// languages is the ordered set of languages a content set is written in;
// the first one is the default that every text must have and that serves
// clients whose preferences match none of them.
type languages struct {
	names []string
	tags  []language.Tag

	mu       sync.Mutex
	matchers map[uint32]language.Matcher
}

func newLanguages(names []string) (*languages, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no languages declared", ErrLanguage)
	}
	if len(names) > maxLanguages {
		return nil, fmt.Errorf("%w: %d languages declared, at most %d", ErrLanguage, len(names), maxLanguages)
	}
	l := &languages{matchers: map[uint32]language.Matcher{}}
	for i, n := range names {
		tag, err := language.Parse(n)
		if err != nil || tag.String() != n {
			return nil, fmt.Errorf("%w: languages[%d]: %q is not a canonical BCP 47 tag", ErrLanguage, i, truncate(n, 20))
		}
		for _, prev := range l.names {
			if prev == n {
				return nil, fmt.Errorf("%w: languages[%d]: %q declared twice", ErrLanguage, i, n)
			}
		}
		l.names = append(l.names, n)
		l.tags = append(l.tags, tag)
	}
	return l, nil
}

// index returns the position of the language named n, or -1.
func (l *languages) index(n string) int {
	for i, name := range l.names {
		if name == n {
			return i
		}
	}
	return -1
}

// mask returns the bit set of the content languages loc has.
func (l *languages) mask(loc map[string]string) uint32 {
	var m uint32
	for i, n := range l.names {
		if _, ok := loc[n]; ok {
			m |= 1 << i
		}
	}
	return m
}

// match picks, among the languages in mask, the best one for prefs (most
// preferred first). With no acceptable match it returns the first language
// in mask in content order, which is the default language whenever the
// default is present; good reports a match of at least High confidence.
func (l *languages) match(m uint32, prefs []language.Tag) (name string, good bool) {
	if m == 0 {
		return "", false
	}
	var supported []int
	for i := range l.names {
		if m&(1<<i) != 0 {
			supported = append(supported, i)
		}
	}
	if len(prefs) == 0 {
		return l.names[supported[0]], false
	}
	_, idx, conf := l.matcher(m, supported).Match(prefs...)
	if conf == language.No {
		return l.names[supported[0]], false
	}
	return l.names[supported[idx]], conf >= language.High
}

func (l *languages) matcher(m uint32, supported []int) language.Matcher {
	l.mu.Lock()
	defer l.mu.Unlock()
	if mt, ok := l.matchers[m]; ok {
		return mt
	}
	tags := make([]language.Tag, len(supported))
	for i, s := range supported {
		tags[i] = l.tags[s]
	}
	mt := language.NewMatcher(tags)
	l.matchers[m] = mt
	return mt
}

// Localized is a short text in several languages, keyed by BCP 47 language
// tag ("fi", "sv", "en"). Localized values are plain text, not templates.
type Localized map[string]string

func (loc Localized) clone() Localized {
	if loc == nil {
		return nil
	}
	out := make(Localized, len(loc))
	for k, v := range loc {
		out[k] = v
	}
	return out
}
