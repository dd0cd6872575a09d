package guidance

import (
	"errors"
	"fmt"

	"github.com/carecontact/carecontact"
)

// phrase is one kind of validation problem in Finnish, Swedish and
// English: format strings taking the same arguments, in the same order,
// as the English reason the error carries.
type phrase struct{ fi, sv, en string }

// phrases translates the reason of every kind of content validation
// problem, keyed by its English format (a test holds every fieldErr call
// of the package to this table).
var phrases = map[string]phrase{
	"is %d, this library reads version %d": {
		fi: "tiedostomuodon versio on %d, mutta tämä kirjasto lukee versiota %d",
		sv: "filformatets version är %d, men detta bibliotek läser version %d",
		en: "the format version is %d, but this library reads version %d"},
	"is %q, want %q": {
		fi: "tiedostomuoto on %q, odotettiin %q",
		sv: "filformatet är %q, förväntat %q",
		en: "the file format is %q, expected %q"},
	"%q is not an action name such as \"leg.start\"": {
		fi: "%q ei ole toiminnon nimi (esimerkiksi \"leg.start\")",
		sv: "%q är inte namnet på en åtgärd (till exempel \"leg.start\")",
		en: "%q is not an action name (such as \"leg.start\")"},
	"%q is not an identifier (lower-case letters, digits, '-', '_', '.')": {
		fi: "%q ei kelpaa tunnisteeksi: käytä pieniä kirjaimia, numeroita ja merkkejä '-', '_' ja '.'",
		sv: "%q duger inte som identifierare: använd små bokstäver, siffror och tecknen '-', '_' och '.'",
		en: "%q is not an identifier: use lower-case letters, digits and '-', '_' or '.'"},
	"%s is not an integer": {
		fi: "%s ei ole kokonaisluku",
		sv: "%s är inte ett heltal",
		en: "%s is not a whole number"},
	"%v": {
		fi: "arvo ei kelpaa (%v)",
		sv: "värdet duger inte (%v)",
		en: "the value is not valid (%v)"},
	"channel %s offered twice": {
		fi: "kanava %s on tarjolla kahdesti",
		sv: "kanalen %s erbjuds två gånger",
		en: "channel %s is offered twice"},
	"duplicate of %s (%s)": {
		fi: "sama sisältö on jo kohdassa %s (%s)",
		sv: "samma innehåll finns redan i %s (%s)",
		en: "the same entry is already at %s (%s)"},
	"is %d, must not be negative": {
		fi: "arvo on %d, mutta se ei saa olla negatiivinen",
		sv: "värdet är %d, men det får inte vara negativt",
		en: "the value is %d, but it must not be negative"},
	"is %d, want 1..100": {
		fi: "järjestysnumero on %d, sen pitää olla 1–100",
		sv: "rangordningen är %d, den ska vara 1–100",
		en: "the rank is %d; it must be 1 to 100"},
	"is %d, want > 0": {
		fi: "kesto on %d minuuttia, sen pitää olla yli 0",
		sv: "längden är %d minuter, den ska vara över 0",
		en: "the duration is %d minutes; it must be more than 0"},
	"is %d, want none, weak or strong": {
		fi: "tunnistustaso %d on tuntematon: valitse ei tunnistusta, heikko tai vahva",
		sv: "identifieringsnivån %d är okänd: välj ingen, svag eller stark",
		en: "identification level %d is unknown: choose none, weak or strong"},
	"is %q, want in_person, inbound_phone, callback or video": {
		fi: "asiointitapa %q on tuntematon: valitse käynti, puhelu, takaisinsoitto tai video",
		sv: "kontaktsättet %q är okänt: välj besök, samtal, återuppringning eller video",
		en: "channel %q is unknown: choose in person, phone, callback or video"},
	"is %q, want professional or resource": {
		fi: "tarve %q on tuntematon: valitse ammattilainen tai resurssi",
		sv: "behovet %q är okänt: välj yrkesperson eller resurs",
		en: "requirement %q is unknown: choose professional or resource"},
	"is %q, want technical, interaction or privacy": {
		fi: "luokka %q on tuntematon: valitse tekniikka, vuorovaikutus tai tietosuoja",
		sv: "kategorin %q är okänd: välj teknik, interaktion eller dataskydd",
		en: "category %q is unknown: choose technical, interaction or privacy"},
	"is %s, want %s": {
		fi: "arvo on tyyppiä %s, odotettiin tyyppiä %s",
		sv: "värdet är av typen %s, förväntat typen %s",
		en: "the value is of type %s; expected %s"},
	"is empty": {
		fi: "kenttä on tyhjä",
		sv: "fältet är tomt",
		en: "the field is empty"},
	"is not JSON": {
		fi: "esitiedot eivät ole kelvollista JSONia",
		sv: "förhandsfrågorna är inte giltig JSON",
		en: "the pre-questions are not valid JSON"},
	"is required with max_per_client": {
		fi: "jakson pituus tarvitaan, kun asiakaskohtainen enimmäismäärä on annettu",
		sv: "periodens längd behövs när ett maximum per klient är angivet",
		en: "the period is required when a limit per client is set"},
	"item %q listed twice": {
		fi: "tarkistuslistan kohta %q on kahdesti",
		sv: "punkten %q finns två gånger i checklistan",
		en: "checklist item %q is listed twice"},
	"must hold exactly one of text, channels, booking, checklist": {
		fi: "sisällössä pitää olla täsmälleen yksi seuraavista: teksti, kanavat, ajanvaraus tai tarkistuslistan kohta",
		sv: "innehållet ska ha exakt ett av följande: text, kanaler, tidsbokning eller punkt i checklistan",
		en: "the entry must hold exactly one of a text, channels, booking or a checklist item"},
	"must start with a professional": {
		fi: "ensimmäisen tarpeen pitää olla ammattilainen",
		sv: "det första behovet ska vara en yrkesperson",
		en: "the first requirement must be a professional"},
	"names no action": {
		fi: "kohdalle ei ole nimetty yhtään toimintoa",
		sv: "punkten anger ingen åtgärd",
		en: "the item names no action"},
	"names no client group: booking lets only the groups listed book themselves": {
		fi: "asiakasryhmää ei ole nimetty: vain luetellut ryhmät voivat varata itse",
		sv: "ingen klientgrupp anges: bara de grupper som räknas upp kan boka själva",
		en: "no client group is named: only the groups listed can book themselves"},
	"names client groups for a service only professionals book": {
		fi: "asiakasryhmiä on nimetty palvelulle, jonka varaavat vain ammattilaiset",
		sv: "klientgrupper anges för en tjänst som bara yrkespersoner bokar",
		en: "client groups are named for a service only professionals book"},
	"offers no channel": {
		fi: "yhtään asiointikanavaa ei ole tarjolla",
		sv: "ingen kanal erbjuds",
		en: "no channel is offered"},
	"service %q listed twice": {
		fi: "palvelu %q on luettelossa kahdesti",
		sv: "tjänsten %q finns två gånger i listan",
		en: "service %q is listed twice"},
	"unknown channel kind %q": {
		fi: "kanavan laji %q on tuntematon",
		sv: "kanaltypen %q är okänd",
		en: "channel kind %q is unknown"},
	"unknown key (known: %s)": {
		fi: "tuntematon kenttä (sallitut: %s)",
		sv: "okänt fält (tillåtna: %s)",
		en: "unknown field (allowed: %s)"},
	"has no text in any language": {
		fi: "tekstiä ei ole millään kielellä",
		sv: "det finns ingen text på något språk",
		en: "there is no text in any language"},
	"language %q is not declared in languages %v": {
		fi: "kieltä %q ei ole sisällön kielissä %v",
		sv: "språket %q finns inte bland innehållets språk %v",
		en: "language %q is not among the content's languages %v"},
	"language %q is not declared": {
		fi: "kieltä %q ei ole sisällön kielissä",
		sv: "språket %q finns inte bland innehållets språk",
		en: "language %q is not among the content's languages"},
	"missing the default language %q": {
		fi: "oletuskielinen (%q) teksti puuttuu",
		sv: "texten på standardspråket (%q) saknas",
		en: "the text in the default language (%q) is missing"},
	"%q must use {%s}": {
		fi: "tekstin %q pitää käyttää paikkamerkkiä {%s}",
		sv: "texten %q ska använda platshållaren {%s}",
		en: "text %q must use the placeholder {%s}"},
	"channel %s is offered but no text %q serves area %q for every errand": {
		fi: "kanava %s on tarjolla, mutta mikään teksti %q ei palvele aluetta %q kaikissa asioissa",
		sv: "kanalen %s erbjuds, men ingen text %q betjänar området %q i alla ärenden",
		en: "channel %s is offered, but no text %q serves area %q for every errand"},
	"%q": {
		fi: "tekstiavain %q on tuntematon",
		sv: "textnyckeln %q är okänd",
		en: "text key %q is unknown"},
	"{%s} is not a variable of %q (allowed: %v)": {
		fi: "{%s} ei ole tekstin %q paikkamerkki (sallitut: %v)",
		sv: "{%s} är inte en platshållare i texten %q (tillåtna: %v)",
		en: "{%s} is not a placeholder of text %q (allowed: %v)"},
}

