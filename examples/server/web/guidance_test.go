package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/examples/server/web"
)

// bpSubject is the booking page's guidance text for Kallio's blood
// pressure check.
const bpSubject = "text/ebooking.before/kallio/bp-check"

type versionJSON struct {
	Subject  string
	Number   int
	State    string
	Versions int
	Text     *struct {
		Key, Area, Service string
		Text               map[string]string
	}
	Previews []struct{ Language, Plain, HTML, Error string }
	Diff     []struct {
		Language, Published string
		Changed             bool
		Ops                 []struct{ Op, Text string }
	}
	Published int `json:"published_version"`
	Actions   []string
	Steps     []struct{ Action, State, By string }
}

type worklistJSON struct {
	Items []struct {
		Subject string
		Number  int
		State   string
		Actions []string
	}
	NextCursor string `json:"next_cursor"`
}

func (u *user) version(subject string) versionJSON {
	u.x.t.Helper()
	r := u.do("GET", "/api/guidance/version?subject="+url.QueryEscape(subject), nil, nil)
	require.Equal(u.x.t, http.StatusOK, r.StatusCode, string(r.body))
	var v versionJSON
	r.json(u.x.t, &v)
	return v
}

func (u *user) worklist() worklistJSON {
	u.x.t.Helper()
	r := u.do("GET", "/api/guidance/worklist", nil, nil)
	require.Equal(u.x.t, http.StatusOK, r.StatusCode, string(r.body))
	var w worklistJSON
	r.json(u.x.t, &w)
	return w
}

func (u *user) step(number int, action string) reply {
	u.x.t.Helper()
	return u.post("/api/guidance/steps", map[string]any{"subject": bpSubject, "number": number, "action": action, "note": "ok"})
}

