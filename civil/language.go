package civil

import (
	"fmt"

	"golang.org/x/text/language"
)

// Language is a language the library serves clients in: Finnish, Swedish
// or English, as its ISO 639-1 code. Its JSON and text form is that code;
// decoding accepts any well-formed BCP 47 tag, as ParseLanguage does.
type Language string

// The supported languages. Finnish is the default.
const (
	Finnish Language = "fi"
	Swedish Language = "sv"
	English Language = "en"
)

// Languages returns the supported languages, the default first.
func Languages() []Language { return []Language{Finnish, Swedish, English} }

var (
	supportedTags = []language.Tag{language.Finnish, language.Swedish, language.English}
	matcher       = language.NewMatcher(supportedTags)
)

// ParseLanguage parses a BCP 47 tag ("sv-FI", "fi", "en-GB", "de") and
// matches it to a supported language with a language.Matcher: "sv-FI" is
// Swedish, "en-GB" English. A well-formed tag that matches none of them
// ("de") falls back to Finnish. The empty string is Finnish. Only a
// malformed tag is an error.
func ParseLanguage(s string) (Language, error) {
	if s == "" {
		return Finnish, nil
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", invalid("language", fmt.Sprintf("%q is not a BCP 47 tag", truncate(s)))
	}
	return MatchLanguage(tag), nil
}

// MatchLanguage returns the supported language that best serves the tags
// (most preferred first), or Finnish when none matches.
func MatchLanguage(tags ...language.Tag) Language {
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Finnish
	}
	return Languages()[i]
}

// Valid reports whether l is one of the supported languages as its code.
func (l Language) Valid() bool { return l == Finnish || l == Swedish || l == English }

// Tag returns l as a language.Tag; an unsupported value is Finnish.
func (l Language) Tag() language.Tag {
	switch l {
	case Swedish:
		return language.Swedish
	case English:
		return language.English
	}
	return language.Finnish
}

// String returns the language code.
func (l Language) String() string { return string(l) }

// MarshalText encodes l as its code.
func (l Language) MarshalText() ([]byte, error) { return []byte(l), nil }

// UnmarshalText decodes any well-formed BCP 47 tag, matched as
// ParseLanguage does. The empty text decodes to the empty Language, which
// the library's APIs read as Finnish.
func (l *Language) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*l = ""
		return nil
	}
	v, err := ParseLanguage(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Names holds a display name in Finnish, Swedish and English.
type Names struct {
	FI string `json:"fi"`
	SV string `json:"sv,omitempty"`
	EN string `json:"en,omitempty"`
}

// In returns the name in l, falling back to Finnish when that name is
// empty or l is not supported.
func (n Names) In(l Language) string {
	switch l {
	case Swedish:
		if n.SV != "" {
			return n.SV
		}
	case English:
		if n.EN != "" {
			return n.EN
		}
	}
	return n.FI
}