// sentinel is one error kind with its sentence in each language, for a
// problem that carries no phrase of its own (a *carecontact.FieldError
// such as a template's syntax error, or a whole-file problem).
type sentinel struct {
	err error
	phrase
}

// sentinels are tried in order: the more specific kinds first.
var sentinels = []sentinel{
	{ErrTemplate, phrase{fi: "tekstipohjan kirjoitusasu on virheellinen: tarkista aaltosulkeet {}", sv: "mallen är felaktigt skriven: kontrollera klammerparenteserna {}", en: "the template is written wrongly: check the braces {}"}},
	{ErrUnknownKey, phrase{fi: "tekstiavain on tuntematon", sv: "textnyckeln är okänd", en: "the text key is unknown"}},
	{ErrUnknownVariable, phrase{fi: "tekstissä on paikkamerkki, jota sen avain ei salli", sv: "texten har en platshållare som dess nyckel inte tillåter", en: "the text uses a placeholder its key does not allow"}},
	{ErrMissingVariable, phrase{fi: "tekstistä puuttuu pakollinen paikkamerkki", sv: "texten saknar en obligatorisk platshållare", en: "the text leaves out a required placeholder"}},
	{ErrMissingValue, phrase{fi: "paikkamerkille ei ole annettu arvoa", sv: "platshållaren har inget värde", en: "a placeholder has no value"}},
	{ErrLanguage, phrase{fi: "tekstin kieli on väärä tai oletuskieli puuttuu", sv: "textens språk är fel eller standardspråket saknas", en: "the text's language is wrong, or the default language is missing"}},
	{ErrFormat, phrase{fi: "tiedosto ei ole tuettua ohjesisältöä", sv: "filen är inte innehåll i ett format som stöds", en: "the file is not guidance content of a supported format"}},
	{ErrNotFound, phrase{fi: "tarvittavaa sisältöä ei löydy", sv: "innehåll som behövs saknas", en: "content that is needed is missing"}},
	{ErrInvalid, phrase{fi: "sisältö ei kelpaa", sv: "innehållet duger inte", en: "the content is not valid"}},
}

