package audit

import (
	"regexp"
	"strings"
	"unicode"
)

// The detector of personal data that Validate and Redact share. It looks
// for two things:
//
// A Finnish personal identity code (henkilötunnus): six digits (DDMMYY), a
// century sign, three digits and a check character. The century signs are
// "-", "+", A-F and U-Y in either case; a Unicode hyphen, dash or minus
// counts as "-". Such a code standing alone is caught as it is. A code
// with a space for its century sign, or glued to letters or digits around
// it ("asiakas131052-308T"), is caught when its date and check character
// are valid. Inside a word a letter sign does not count: it cannot be told
// from a stretch of a random hexadecimal ID.
//
// A phone number: a run of digits with at most three separators (space,
// no-break space, ".", "-", "/", "(", ")" or a Unicode dash) between digit
// groups, where a "." or "/" must be followed by at least three digits
// (so dates and times such as 01.01.2025 and 08.00 are not numbers). The
// run is a phone number when it begins with "+" and has at least 7
// digits, or begins with "0" then a digit other than 0 and has at least 8,
// or "00" then a digit other than 0 (an international prefix) and has at
// least 9, or "358" and has at least 10. So "(040) 1234567",
// "040.123.4567", "040/1234567", "358401234567" and "+358 (0)40 1234567"
// are numbers, and a zero-padded counter ("00012345") is not. Digits joined
// to a preceding word by a letter, "-", "_" or "/" are part of an
// identifier ("apt-00012345", "appointment/01234567"), and so are digits
// that run straight into letters ("0303026651bf…"), not a number; a run
// that begins with "+" is a number wherever it stands.
//
// Identifiers in the canonical UUID form are set aside first: their
// dash-separated digit groups (…-0412-4567-…) would otherwise read as phone
// numbers, and a UUID is an opaque reference, never personal data.

var uuidPattern = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

// Redacted is the text Redact puts in place of personal data.
const Redacted = "[redacted]"

func looksPersonal(s string) bool {
	if !enoughDigits(s) {
		return false
	}
	rs, _ := scanText(s)
	return next(rs, 0) >= 0
}

// Redact returns s with every phone number and personal identity code the
// detector finds replaced by "[redacted]". Packages use it on free text
// (a reason, a role, a method) before the text goes into an event's
// Detail, so such text never blocks an operation and never reaches the
// audit trail as it was typed.
func Redact(s string) string {
	if !enoughDigits(s) {
		return s
	}
	rs, offs := scanText(s)
	var b strings.Builder
	last := 0 // byte offset in s up to which s is copied
	for i := next(rs, 0); i >= 0; i = next(rs, i) {
		start, end := i, spanEnd(rs, i)
		b.WriteString(s[last:offs[start]])
		b.WriteString(Redacted)
		last = offs[end]
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// enoughDigits reports whether s holds at least seven ASCII digits, the
// fewest any number or code the detector knows has.
func enoughDigits(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if n++; n == 7 {
				return true
			}
		}
	}
	return false
}

// scanText returns the runes of s with every UUID blanked out, and the
// byte offset in s of each rune, plus len(s) at the end.
func scanText(s string) ([]rune, []int) {
	masked := uuidPattern.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat(" ", len(m)) })
	rs := make([]rune, 0, len(masked))
	offs := make([]int, 0, len(masked)+1)
	for i, r := range masked {
		rs = append(rs, r)
		offs = append(offs, i)
	}
	return rs, append(offs, len(s))
}

// next returns the index of the first rune at or after from where personal
// data begins, or -1.
func next(rs []rune, from int) int {
	for i := from; i < len(rs); i++ {
		if _, ok := hetuAt(rs, i); ok {
			return i
		}
		if _, ok := phoneAt(rs, i); ok {
			return i
		}
	}
	return -1
}

