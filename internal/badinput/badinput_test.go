package badinput_test

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/guidance"
)

// The inputs the cases share.
var (
	mib     = strings.Repeat("x", 1<<20)     // a mebibyte of text
	badUTF8 = "id-\xff\xfe"                  // not UTF-8
	withNUL = "id\x00nul"                    // a NUL byte
	phone   = "040 123 4567"                 // a client's phone number
	hetu    = "131052-308T"                  // a client's identity code
	withPII = "soittakaa " + phone + " tai " // free text holding personal data
)

// secrets are what no error text may repeat: the digits of the phone
// number and the identity code the cases pass in.
var secrets = []string{"123 4567", "1234567", "131052", "308T"}

// maxErrLen bounds an error text: a case that passes a mebibyte must not get
// it back in the error.
const maxErrLen = 2048

// deadline is how long one case may run: far above what any case needs on
// a quiet machine, so that only a real hang, not a loaded -race run, trips it.
const deadline = 20 * time.Second

// want is what a case expects.
type want struct {
	// kind is the root kind of the error; nil when the input is accepted.
	kind error
	// field is the field a bad-input error names: the Field of a
	// *carecontact.FieldError, the Field of a *fhir.Error or the Key of a
	// *guidance.FileError. With inText, a package that names the field in
	// its text only (civil and channel, which cannot import the root's
	// FieldError) must have it in the error text.
	field  string
	inText bool
	// doc cites the documentation that says the input is accepted.
	doc string
}

// invalid expects a bad-input error naming field.
func invalid(field string) want { return want{kind: carecontact.ErrInvalid, field: field} }

// fails expects an error of kind.
func fails(kind error) want { return want{kind: kind} }

// accepted expects no error: doc says the input is accepted.
func accepted(doc string) want { return want{doc: doc} }

// badCase is one case of the table.
type badCase struct {
	name string
	// run exercises the API on a fresh world and returns the error the API
	// returned. Setup failures are returned wrapped by setup, so they are
	// never taken for the expected error.
	run  func(ctx context.Context, w *world) error
	want want
}

// setupError is a failure before the input under test was passed. It has
// no kind, so no case mistakes it for the error it expects.
type setupError struct{ err error }

func (e *setupError) Error() string { return "setup: " + e.err.Error() }

// setup marks err as a setup failure; nil stays nil.
func setup(err error) error {
	if err == nil {
		return nil
	}
	return &setupError{err}
}

// checkError marks a failed post-condition of an accepted input.
type checkError struct{ msg string }

func (e *checkError) Error() string { return "check: " + e.msg }

func checkf(format string, args ...any) error { return &checkError{fmt.Sprintf(format, args...)} }

// outcome is what running one case gave.
type outcome struct {
	err      error
	panicked string
	hung     bool
}

// runCase runs c on a fresh world in its own goroutine under the deadline.
// A panic is recovered and reported; a case that does not return within
// the deadline (plus a second of grace) is reported as hung and left
// behind, so one hang fails its case by name instead of the whole test.
func runCase(c badCase) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{panicked: fmt.Sprintf("%v\n%s", r, debug.Stack())}
			}
		}()
		w, err := newWorld(ctx)
		if err != nil {
			done <- outcome{err: setup(err)}
			return
		}
		done <- outcome{err: c.run(ctx, w)}
	}()
	select {
	case o := <-done:
		return o
	case <-time.After(deadline + time.Second):
		return outcome{hung: true}
	}
}