// Message is one validation problem explained: the field it concerns
// (a path such as "texts[3].text.sv"; empty for the whole content) and a
// sentence in the language asked for.
type Message struct {
	Field string
	Text  string
}

// String returns "field: text", or the text alone.
func (m Message) String() string {
	if m.Field == "" {
		return m.Text
	}
	return m.Field + ": " + m.Text
}

// Explain returns a sentence for every validation problem in err, in
// lang ("fi", "sv" or "en"; any other language gets English), in the
// order of the problems: err may be one problem or several joined (as
// Content.Validate, Decode, Guide.Draft and the other steps return them).
// The errors themselves are unchanged (errors.Is and errors.As see the
// same sentinels and *carecontact.FieldError as before); Explain only
// words them for the professional who wrote the content. A problem that
// is not a validation error (a store failure, a denial) is worded by its
// kind as far as known, else left as err's English text. Explain(nil, _)
// is nil.
func Explain(err error, lang string) []Message {
	if err == nil {
		return nil
	}
	var out []Message
	explain(err, lang, &out)
	return out
}

func explain(err error, lang string, out *[]Message) {
	switch e := err.(type) {
	case *fieldError:
		*out = append(*out, Message{Field: e.path, Text: e.message(lang)})
		return
	case *FileError:
		if e.problem != nil {
			*out = append(*out, Message{Field: e.Key, Text: e.problem.message(lang)})
		} else {
			*out = append(*out, Message{Field: e.Key, Text: kindSentence(e.Err, lang)})
		}
		return
	case *carecontact.FieldError:
		*out = append(*out, Message{Field: e.Field, Text: kindSentence(e, lang)})
		return
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			explain(inner, lang, out)
		}
		return
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		switch u.(type) {
		case *fieldError, *FileError, *carecontact.FieldError, interface{ Unwrap() []error }:
			explain(u, lang, out)
			return
		}
	}
	*out = append(*out, Message{Text: kindSentence(err, lang)})
}

// message words a content problem in lang.
func (e *fieldError) message(lang string) string {
	p, ok := phrases[e.format]
	if !ok {
		return kindSentence(e.err, lang)
	}
	return sentence(fmt.Sprintf(p.in(lang), e.args...))
}

// kindSentence words err by its sentinel kind.
func kindSentence(err error, lang string) string {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return sentence(s.in(lang))
		}
	}
	return err.Error()
}

func (p phrase) in(lang string) string {
	switch lang {
	case "fi":
		return p.fi
	case "sv":
		return p.sv
	}
	return p.en
}

// sentence capitalises s's first letter (when it is ASCII) and ends it
// with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	return s + "."
}