// spanEnd returns the end of the personal data that begins at rune i.
func spanEnd(rs []rune, i int) int {
	if end, ok := hetuAt(rs, i); ok {
		return end
	}
	end, _ := phoneAt(rs, i)
	return end
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isDash reports whether r is a hyphen, dash or minus sign of any kind.
func isDash(r rune) bool {
	switch r {
	case '-', '\u00ad', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe58', '\ufe63', '\uff0d':
		return true
	}
	return false
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u00a0' || r == '\u2009' || r == '\u202f'
}

// hetuCheck are the check characters of a personal identity code, indexed
// by the nine digits modulo 31.
const hetuCheck = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// hetuAt reports whether a personal identity code begins at rune i, and
// where it ends.
func hetuAt(rs []rune, i int) (int, bool) {
	end := i + 11
	if end > len(rs) {
		return 0, false
	}
	n := 0
	for k, r := range rs[i:end] {
		if k == 6 {
			continue
		}
		if k == 10 {
			break
		}
		if !isDigit(r) {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	sign, check := unicode.ToUpper(rs[i+6]), unicode.ToUpper(rs[end-1])
	official := sign == '+' || isDash(sign) || (sign >= 'A' && sign <= 'F') || (sign >= 'U' && sign <= 'Y')
	if !official && !isSpace(sign) {
		return 0, false
	}
	if !isDigit(check) && (check < 'A' || check > 'Y') {
		return 0, false
	}
	bounded := (i == 0 || !isAlnum(rs[i-1])) && (end == len(rs) || !isAlnum(rs[end]))
	if official && bounded {
		return end, true
	}
	if !bounded && unicode.IsLetter(sign) {
		return 0, false // a letter sign inside a word: a stretch of a random ID
	}
	day, month := n/10000000, n/100000%100
	valid := day >= 1 && day <= 31 && month >= 1 && month <= 12 && rune(hetuCheck[n%31]) == check
	return end, valid
}

// isPhoneSep reports whether r may stand between the digit groups of a
// phone number.
func isPhoneSep(r rune) bool {
	return isSpace(r) || isDash(r) || r == '.' || r == '/' || r == '(' || r == ')'
}

// phoneAt reports whether a phone number begins at rune i, and where it
// ends. It reads at most a few runes past the first three digits unless
// the number is one, so a scan of a long text stays linear.
func phoneAt(rs []rune, i int) (int, bool) {
	if i > 0 && isDigit(rs[i-1]) {
		return 0, false // not the start of a run of digits
	}
	j, plus, paren := i, false, false
	if rs[j] == '+' {
		plus, j = true, j+1
		if j < len(rs) && isSpace(rs[j]) {
			j++
		}
	} else if isDigit(rs[j]) && joinedToWord(rs, i) {
		return 0, false
	}
	if j < len(rs) && rs[j] == '(' {
		paren, j = true, j+1
	}
	if j >= len(rs) || !isDigit(rs[j]) {
		return 0, false
	}
	var head [3]byte // the first three digits
	digits, need, end := 0, 0, j
	for groups := 0; ; groups++ {
		for ; j < len(rs) && isDigit(rs[j]); j++ {
			if digits < len(head) {
				head[digits] = byte(rs[j])
			}
			digits++
			if digits == len(head) {
				if need = phoneDigits(head, plus); need == 0 {
					return 0, false
				}
			}
		}
		end = j
		if groups == 0 && !plus && !paren && j < len(rs) && unicode.IsLetter(rs[j]) {
			return 0, false // digits that run into letters: a word such as a hexadecimal ID
		}
		k, strict := j, false
		for ; k < len(rs) && k-j < 3 && isPhoneSep(rs[k]); k++ {
			strict = strict || rs[k] == '.' || rs[k] == '/'
		}
		if k == j || k >= len(rs) || !isDigit(rs[k]) {
			break
		}
		if strict && !(k+2 < len(rs) && isDigit(rs[k+1]) && isDigit(rs[k+2])) {
			break
		}
		j = k
	}
	if need == 0 || digits < need {
		return 0, false
	}
	if paren && end < len(rs) && rs[end] == ')' {
		end++
	}
	return end, true
}

// joinedToWord reports whether the digits at rune i continue a word: a
// letter right before them, or "-", "_" or "/" after a letter or digit.
func joinedToWord(rs []rune, i int) bool {
	if i == 0 {
		return false
	}
	p := rs[i-1]
	if unicode.IsLetter(p) {
		return true
	}
	return (p == '-' || p == '_' || p == '/') && i >= 2 && isAlnum(rs[i-2])
}

// phoneDigits returns how many digits a phone number with the first three
// digits head needs at least, or 0 when no phone number begins so.
func phoneDigits(head [3]byte, plus bool) int {
	switch {
	case plus:
		return 7
	case head[0] == '0' && head[1] == '0':
		if head[2] == '0' {
			return 0 // a zero-padded counter
		}
		return 9
	case head[0] == '0':
		return 8
	case head == [3]byte{'3', '5', '8'}:
		return 10
	}
	return 0
}
