package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
)

// bookWords are the booking page's texts in each language.
var bookWords = map[string]map[string]string{
	"fi": {"title": "Varaa aika: verenpaineen seuranta", "client": "Asiakastunniste (tunnistautumisesta)", "postal": "Postinumero",
		"search": "Hae vapaat ajat", "times": "Vapaat ajat", "book": "Varaa valittu aika", "booked": "Aika varattu",
		"cancel": "Peru aika", "cancelled": "Aika peruttu", "reason": "Syy", "error": "Varaus ei onnistunut", "none": "Ei vapaita aikoja.", "lang": "Kieli"},
	"sv": {"title": "Boka tid: blodtryckskontroll", "client": "Klientreferens (från identifieringen)", "postal": "Postnummer",
		"search": "Sök lediga tider", "times": "Lediga tider", "book": "Boka vald tid", "booked": "Tiden är bokad",
		"cancel": "Avboka tiden", "cancelled": "Tiden är avbokad", "reason": "Orsak", "error": "Bokningen misslyckades", "none": "Inga lediga tider.", "lang": "Språk"},
	"en": {"title": "Book a time: blood pressure check", "client": "Client reference (from identification)", "postal": "Postal code",
		"search": "Find free times", "times": "Free times", "book": "Book the chosen time", "booked": "Booked",
		"cancel": "Cancel the appointment", "cancelled": "Cancelled", "reason": "Reason", "error": "The booking failed", "none": "No free times.", "lang": "Language"},
}

// bookService is the demo's self-bookable service on the booking page.
const bookService = "bp-check"

type slotOption struct {
	Slot  booking.Slot
	Value string
}

type bookView struct {
	Lang, CSRF, Key, Client, Postal string
	W                               map[string]string
	Text                            *textJSON
	Slots                           []slotOption
	Searched                        bool
	Booked                          *appointmentJSON
	Cancelled                       bool
	Error                           string
}

func (h *Handler) bookView(w http.ResponseWriter, r *http.Request, lang string) bookView {
	l := langOf(lang)
	return bookView{Lang: l, W: bookWords[l], CSRF: h.formToken(w, r), Key: token(), Client: "client-demo", Postal: "00530"}
}

func (h *Handler) pageBook(w http.ResponseWriter, r *http.Request) {
	h.render(w, http.StatusOK, "book.html", h.bookView(w, r, r.URL.Query().Get("lang")))
}

// pageBookPost runs the booking page's three steps: search, book (hold
// and confirm) and cancel.
func (h *Handler) pageBookPost(w http.ResponseWriter, r *http.Request) {
	if !formTokenOK(r) {
		h.refuse(w, r, audit.System("web"), http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	v := h.bookView(w, r, r.PostFormValue("lang"))
	v.Client, v.Postal = r.PostFormValue("client"), r.PostFormValue("postal_code")
	fail := func(w http.ResponseWriter, err error) {
		v.Error = problemOf(err).Detail
		h.render(w, carecontact.HTTPStatus(err), "book.html", v)
	}
	id, err := h.identify(r, v.Client)
	if err != nil {
		fail(w, err)
		return
	}
	switch r.Pattern {
	case "POST /book/search":
		t, err := h.cfg.Door.BookSearch(r.Context(), frontdoor.BookingQuery{Client: id.Client, Group: "adult",
			PostalCode: routing.PostalCode(v.Postal), Service: bookService, Limit: 6, Language: v.Lang})
		if err != nil {
			fail(w, err)
			return
		}
		v.Searched, v.Text = true, textOf(t.Text)
		for _, s := range t.Slots {
			b, _ := json.Marshal(s)
			v.Slots = append(v.Slots, slotOption{Slot: s, Value: base64.RawURLEncoding.EncodeToString(b)})
		}
		h.render(w, http.StatusOK, "book.html", v)
	case "POST /book/confirm":
		h.once(w, r, r.PostFormValue("key"), []byte(r.PostForm.Encode()), func(w http.ResponseWriter) {
			var slot booking.Slot
			raw, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("slot"))
			if err != nil || json.Unmarshal(raw, &slot) != nil {
				fail(w, carecontact.Invalid(ErrBadRequest, "slot", "choose a time"))
				return
			}
			req := frontdoor.BookingRequest{Client: id.Client, Group: "adult", Slot: slot, Language: v.Lang}
			held, err := h.cfg.Door.BookHold(r.Context(), req)
			if err != nil {
				fail(w, err)
				return
			}
			req.Hold = held.Appointment.ID
			b, err := h.cfg.Door.BookConfirm(r.Context(), req)
			if err != nil {
				fail(w, err)
				return
			}
			a := appointmentOf(b.Appointment)
			v.Booked, v.Text = &a, textOf(b.Text)
			h.render(w, http.StatusOK, "book.html", v)
		})
	default:
		if h.cfg.Booker == nil {
			fail(w, frontdoor.ErrNoBooking)
			return
		}
		reason := r.PostFormValue("reason")
		if reason == "" {
			reason = "cancelled by the client"
		}
		if _, err := h.cfg.Booker.Cancel(r.Context(), r.PostFormValue("appointment"), reason,
			booking.Requester{Actor: clientActor(string(id.Client))}); err != nil {
			fail(w, err)
			return
		}
		v.Cancelled = true
		h.render(w, http.StatusOK, "book.html", v)
	}
}
