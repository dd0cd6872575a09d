package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/guidance"
)

// The staff directory's grant roles that give guidance workflow roles:
// a grant with ScopeOrganisation gives the role in every area and for the
// shared entries, one with ScopeArea in the member's area. Team grants
// give no guidance role (guidance belongs to areas, not teams).
const (
	RoleGuidanceEditor   = "guidance-editor"
	RoleGuidanceReviewer = "guidance-reviewer"
	RoleGuidanceManager  = "guidance-manager"
)

// StaffRoles is the guidance.Roles of the server's staff directory: who
// may draft, review, approve and publish comes from the directory's
// grants (RoleGuidanceEditor and the like), never from a request.
type StaffRoles struct {
	// Staff is the directory. Required.
	Staff carecontact.StaffDirectory
}

// Grants implements guidance.Roles. A professional the directory does not
// know holds no grants.
func (s StaffRoles) Grants(ctx context.Context, p carecontact.ProfessionalID) ([]guidance.Grant, error) {
	m, err := s.Staff.Member(ctx, p)
	if errors.Is(err, carecontact.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []guidance.Grant
	for _, g := range m.Grants {
		var role guidance.Role
		switch g.Role {
		case RoleGuidanceEditor:
			role = guidance.RoleEditor
		case RoleGuidanceReviewer:
			role = guidance.RoleReviewer
		case RoleGuidanceManager:
			role = guidance.RoleManager
		default:
			continue
		}
		switch g.Scope {
		case carecontact.ScopeOrganisation:
			out = append(out, guidance.Grant{Role: role})
		case carecontact.ScopeArea:
			if m.Area != "" {
				out = append(out, guidance.Grant{Role: role, Area: m.Area})
			}
		}
	}
	return out, nil
}

// ErrNoGuide is the error of the guidance editor's routes on a host
// configured without a guide.
var ErrNoGuide = carecontact.Sentinel(carecontact.ErrUnavailable, "web: no guidance editor on this host")

func (h *Handler) registerGuidance() {
	h.handle("GET /api/guidance/worklist", professional, h.apiWorklist)
	h.handle("GET /api/guidance/version", professional, h.apiGuidanceVersion)
	h.handle("POST /api/guidance/drafts", professional, h.apiGuidanceDraft)
	h.handle("POST /api/guidance/steps", professional, h.apiGuidanceStep)
	h.handle("GET /guidance", professional, h.pageGuidance)
	h.handle("GET /guidance/edit", professional, h.pageGuidanceEdit)
	h.handle("POST /guidance/draft", professional, h.pageGuidancePost)
	h.handle("POST /guidance/step", professional, h.pageGuidancePost)
}

func (h *Handler) guide() (*guidance.Guide, error) {
	if h.cfg.Guide == nil {
		return nil, ErrNoGuide
	}
	return h.cfg.Guide, nil
}

// workJSON is one version on a professional's worklist.
type workJSON struct {
	Subject   string    `json:"subject"`
	Number    int       `json:"number"`
	State     string    `json:"state"`
	Area      string    `json:"area,omitempty"`
	Key       string    `json:"key,omitempty"`
	Service   string    `json:"service,omitempty"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
	Actions   []string  `json:"actions"`
}

// worklistAnswer answers GET /api/guidance/worklist; Items is paginated.
type worklistAnswer struct {
	Professional string     `json:"professional"`
	Items        []workJSON `json:"items"`
	NextCursor   string     `json:"next_cursor,omitempty"`
}

// worklist is what waits for the professional (guidance.Guide.Worklist):
// their own drafts, what was returned to them, what waits for their
// review, approval or publication, the oldest first.
func (h *Handler) worklist(ctx context.Context, p carecontact.ProfessionalID) ([]workJSON, error) {
	g, err := h.guide()
	if err != nil {
		return nil, err
	}
	items, err := g.Worklist(ctx, actorOf(p))
	if err != nil {
		return nil, err
	}
	out := []workJSON{}
	for _, it := range items {
		w := workJSON{Subject: it.Ref.Subject, Number: it.Ref.Number, State: string(it.State), Area: it.Area,
			ChangedBy: it.Since.Actor.ID, ChangedAt: it.Since.At.UTC(), Actions: []string{}}
		rec, err := g.Record(ctx, it.Ref.Subject)
		if err != nil {
			return nil, err
		}
		if v, ok := rec.Version(it.Ref.Number); ok {
			if t := v.Entry.Text; t != nil {
				w.Key, w.Service = t.Key, t.Service
			}
			if n := len(v.Steps); n > 0 {
				w.ChangedBy, w.ChangedAt = v.Steps[n-1].Actor.ID, v.Steps[n-1].At.UTC()
			}
		}
		for _, a := range it.Actions {
			w.Actions = append(w.Actions, string(a))
		}
		out = append(out, w)
	}
	return out, nil
}

func (h *Handler) apiWorklist(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := signedInOf(r).Professional
	items, err := h.worklist(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := worklistAnswer{Professional: string(p)}
	offset = min(offset, len(items))
	end := min(len(items), offset+limit)
	out.Items = items[offset:end]
	if end < len(items) {
		out.NextCursor = cursor(end)
	}
	writeJSON(w, http.StatusOK, out)
}

// stepJSON is one recorded workflow step.
type stepJSON struct {
	Action string    `json:"action"`
	State  string    `json:"state"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// guidanceTextJSON is a text entry: its key, scope and a template per
// language.
type guidanceTextJSON struct {
	Key     string            `json:"key"`
	Area    string            `json:"area,omitempty"`
	Service string            `json:"service,omitempty"`
	Text    map[string]string `json:"text"`
}

// previewJSON is a text rendered in one language with sample values.
type previewJSON struct {
	Language string        `json:"language"`
	Plain    string        `json:"plain"`
	HTML     template.HTML `json:"html"`
	Error    string        `json:"error,omitempty"`
}

// diffOpJSON is one run of a word diff: "=" kept, "-" removed, "+" added.
type diffOpJSON struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// diffJSON compares one language's template with the published version's.
type diffJSON struct {
	Language  string       `json:"language"`
	Published string       `json:"published"`
	Changed   bool         `json:"changed"`
	Ops       []diffOpJSON `json:"ops"`
}

// versionAnswer answers GET /api/guidance/version.
type versionAnswer struct {
	Subject   string            `json:"subject"`
	Number    int               `json:"number"`
	State     string            `json:"state"`
	Versions  int               `json:"versions"`
	Area      string            `json:"area,omitempty"`
	Text      *guidanceTextJSON `json:"text,omitempty"`
	Steps     []stepJSON        `json:"steps"`
	Previews  []previewJSON     `json:"previews"`
	Published int               `json:"published_version,omitempty"`
	Diff      []diffJSON        `json:"diff"`
	Actions   []string          `json:"actions"`
}

// samples are the sample values of the previews, per language.
var samples = map[string]guidance.Vars{
	"fi": {guidance.VarAreaName: "Kallio", guidance.VarOpeningHours: "ma–pe klo 8–16", guidance.VarCallbackWindow: "tänään klo 13–15",
		guidance.VarServiceName: "Verenpaineen seuranta", guidance.VarAppointmentTime: "ma 30.11. klo 14.00", guidance.VarChannelName: "soittopyyntö"},
	"sv": {guidance.VarAreaName: "Berghäll", guidance.VarOpeningHours: "mån–fre kl. 8–16", guidance.VarCallbackWindow: "i dag kl. 13–15",
		guidance.VarServiceName: "Blodtryckskontroll", guidance.VarAppointmentTime: "mån 30.11 kl. 14.00", guidance.VarChannelName: "återuppringning"},
	"en": {guidance.VarAreaName: "Kallio", guidance.VarOpeningHours: "Mon–Fri 8–16", guidance.VarCallbackWindow: "today 13–15",
		guidance.VarServiceName: "Blood pressure check", guidance.VarAppointmentTime: "Mon 30 Nov at 14:00", guidance.VarChannelName: "callback"},
}

// previewLanguages are the languages the editor previews and diffs.
var previewLanguages = []string{"fi", "sv", "en"}

// preview renders version ref in each language as clients would see it
// (guidance.Guide.Preview, with the samples); a language the text lacks
// shows the fallback clients get, and says so.
func preview(ctx context.Context, g *guidance.Guide, p carecontact.ProfessionalID, ref guidance.Ref) []previewJSON {
	out := []previewJSON{}
	for _, l := range previewLanguages {
		pj := previewJSON{Language: l}
		r, err := g.Preview(ctx, actorOf(p), ref, l, samples[l])
		switch {
		case err != nil:
			pj.Error = err.Error()
		default:
			pj.Plain, pj.HTML = r.Plain, r.HTML
			if got := r.Language.String(); got != l {
				pj.Error = "no text in this language: clients get the " + got + " text"
			}
		}
		out = append(out, pj)
	}
	return out
}

// wordDiff is the library's word diff from a to b (guidance.WordDiff),
// never null in JSON.
func wordDiff(a, b string) []diffOpJSON {
	out := []diffOpJSON{}
	for _, op := range guidance.WordDiff(a, b) {
		out = append(out, diffOpJSON{Op: op.Op, Text: op.Text})
	}
	return out
}

func diffOf(published, draft map[string]string) []diffJSON {
	out := []diffJSON{}
	for _, l := range previewLanguages {
		a, b := published[l], draft[l]
		out = append(out, diffJSON{Language: l, Published: a, Changed: a != b, Ops: wordDiff(a, b)})
	}
	return out
}

func textJSONOf(t *guidance.Text) *guidanceTextJSON {
	if t == nil {
		return nil
	}
	return &guidanceTextJSON{Key: t.Key, Area: string(t.Area), Service: t.Service, Text: maps.Clone(map[string]string(t.Text))}
}

// version reads a subject's version (the latest when number is 0) with
// its previews, its diff against the published version and the steps the
// professional may take.
func (h *Handler) version(ctx context.Context, p carecontact.ProfessionalID, subject string, number int) (versionAnswer, error) {
	g, err := h.guide()
	if err != nil {
		return versionAnswer{}, err
	}
	if subject == "" {
		return versionAnswer{}, carecontact.Invalid(ErrBadRequest, "subject", "is required")
	}
	rec, err := g.Record(ctx, subject)
	if err != nil {
		return versionAnswer{}, err
	}
	if number == 0 {
		number = len(rec.Versions)
	}
	v, ok := rec.Version(number)
	if !ok {
		return versionAnswer{}, fmt.Errorf("%w: version %d of %s", guidance.ErrNotFound, number, subject)
	}
	acts, err := g.Allowed(ctx, actorOf(p), guidance.Ref{Subject: subject, Number: number})
	if err != nil {
		return versionAnswer{}, err
	}
	out := versionAnswer{Subject: subject, Number: number, State: string(v.State), Versions: len(rec.Versions), Area: string(v.Entry.Area()),
		Text: textJSONOf(v.Entry.Text), Steps: []stepJSON{}, Previews: []previewJSON{}, Diff: []diffJSON{}, Actions: []string{}}
	for _, s := range v.Steps {
		out.Steps = append(out.Steps, stepJSON{Action: string(s.Action), State: string(s.State), By: s.Actor.ID, At: s.At.UTC(), Note: s.Note})
	}
	for _, a := range acts {
		out.Actions = append(out.Actions, string(a))
	}
	if v.Entry.Text != nil {
		out.Previews = preview(ctx, g, p, guidance.Ref{Subject: subject, Number: number})
		// The library's diff against what is live now (a professional
		// without a role in the area sees no diff, as no preview).
		if diffs, err := g.Diff(ctx, actorOf(p), guidance.Ref{Subject: subject, Number: number}); err == nil && len(diffs) == 1 {
			d := diffs[0]
			out.Published = d.Live.Number
			live, draft := map[string]string{}, map[string]string{}
			for _, t := range d.Texts {
				live[t.Lang], draft[t.Lang] = t.Live, t.Draft
			}
			out.Diff = diffOf(live, draft)
		}
	}
	return out, nil
}

func (h *Handler) apiGuidanceVersion(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	number := 0
	if s := q.Get("number"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			h.fail(w, r, carecontact.Invalid(ErrBadRequest, "number", "must be a version number from 1"))
			return
		}
		number = n
	}
	out, err := h.version(r.Context(), signedInOf(r).Professional, q.Get("subject"), number)
	h.answer(w, r, http.StatusOK, out, err)
}

// draftRequest is the body of POST /api/guidance/drafts: a text's new
// wording. With Number, it edits that draft; without, it starts a new
// version.
type draftRequest struct {
	Key     string            `json:"key"`
	Area    string            `json:"area,omitempty"`
	Service string            `json:"service,omitempty"`
	Text    map[string]string `json:"text"`
	Number  int               `json:"number,omitempty"`
	Note    string            `json:"note,omitempty"`
}

// refAnswer names a version and its state after a change.
type refAnswer struct {
	Subject string `json:"subject"`
	Number  int    `json:"number"`
	State   string `json:"state"`
}

func (h *Handler) draft(ctx context.Context, p carecontact.ProfessionalID, req draftRequest) (refAnswer, bool, error) {
	g, err := h.guide()
	if err != nil {
		return refAnswer{}, false, err
	}
	if req.Key == "" {
		return refAnswer{}, false, carecontact.Invalid(ErrBadRequest, "key", "is required")
	}
	if req.Number < 0 {
		return refAnswer{}, false, carecontact.Invalid(ErrBadRequest, "number", "must be a version number from 1")
	}
	loc := guidance.Localized{}
	for l, s := range req.Text {
		if s = strings.TrimSpace(s); s != "" {
			loc[l] = s
		}
	}
	e := guidance.Entry{Text: &guidance.Text{Key: req.Key, Area: carecontact.AreaID(req.Area), Service: req.Service, Text: loc}}
	ref := guidance.Ref{Subject: e.Subject(), Number: req.Number}
	created := req.Number == 0
	if created {
		ref, err = g.Draft(ctx, actorOf(p), e, req.Note)
	} else {
		err = g.Edit(ctx, actorOf(p), ref, e, req.Note)
	}
	if err != nil {
		return refAnswer{}, false, err
	}
	return refAnswer{Subject: ref.Subject, Number: ref.Number, State: string(guidance.StateDraft)}, created, nil
}

func (h *Handler) apiGuidanceDraft(w http.ResponseWriter, r *http.Request) {
	var req draftRequest
	body, err := decode(r, &req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A repeat (a retry after a lost answer) is the first draft, not a
	// second version.
	p := signedInOf(r).Professional
	h.onceFor(w, r, string(p), r.Header.Get("Idempotency-Key"), body, func(w http.ResponseWriter) {
		out, created, err := h.draft(r.Context(), p, req)
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		h.answer(w, r, status, out, err)
	})
}

// stepRequest is the body of POST /api/guidance/steps.
type stepRequest struct {
	Subject string `json:"subject"`
	Number  int    `json:"number"`
	Action  string `json:"action"`
	Note    string `json:"note,omitempty"`
}

func (h *Handler) step(ctx context.Context, p carecontact.ProfessionalID, req stepRequest) (refAnswer, error) {
	g, err := h.guide()
	if err != nil {
		return refAnswer{}, err
	}
	switch {
	case req.Subject == "":
		return refAnswer{}, carecontact.Invalid(ErrBadRequest, "subject", "is required")
	case req.Number < 1:
		return refAnswer{}, carecontact.Invalid(ErrBadRequest, "number", "must be a version number from 1")
	}
	steps := map[string]func(context.Context, audit.Actor, guidance.Ref, string) error{
		string(guidance.ActionSubmit): g.Submit, string(guidance.ActionReview): g.Review, string(guidance.ActionReturn): g.Return,
		string(guidance.ActionApprove): g.Approve, string(guidance.ActionPublish): g.Publish, string(guidance.ActionWithdraw): g.Withdraw,
	}
	do, ok := steps[req.Action]
	if !ok {
		return refAnswer{}, carecontact.Invalid(ErrBadRequest, "action", "must be one of submit, review, return, approve, publish, withdraw")
	}
	ref := guidance.Ref{Subject: req.Subject, Number: req.Number}
	if err := do(ctx, actorOf(p), ref, req.Note); err != nil {
		return refAnswer{}, err
	}
	rec, err := g.Record(ctx, ref.Subject)
	if err != nil {
		return refAnswer{}, err
	}
	v, _ := rec.Version(ref.Number)
	return refAnswer{Subject: ref.Subject, Number: ref.Number, State: string(v.State)}, nil
}

func (h *Handler) apiGuidanceStep(w http.ResponseWriter, r *http.Request) {
	var req stepRequest
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.step(r.Context(), signedInOf(r).Professional, req)
	h.answer(w, r, http.StatusOK, out, err)
}

// guidanceView is what the editor's pages show.
type guidanceView struct {
	Professional string
	CSRF         string
	Error        string
	Work         []workJSON
	Subjects     []string
	Version      *versionAnswer
	// Editable: the form edits the open draft (Number) or starts a new
	// version from the shown one.
	Editable  bool
	NewDraft  bool
	Languages []string
}

func (h *Handler) pageGuidance(w http.ResponseWriter, r *http.Request) {
	si := signedInOf(r)
	work, err := h.worklist(r.Context(), si.Professional)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	recs, err := h.cfg.Guide.Records(r.Context()) // worklist succeeded: there is a guide
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := guidanceView{Professional: string(si.Professional), CSRF: si.CSRF, Work: work, Error: r.URL.Query().Get("error")}
	for _, rec := range recs {
		if strings.HasPrefix(rec.Subject, "text/") {
			v.Subjects = append(v.Subjects, rec.Subject)
		}
	}
	h.render(w, http.StatusOK, "guidance.html", v)
}

func (h *Handler) pageGuidanceEdit(w http.ResponseWriter, r *http.Request) {
	si := signedInOf(r)
	ver, err := h.version(r.Context(), si.Professional, r.URL.Query().Get("subject"), 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := guidanceView{Professional: string(si.Professional), CSRF: si.CSRF, Version: &ver, Error: r.URL.Query().Get("error"),
		Languages: previewLanguages}
	v.Editable = slices.Contains(ver.Actions, string(guidance.ActionEdit))
	v.NewDraft = ver.Text != nil && (ver.State == string(guidance.StatePublished) || ver.State == string(guidance.StateSuperseded) ||
		ver.State == string(guidance.StateWithdrawn))
	h.render(w, http.StatusOK, "guidance-edit.html", v)
}

// pageGuidancePost runs the editor's forms (a draft or a workflow step)
// and returns to the text's page.
func (h *Handler) pageGuidancePost(w http.ResponseWriter, r *http.Request) {
	p := signedInOf(r).Professional
	subject := r.PostFormValue("subject")
	var err error
	if r.Pattern == "POST /guidance/draft" {
		req := draftRequest{Key: r.PostFormValue("key"), Area: r.PostFormValue("area"), Service: r.PostFormValue("service"),
			Note: r.PostFormValue("note"), Text: map[string]string{}}
		if n := r.PostFormValue("number"); n != "" {
			req.Number, err = strconv.Atoi(n)
		}
		for _, l := range previewLanguages {
			req.Text[l] = r.PostFormValue("text_" + l)
		}
		if err == nil {
			var a refAnswer
			a, _, err = h.draft(r.Context(), p, req)
			subject = a.Subject
		}
	} else {
		n, convErr := strconv.Atoi(r.PostFormValue("number"))
		if convErr != nil {
			n = 0
		}
		_, err = h.step(r.Context(), p, stepRequest{Subject: subject, Number: n, Action: r.PostFormValue("action"), Note: r.PostFormValue("note")})
	}
	back, q := "/guidance", url.Values{}
	if subject != "" {
		back = "/guidance/edit"
		q.Set("subject", subject)
	}
	if err != nil {
		pr := problemOf(err)
		if pr.Status == http.StatusForbidden {
			h.audit(r, actorOf(p), pr)
		}
		q.Set("error", kindName(err))
	}
	if len(q) > 0 {
		back += "?" + q.Encode()
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