func bookingText(t *testing.T, x *host, lang string) string {
	t.Helper()
	r := x.user().do("POST", "/api/bookings/search", map[string]any{"client": "client-g", "postal_code": "00530", "service": "bp-check",
		"group": "adult", "language": lang}, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	var s struct{ Text struct{ Plain string } }
	r.json(t, &s)
	return s.Text.Plain
}

func TestGuidanceWorkflow(t *testing.T) {
	x := newHost(t, nil)
	aino, bertil, hanna, ville := x.user(), x.user(), x.user(), x.user()
	aino.signIn("aino")
	bertil.signIn("bertil")
	hanna.signIn("hanna")
	ville.signIn("ville")

	pub := aino.version(bpSubject)
	require.Equal(t, "published", pub.State)
	require.Equal(t, 1, pub.Number)
	require.Len(t, pub.Previews, 3)
	require.Contains(t, pub.Previews[1].Plain, "Blodtryckskontroll: ta med", "the sv preview fills the sample service name")
	require.Empty(t, aino.worklist().Items)

	newSv := "{service_name}: ta med dina hemmamätningar och läkemedelslistan."
	draft := map[string]any{"key": "ebooking.before", "area": "kallio", "service": "bp-check", "note": "medicine list",
		"text": map[string]string{"fi": pub.Text.Text["fi"], "sv": newSv, "en": pub.Text.Text["en"]}}
	t.Run("refused before any change", func(t *testing.T) {
		before := len(x.refusals())
		// The same key as Aino's below: a professional's keys are theirs,
		// so her draft is not answered with their refusals.
		ville.postKeyed("/api/guidance/drafts", draft, "d1").problem(t, http.StatusForbidden) // an editor of no area
		bertil.postKeyed("/api/guidance/drafts", draft, "d1").problem(t, http.StatusForbidden)
		require.Len(t, x.refusals(), before+2)
		es, err := x.audit.Events(t.Context(), audit.Filter{Action: "guidance.draft", ActorID: "ville"})
		require.NoError(t, err)
		require.Len(t, es, 1)
		require.Equal(t, audit.Denied, es[0].Outcome)
	})
	r := aino.postKeyed("/api/guidance/drafts", draft, "d1")
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	first := string(r.body)
	// A retry with the key (the answer was lost) is the same draft, not
	// a third version; the key with another body is a conflict.
	r = aino.postKeyed("/api/guidance/drafts", draft, "d1")
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	require.Equal(t, "true", r.Header.Get("Idempotent-Replayed"))
	require.Equal(t, first, string(r.body))
	aino.postKeyed("/api/guidance/drafts", map[string]any{"key": "ebooking.before", "area": "kallio", "service": "bp-check",
		"text": map[string]string{"fi": "toinen"}}, "d1").problem(t, http.StatusConflict)
	aino.post("/api/guidance/drafts", draft).problem(t, http.StatusBadRequest) // no key
	v := aino.version(bpSubject)
	require.Equal(t, 2, v.Number)
	require.Equal(t, "draft", v.State)
	require.Equal(t, []string{"edit", "submit", "withdraw"}, v.Actions)
	require.Equal(t, 1, v.Published)
	require.False(t, v.Diff[0].Changed)
	require.True(t, v.Diff[1].Changed)
	var added []string
	for _, op := range v.Diff[1].Ops {
		if op.Op == "+" {
			added = append(added, op.Text)
		}
	}
	require.Contains(t, strings.Join(added, ""), "läkemedelslistan", "the diff shows the added words")
	require.Contains(t, v.Previews[1].Plain, "Blodtryckskontroll: ta med dina hemmamätningar och läkemedelslistan.")
	require.Len(t, aino.worklist().Items, 1, "the author's own draft waits for them")
	require.Empty(t, bertil.worklist().Items, "a draft waits for nobody else")

	// Edit the draft (number given): 200, still version 2.
	draft["number"] = 2
	r = aino.postKeyed("/api/guidance/drafts", draft, "d2")
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))

	require.Equal(t, http.StatusOK, aino.step(2, "submit").StatusCode)
	w := bertil.worklist()
	require.Len(t, w.Items, 1)
	require.Equal(t, bpSubject, w.Items[0].Subject)
	require.Equal(t, []string{"review", "return"}, w.Items[0].Actions)
	require.Empty(t, aino.worklist().Items)

	t.Run("four eyes", func(t *testing.T) {
		aino.step(2, "review").problem(t, http.StatusForbidden)    // not a reviewer, and the author
		hanna.step(2, "approve").problem(t, http.StatusConflict)   // no review yet
		bertil.step(2, "approve").problem(t, http.StatusForbidden) // a reviewer is no manager
		bertil.step(2, "publish").problem(t, http.StatusForbidden)
	})
	require.Equal(t, http.StatusOK, bertil.step(2, "review").StatusCode)
	require.Empty(t, bertil.worklist().Items, "reviewed: nothing more waits for the reviewer")
	w = hanna.worklist()
	require.Len(t, w.Items, 1)
	require.Contains(t, w.Items[0].Actions, "approve")
	require.Equal(t, http.StatusOK, hanna.step(2, "approve").StatusCode)
	require.NotContains(t, bookingText(t, x, "sv"), "läkemedelslistan", "approved is not yet published")
	r = hanna.step(2, "publish")
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	var ref struct{ State string }
	r.json(t, &ref)
	require.Equal(t, "published", ref.State)
	require.Equal(t, "Blodtryckskontroll: ta med dina hemmamätningar och läkemedelslistan.", bookingText(t, x, "sv"))
	require.NotContains(t, bookingText(t, x, "fi"), "lääke", "the Finnish text did not change")
	v = hanna.version(bpSubject)
	require.Equal(t, []string{"draft", "edit", "submit", "review", "approve", "publish"}, stepActions(v))
	require.Equal(t, []string{"aino", "aino", "aino", "bertil", "hanna", "hanna"}, stepBy(v))
	es, err := x.audit.Events(t.Context(), audit.Filter{Action: "guidance.publish", ActorID: "hanna"})
	require.NoError(t, err)
	require.Len(t, es, 1)
}

func stepActions(v versionJSON) []string {
	var out []string
	for _, s := range v.Steps {
		out = append(out, s.Action)
	}
	return out
}

func stepBy(v versionJSON) []string {
	var out []string
	for _, s := range v.Steps {
		out = append(out, s.By)
	}
	return out
}