// judge returns what is wrong with err for c, or "" when it is what c
// expects.
func judge(c badCase, err error) string {
	var se *setupError
	var ce *checkError
	switch {
	case errors.As(err, &se):
		return se.Error()
	case errors.As(err, &ce):
		return ce.Error()
	}
	if err != nil {
		text := err.Error()
		if len(text) > maxErrLen {
			return fmt.Sprintf("error text of %d bytes (at most %d): %.200s…", len(text), maxErrLen, text)
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				return fmt.Sprintf("error text repeats personal data %q: %s", s, text)
			}
		}
	}
	if c.want.kind == nil {
		if c.want.doc == "" {
			return "an accepted case must cite the documentation"
		}
		if err != nil {
			return fmt.Sprintf("want accepted (%s), got %v", c.want.doc, err)
		}
		return ""
	}
	if err == nil {
		return fmt.Sprintf("want an error of kind %v, got none: the input was accepted", c.want.kind)
	}
	if !errors.Is(err, c.want.kind) {
		return fmt.Sprintf("want kind %v, got %v (kind %v)", c.want.kind, err, carecontact.KindOf(err))
	}
	if c.want.kind != carecontact.ErrInvalid {
		return ""
	}
	if c.want.inText {
		if !strings.Contains(err.Error(), c.want.field) {
			return fmt.Sprintf("want the error to name %q, got %v", c.want.field, err)
		}
		return ""
	}
	if got, ok := fieldOf(err); !ok {
		return fmt.Sprintf("want a typed error naming %q, got %T: %v", c.want.field, err, err)
	} else if got != c.want.field {
		return fmt.Sprintf("want field %q, got %q: %v", c.want.field, got, err)
	}
	return ""
}

// fieldOf returns the field a typed bad-input error names.
func fieldOf(err error) (string, bool) {
	var fe *carecontact.FieldError
	if errors.As(err, &fe) {
		return fe.Field, true
	}
	var xe *fhir.Error
	if errors.As(err, &xe) {
		return xe.Field, true
	}
	var ge *guidance.FileError
	if errors.As(err, &ge) {
		return ge.Key, true
	}
	return "", false
}

// TestBadInput runs every case of the table and checks its expectation.
// It ends with a summary line and fails on any panic or hang, or when the
// table holds fewer than 150 cases.
func TestBadInput(t *testing.T) {
	cases := allCases()
	var tried, panics, hangs, typed, docAccepted int
	var fields, inText int // of the typed errors: invalid input naming the field as a typed error, or in its text
	seen := map[string]bool{}
	for _, c := range cases {
		require.False(t, seen[c.name], "two cases are named %q", c.name)
		seen[c.name] = true
		tried++
		o := runCase(c)
		switch {
		case o.hung:
			hangs++
			t.Errorf("%s: hung: no answer within %v", c.name, deadline)
			continue
		case o.panicked != "":
			panics++
			t.Errorf("%s: panicked: %s", c.name, o.panicked)
			continue
		}
		if problem := judge(c, o.err); problem != "" {
			t.Errorf("%s: %s", c.name, problem)
			continue
		}
		switch {
		case c.want.kind == nil:
			docAccepted++
		case c.want.inText:
			typed++
			inText++
		case c.want.kind == carecontact.ErrInvalid:
			typed++
			fields++
		default:
			typed++
		}
	}
	t.Logf("bad input: %d tried, %d panics, %d hangs, %d typed errors, %d documented acceptances", tried, panics, hangs, typed, docAccepted)
	t.Logf("of the typed errors: %d invalid input naming the field in a typed error, %d naming it in the text (civil, channel and routing configuration, templates), %d of another root kind",
		fields, inText, typed-fields-inText)
	require.Zero(t, panics, "panics")
	require.Zero(t, hangs, "hangs")
	require.GreaterOrEqual(t, tried, 150, "cases tried")
}

// allCases is the table: every group of cases in one list.
func allCases() []badCase {
	var all []badCase
	for _, group := range [][]badCase{
		rootCases(), civilCases(), channelCases(), auditCases(),
		routingCases(), callbackCases(), bookingCases(), fhirCases(),
		sessionCases(), guidanceCases(), demandCases(),
		doorCases(), organisationCases(), storeCases(), moreCases(), retentionCases(),
	} {
		all = append(all, group...)
	}
	return all
}
