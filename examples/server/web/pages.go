package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
)

type pages struct{ t *template.Template }

func newPages() (*pages, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"hki": func(t time.Time) string { return t.In(civil.Helsinki()).Format("15:04") },
		"day": func(t time.Time) string { return t.In(civil.Helsinki()).Format("2.1.2006") },
	}).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return &pages{t: t}, nil
}

// formCookie carries the CSRF token of the forms of a visitor who has not
// signed in (double submit: the form's hidden field must match it).
const formCookie = "cc_form"

func (h *Handler) formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(formCookie); err == nil && len(c.Value) == 64 {
		return c.Value
	}
	t := token()
	http.SetCookie(w, &http.Cookie{Name: formCookie, Value: t, Path: "/", HttpOnly: true, Secure: h.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode})
	return t
}

func formTokenOK(r *http.Request) bool {
	c, err := r.Cookie(formCookie)
	got := r.PostFormValue("csrf")
	return err == nil && got != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(got)) == 1
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.pages.t.ExecuteTemplate(w, name, data); err != nil {
		h.cfg.Logger.Error("template", "name", name, "error", err.Error())
	}
}

func (h *Handler) registerPages() {
	h.handle("GET /{$}", public, func(w http.ResponseWriter, _ *http.Request) { h.render(w, http.StatusOK, "index.html", nil) })
	h.handle("GET /static/", public, http.FileServerFS(assets).ServeHTTP)
	h.handle("GET /login", public, func(w http.ResponseWriter, r *http.Request) {
		h.render(w, http.StatusOK, "login.html", map[string]any{"CSRF": h.formToken(w, r)})
	})
	h.handle("POST /login", limited, h.pageLogin)
	h.handle("POST /logout", professional, func(w http.ResponseWriter, r *http.Request) {
		h.signOut(w, r)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	h.handle("GET /desk", professional, h.pageDesk)
	h.handle("GET /desk/work", professional, h.pageDeskWork)
	h.handle("GET /desk/events", professional, h.deskEvents)
	h.handle("POST /desk/items/{id}/accept", professional, h.pageAct)
	h.handle("POST /desk/items/{id}/decline", professional, h.pageAct)
	h.handle("POST /desk/sessions/{id}/close", professional, h.pageAct)
	h.handle("POST /desk/sessions/{id}/switch", professional, h.pageAct)
	h.handle("POST /desk/sessions/{id}/invite", professional, h.pageAct)
	h.handle("GET /book", public, h.pageBook)
	h.handle("POST /book/search", limited, h.pageBookPost)
	h.handle("POST /book/confirm", limited, h.pageBookPost)
	h.handle("POST /book/cancel", limited, h.pageBookPost)
	h.handle("GET /callback", public, h.pageCallback)
	h.handle("POST /callback", limited, h.pageCallbackPost)
	h.handle("POST /callback/withdraw", limited, h.pageCallbackWithdraw)
}

func (h *Handler) pageLogin(w http.ResponseWriter, r *http.Request) {
	if !formTokenOK(r) {
		h.refuse(w, r, audit.System("web"), http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	si, err := h.signIn(w, r, r.PostFormValue("professional"), r.PostFormValue("password"))
	if err != nil {
		h.cfg.Logger.Info("sign-in refused", "route", r.Pattern)
		h.audit(r, audit.System("web"), Problem{Status: http.StatusUnauthorized, Type: "/problems/unauthenticated"})
		h.render(w, http.StatusUnauthorized, "login.html", map[string]any{"CSRF": h.formToken(w, r), "Error": true})
		return
	}
	to := "/desk"
	if _, err := h.cfg.Door.Desk(r.Context(), carecontact.ProfessionalID(si.Professional)); errors.Is(err, routing.ErrUnknownProfessional) {
		to = "/guidance" // staff who take no contacts have no desk
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// deskView is what the desk templates show.
type deskView struct {
	deskAnswer
	CSRF     string
	Outcomes []string
	Error    string
}

func (h *Handler) deskView(r *http.Request) (deskView, error) {
	d, err := h.desk(r, 100, 0)
	if err != nil {
		return deskView{}, err
	}
	v := deskView{deskAnswer: d, CSRF: signedInOf(r).CSRF}
	for _, o := range outcomes {
		v.Outcomes = append(v.Outcomes, string(o))
	}
	return v, nil
}

func (h *Handler) pageDesk(w http.ResponseWriter, r *http.Request) {
	v, err := h.deskView(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Error = r.URL.Query().Get("error")
	h.render(w, http.StatusOK, "desk.html", v)
}

func (h *Handler) pageDeskWork(w http.ResponseWriter, r *http.Request) {
	v, err := h.deskView(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, http.StatusOK, "work", v)
}

// deskEvents streams a "desk" event whenever the door reports a change,
// and a comment every 20 seconds to keep the connection open.
func (h *Handler) deskEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	changes, stop := h.cfg.Hub.subscribe()
	defer stop()
	_, _ = fmt.Fprint(w, "retry: 2000\n\n")
	_ = rc.Flush()
	keep := time.NewTicker(20 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.closing:
			return
		case <-changes:
			_, _ = fmt.Fprint(w, "event: desk\ndata: changed\n\n")
		case <-keep.C:
			_, _ = fmt.Fprint(w, ": keep-alive\n\n")
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// pageAct runs a desk form's action and returns to the desk.
func (h *Handler) pageAct(w http.ResponseWriter, r *http.Request) {
	p, id := signedInOf(r).Professional, r.PathValue("id")
	var err error
	switch r.Pattern {
	case "POST /desk/items/{id}/accept":
		_, err = h.cfg.Door.Accept(r.Context(), p, carecontact.ItemID(id))
	case "POST /desk/items/{id}/decline":
		err = h.cfg.Door.Decline(r.Context(), p, carecontact.ItemID(id))
	case "POST /desk/sessions/{id}/switch":
		// The professional confirms the client's strong identification
		// and consent in the form; the door's gates check both.
		if r.PostFormValue("identified") == "on" {
			_, err = h.identifyClient(r, id, "strong", "confirmed_in_call")
		}
		if err == nil {
			_, err = h.switchContact(r, id, r.PostFormValue("to"), r.PostFormValue("consent") == "on")
		}
	case "POST /desk/sessions/{id}/messages":
		err = h.cfg.Door.SendChat(r.Context(), actorOf(p), id, r.PostFormValue("text"))
	case "POST /desk/sessions/{id}/transfer":
		_, err = h.transfer(r, id, r.PostFormValue("team"), r.PostFormValue("reason"))
	case "POST /desk/sessions/{id}/invite":
		_, err = h.invite(r, id, r.PostFormValue("guest"), r.PostFormValue("role"))
	default:
		_, err = h.closeContact(r, id, r.PostFormValue("outcome"))
	}
	if err != nil {
		p := problemOf(err)
		if p.Status == http.StatusForbidden {
			h.audit(r, actorOf(signedInOf(r).Professional), p)
		}
		http.Redirect(w, r, "/desk?error="+kindName(err), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/desk", http.StatusSeeOther)
}

// words are the client pages' texts in each language.
var words = map[string]map[string]string{
	"fi": {"title": "Pyydä soittoa", "client": "Asiakastunniste (tunnistautumisesta)", "errand": "Asia", "postal": "Postinumero",
		"phone": "Puhelinnumero", "send": "Lähetä soittopyyntö", "window": "Soittoaika", "again": "Uusi pyyntö", "error": "Pyyntöä ei voitu ottaa vastaan",
		"infection_symptoms": "Infektio-oireet", "prescription_renewal": "Reseptin uusiminen", "lab_results": "Laboratoriotulokset",
		"chronic_follow_up": "Pitkäaikaissairauden seuranta", "wound_care": "Haavanhoito", "other": "Muu asia", "lang": "Kieli",
		"withdraw": "Peru soittopyyntö", "withdrawn": "Soittopyyntö on peruttu"},
	"sv": {"title": "Begär återuppringning", "client": "Klientreferens (från identifieringen)", "errand": "Ärende", "postal": "Postnummer",
		"phone": "Telefonnummer", "send": "Skicka begäran", "window": "Vi ringer", "again": "Ny begäran", "error": "Begäran kunde inte tas emot",
		"infection_symptoms": "Infektionssymtom", "prescription_renewal": "Förnyelse av recept", "lab_results": "Laboratoriesvar",
		"chronic_follow_up": "Uppföljning av långvarig sjukdom", "wound_care": "Sårvård", "other": "Annat ärende", "lang": "Språk",
		"withdraw": "Återkalla begäran", "withdrawn": "Begäran är återkallad"},
	"en": {"title": "Request a callback", "client": "Client reference (from identification)", "errand": "Errand", "postal": "Postal code",
		"phone": "Phone number", "send": "Send the request", "window": "We will call", "again": "New request", "error": "The request could not be taken",
		"infection_symptoms": "Infection symptoms", "prescription_renewal": "Prescription renewal", "lab_results": "Laboratory results",
		"chronic_follow_up": "Follow-up of a long-term illness", "wound_care": "Wound care", "other": "Other errand", "lang": "Language",
		"withdraw": "Withdraw the request", "withdrawn": "The request is withdrawn"},
}

var errands = []channel.Errand{channel.ErrandInfectionSymptoms, channel.ErrandPrescriptionRenewal, channel.ErrandLabResults,
	channel.ErrandChronicFollowUp, channel.ErrandWoundCare, channel.ErrandOther}

type callbackView struct {
	Lang    string
	W       map[string]string
	CSRF    string
	Errands []channel.Errand
	Answer  *contactAnswer
	Error   string
	Key     string
	// Client is who made the request; Withdrawn that they withdrew it.
	Client    string
	Withdrawn bool
}

func langOf(s string) string {
	if _, ok := words[s]; ok {
		return s
	}
	return "fi"
}

func (h *Handler) pageCallback(w http.ResponseWriter, r *http.Request) {
	l := langOf(r.URL.Query().Get("lang"))
	h.render(w, http.StatusOK, "callback.html", callbackView{Lang: l, W: words[l], CSRF: h.formToken(w, r), Errands: errands, Key: token()})
}

func (h *Handler) pageCallbackPost(w http.ResponseWriter, r *http.Request) {
	l := langOf(r.PostFormValue("lang"))
	v := callbackView{Lang: l, W: words[l], CSRF: h.formToken(w, r), Errands: errands, Key: token()}
	if !formTokenOK(r) {
		h.refuse(w, r, audit.System("web"), http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	// The form's key makes a double submit (or a reload) one request.
	h.once(w, r, r.PostFormValue("key"), []byte(r.PostForm.Encode()), func(w http.ResponseWriter) {
		a, err := h.contact(r, contactRequest{Client: r.PostFormValue("client"), Errand: r.PostFormValue("errand"),
			Channel: string(channel.Callback), PostalCode: r.PostFormValue("postal_code"), Language: l, Phone: r.PostFormValue("phone")})
		if err != nil {
			v.Error = problemOf(err).Detail
			h.render(w, carecontact.HTTPStatus(err), "callback.html", v)
			return
		}
		v.Answer, v.Client = &a, r.PostFormValue("client")
		h.render(w, http.StatusOK, "callback.html", v)
	})
}

// pageCallbackWithdraw withdraws the client's callback request from the
// page that promised its window.
func (h *Handler) pageCallbackWithdraw(w http.ResponseWriter, r *http.Request) {
	l := langOf(r.PostFormValue("lang"))
	v := callbackView{Lang: l, W: words[l], CSRF: h.formToken(w, r), Errands: errands, Key: token()}
	if !formTokenOK(r) {
		h.refuse(w, r, audit.System("web"), http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	id, err := h.identify(r, r.PostFormValue("client"))
	if err == nil {
		err = h.cfg.Door.Withdraw(r.Context(), clientActor(string(id.Client)), r.PostFormValue("contact"), "")
	}
	if err != nil {
		if p := problemOf(err); p.Status == http.StatusForbidden {
			h.audit(r, clientActor(string(id.Client)), p)
		}
		v.Error = problemOf(err).Detail
		h.render(w, carecontact.HTTPStatus(err), "callback.html", v)
		return
	}
	v.Withdrawn = true
	h.render(w, http.StatusOK, "callback.html", v)
}