func TestGuidanceBadInputAndRefusals(t *testing.T) {
	x := newHost(t, nil)
	aino, anon := x.user(), x.user()
	aino.signIn("aino")
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		field  string
	}{
		{"version without subject", "GET", "/api/guidance/version", nil, http.StatusBadRequest, "subject"},
		{"version number not a number", "GET", "/api/guidance/version?subject=x&number=two", nil, http.StatusBadRequest, "number"},
		{"unknown subject", "GET", "/api/guidance/version?subject=" + url.QueryEscape("text/none/*/*"), nil, http.StatusNotFound, ""},
		{"unknown version", "GET", "/api/guidance/version?subject=" + url.QueryEscape(bpSubject) + "&number=7", nil, http.StatusNotFound, ""},
		{"worklist limit", "GET", "/api/guidance/worklist?limit=0", nil, http.StatusBadRequest, "limit"},
		{"worklist cursor", "GET", "/api/guidance/worklist?cursor=@@", nil, http.StatusBadRequest, "cursor"},
		{"draft not JSON", "POST", "/api/guidance/drafts", "{", http.StatusBadRequest, "body"},
		{"draft unknown field", "POST", "/api/guidance/drafts", map[string]any{"key": "x", "text": map[string]string{}, "role": "manager"}, http.StatusBadRequest, "body"},
		{"draft without key", "POST", "/api/guidance/drafts", map[string]any{"text": map[string]string{"fi": "x"}}, http.StatusBadRequest, "key"},
		{"draft of an unknown key", "POST", "/api/guidance/drafts", map[string]any{"key": "no.such", "area": "kallio", "text": map[string]string{"fi": "x"}}, http.StatusBadRequest, "text.key"},
		{"draft with an unknown variable", "POST", "/api/guidance/drafts", map[string]any{"key": "ebooking.before", "area": "kallio",
			"text": map[string]string{"fi": "{phone}"}}, http.StatusBadRequest, "text.text.fi"},
		{"draft without the default language", "POST", "/api/guidance/drafts", map[string]any{"key": "ebooking.before", "area": "kallio",
			"text": map[string]string{"sv": "Hej"}}, http.StatusBadRequest, "text.text"},
		{"edit of a published version", "POST", "/api/guidance/drafts", map[string]any{"key": "ebooking.before", "area": "kallio",
			"service": "bp-check", "number": 1, "text": map[string]string{"fi": "x"}}, http.StatusConflict, ""},
		{"step without subject", "POST", "/api/guidance/steps", map[string]any{"number": 1, "action": "submit"}, http.StatusBadRequest, "subject"},
		{"step without number", "POST", "/api/guidance/steps", map[string]any{"subject": bpSubject, "action": "submit"}, http.StatusBadRequest, "number"},
		{"unknown step", "POST", "/api/guidance/steps", map[string]any{"subject": bpSubject, "number": 1, "action": "edit"}, http.StatusBadRequest, "action"},
		{"step from the wrong state", "POST", "/api/guidance/steps", map[string]any{"subject": bpSubject, "number": 1, "action": "submit"}, http.StatusConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r reply
			if tt.method == "GET" {
				r = aino.do("GET", tt.path, nil, nil)
			} else {
				r = aino.postKeyed(tt.path, tt.body, tt.name)
			}
			p := r.problem(t, tt.status)
			if tt.field != "" {
				require.Equal(t, tt.field, p["field"], p)
			}
		})
	}
	t.Run("signed out", func(t *testing.T) {
		before := len(x.refusals())
		anon.do("GET", "/api/guidance/worklist", nil, nil).problem(t, http.StatusUnauthorized)
		anon.do("GET", "/api/guidance/version?subject=x", nil, nil).problem(t, http.StatusUnauthorized)
		anon.post("/api/guidance/steps", map[string]any{"subject": bpSubject, "number": 1, "action": "withdraw"}).problem(t, http.StatusUnauthorized)
		require.Len(t, x.refusals(), before+3)
	})
	t.Run("without the CSRF token", func(t *testing.T) {
		r := aino.do("POST", "/api/guidance/steps", map[string]any{"subject": bpSubject, "number": 1, "action": "withdraw"}, nil)
		r.problem(t, http.StatusForbidden)
		require.Equal(t, "published", aino.version(bpSubject).State)
	})
	t.Run("a host without a guide", func(t *testing.T) {
		y := newHost(t, func(c *web.Config) { c.Guide = nil })
		u := y.user()
		u.signIn("aino")
		u.do("GET", "/api/guidance/worklist", nil, nil).problem(t, http.StatusServiceUnavailable)
		u.post("/api/guidance/steps", map[string]any{"subject": bpSubject, "number": 1, "action": "withdraw"}).problem(t, http.StatusServiceUnavailable)
	})
}

func TestGuidanceWorklistPages(t *testing.T) {
	x := newHost(t, nil)
	aino := x.user()
	aino.signIn("aino")
	for _, subject := range []string{bpSubject, "text/callback.requested/*/*"} {
		r := aino.postKeyed("/api/guidance/drafts", map[string]any{"key": strings.Split(subject, "/")[1], "area": strings.Trim(strings.Split(subject, "/")[2], "*"),
			"service": strings.Trim(strings.Split(subject, "/")[3], "*"), "text": map[string]string{"fi": "{callback_window} x"}}, "a-"+subject)
		if subject == bpSubject {
			require.Equal(t, http.StatusBadRequest, r.StatusCode, "ebooking.before has no {callback_window}")
			r = aino.postKeyed("/api/guidance/drafts", map[string]any{"key": "ebooking.before", "area": "kallio", "service": "bp-check",
				"text": map[string]string{"fi": "{service_name}: uusi."}}, "b-"+subject)
			require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
		} else {
			r.problem(t, http.StatusForbidden) // aino edits Kallio's texts, not the shared ones
		}
	}
	r := aino.postKeyed("/api/guidance/drafts", map[string]any{"key": "callback.requested", "area": "kallio",
		"text": map[string]string{"fi": "Kallio soittaa {callback_window}."}}, "c")
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	w := aino.worklist()
	require.Len(t, w.Items, 2)
	r = aino.do("GET", "/api/guidance/worklist?limit=1", nil, nil)
	var page1 worklistJSON
	r.json(t, &page1)
	require.Len(t, page1.Items, 1)
	require.NotEmpty(t, page1.NextCursor)
	var page2 worklistJSON
	aino.do("GET", "/api/guidance/worklist?limit=1&cursor="+page1.NextCursor, nil, nil).json(t, &page2)
	require.Len(t, page2.Items, 1)
	require.Empty(t, page2.NextCursor)
	require.NotEqual(t, page1.Items[0].Subject, page2.Items[0].Subject)
}

func TestGuidancePages(t *testing.T) {
	x := newHost(t, nil)
	hanna, aino := x.user(), x.user()
	// hanna takes no contacts: the sign-in form takes her to the editor.
	form := hanna.do("GET", "/login", nil, nil)
	r := hanna.do("POST", "/login", url.Values{"csrf": {formCSRF(t, form)}, "professional": {"hanna"}, "password": {"hanna-demo"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode, string(r.body))
	require.Equal(t, "/guidance", r.Header.Get("Location"))
	aino.signIn("aino")

	list := aino.do("GET", "/guidance", nil, nil)
	require.Equal(t, http.StatusOK, list.StatusCode)
	require.Contains(t, string(list.body), "Nothing waits for you.")
	require.Contains(t, string(list.body), `href="/guidance/edit?subject=text%2febooking.before%2fkallio%2fbp-check"`)
	edit := aino.do("GET", "/guidance/edit?subject="+url.QueryEscape(bpSubject), nil, nil)
	require.Equal(t, http.StatusOK, edit.StatusCode)
	body := string(edit.body)
	require.Contains(t, body, `id="preview-sv"`)
	require.Contains(t, body, "Save as a new draft")
	tok := formCSRF(t, edit)

	r = aino.do("POST", "/guidance/draft", url.Values{"csrf": {tok}, "subject": {bpSubject}, "key": {"ebooking.before"}, "area": {"kallio"},
		"service": {"bp-check"}, "text_fi": {"{service_name}: ota <mukaan> mittaukset."}, "text_sv": {""}, "text_en": {""}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode, string(r.body))
	require.Equal(t, "/guidance/edit?subject="+url.QueryEscape(bpSubject), r.Header.Get("Location"))
	edit = aino.do("GET", r.Header.Get("Location"), nil, nil)
	body = string(edit.body)
	require.Contains(t, body, "Edit the draft")
	require.Contains(t, body, "ota &lt;mukaan&gt; mittaukset", "the preview escapes the text")
	require.Contains(t, body, "<del>", "the diff marks the removed words")
	require.Contains(t, body, `id="step-submit"`)

	r = aino.do("POST", "/guidance/step", url.Values{"csrf": {tok}, "subject": {bpSubject}, "number": {"2"}, "action": {"submit"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "in_review", aino.version(bpSubject).State)

	before := len(x.refusals())
	r = aino.do("POST", "/guidance/step", url.Values{"csrf": {tok}, "subject": {bpSubject}, "number": {"2"}, "action": {"approve"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Contains(t, r.Header.Get("Location"), "error=not-allowed")
	require.Len(t, x.refusals(), before+1, "the refused step is audited")
	r = aino.do("POST", "/guidance/step", url.Values{"subject": {bpSubject}, "number": {"2"}, "action": {"withdraw"}}, nil)
	r.problem(t, http.StatusForbidden) // no CSRF token
	r = aino.do("POST", "/guidance/draft", url.Values{"csrf": {tok}, "key": {""}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Contains(t, r.Header.Get("Location"), "/guidance?")
	require.Contains(t, r.Header.Get("Location"), "error=invalid")
	x.user().do("GET", "/guidance", nil, nil).problem(t, http.StatusUnauthorized)
	aino.do("GET", "/guidance/edit", nil, nil).problem(t, http.StatusBadRequest)
}
