package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// ErrBadRequest is the sentinel of a request body or parameter the API
// cannot read.
var ErrBadRequest = carecontact.Sentinel(carecontact.ErrInvalid, "web: bad request")

func (h *Handler) register() {
	h.handle("GET /healthz", public, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	h.handle("GET /readyz", public, func(w http.ResponseWriter, r *http.Request) {
		if err := h.cfg.Ready(r.Context()); err != nil {
			h.fail(w, r, fmt.Errorf("%w: not ready", carecontact.ErrUnavailable))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	h.handle("GET /metrics", public, h.metrics.handler().ServeHTTP)
	h.handle("GET /openapi.json", public, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openapiJSON)
	})
	h.handle("POST /api/login", limited, h.apiLogin) // rate limited against password guessing
	h.handle("POST /api/logout", professional, h.apiLogout)
	h.handle("POST /api/contacts", limited, h.apiContact)
	h.handle("GET /api/desk", professional, h.apiDesk)
	h.handle("POST /api/items/{id}/accept", professional, h.apiAccept)
	h.handle("POST /api/items/{id}/decline", professional, h.apiDecline)
	h.handle("POST /api/sessions/{id}/close", professional, h.apiClose)
	h.handle("POST /api/sessions/{id}/identify", professional, h.apiIdentify)
	h.handle("POST /api/sessions/{id}/switch", professional, h.apiSwitch)
	h.handle("POST /api/sessions/{id}/invite", professional, h.apiInvite)
	h.handle("POST /api/bookings/search", limited, h.apiBookSearch)
	h.handle("POST /api/bookings/hold", limited, h.apiBookHold)
	h.handle("POST /api/bookings/confirm", limited, h.apiBookConfirm)
	h.handle("POST /api/bookings/{id}/cancel", limited, h.apiBookCancel)
	h.registerPages()
	h.registerGuidance()
	h.registerChat()
	h.registerChatPages()
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, Problem{Type: "/problems/not-found", Title: "Not Found", Status: http.StatusNotFound, Detail: "no such route"})
	})
}

// decode reads a JSON body of at most 64 KiB into v, refusing unknown
// fields, and returns the raw body.
func decode(r *http.Request, v any) ([]byte, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		// A cross-site form cannot send application/json without a
		// preflight, so this also keeps other sites from posting here.
		return nil, carecontact.Invalid(ErrBadRequest, "Content-Type", "must be application/json")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	dec := json.NewDecoder(bytesReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, carecontact.Invalid(ErrBadRequest, "body", "is not the expected JSON object")
	}
	return body, nil
}

// loginRequest is the body of POST /api/login.
type loginRequest struct {
	Professional string `json:"professional"`
	Password     string `json:"password"`
}

// signInAnswer answers a sign-in: who, their teams from the directory,
// and the CSRF token the API's POSTs send in X-CSRF-Token.
type signInAnswer struct {
	Professional string   `json:"professional"`
	Teams        []string `json:"teams"`
	CSRF         string   `json:"csrf"`
}

// signIn authenticates, looks the professional up in the staff
// directory, sets their presence available and starts a session.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, user, password string) (signInAnswer, error) {
	p, err := h.cfg.Auth.Authenticate(r.Context(), user, password)
	if err != nil {
		return signInAnswer{}, err
	}
	m, err := h.cfg.Staff.Member(r.Context(), p)
	if err != nil {
		return signInAnswer{}, fmt.Errorf("%w: %w", ErrSignIn, err)
	}
	// Staff who take no contacts (a head nurse maintaining guidance) have
	// no presence to set.
	if _, err := h.cfg.Door.SetPresence(r.Context(), p, routing.PresenceAvailable); err != nil && !errors.Is(err, routing.ErrUnknownProfessional) {
		return signInAnswer{}, err
	}
	t, si := h.sessions.start(p)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: t, Path: "/", HttpOnly: true, Secure: h.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: 12 * 3600})
	out := signInAnswer{Professional: string(p), CSRF: si.CSRF, Teams: []string{}}
	for _, t := range m.Teams {
		out.Teams = append(out.Teams, string(t))
	}
	return out, nil
}

func (h *Handler) apiLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.signIn(w, r, req.Professional, req.Password)
	if err != nil {
		if errors.Is(err, ErrSignIn) {
			h.refuse(w, r, audit.System("web"), http.StatusUnauthorized, "sign-in refused")
			return
		}
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	t, si, _ := h.sessions.of(r)
	h.sessions.end(t)
	_, _ = h.cfg.Door.SetPresence(r.Context(), si.Professional, routing.PresenceAway)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1, SameSite: http.SameSiteStrictMode})
}

func (h *Handler) apiLogout(w http.ResponseWriter, r *http.Request) {
	h.signOut(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// contactRequest is the body of POST /api/contacts.
type contactRequest struct {
	Client     string `json:"client"`
	Errand     string `json:"errand"`
	Channel    string `json:"channel"`
	PostalCode string `json:"postal_code"`
	Language   string `json:"language,omitempty"`
	Group      string `json:"group,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

type textJSON struct {
	Plain    string `json:"plain"`
	Language string `json:"language"`
	Version  string `json:"version"`
}

func textOf(t frontdoor.Text) *textJSON {
	if t.IsZero() {
		return nil
	}
	return &textJSON{Plain: t.Plain, Language: t.Language.String(), Version: t.Version.String()}
}

type promiseJSON struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Team     string    `json:"team"`
	NextDay  bool      `json:"next_day"`
	Unplaced bool      `json:"unplaced"`
}

type queueJSON struct {
	Position        int `json:"position"`
	EstimateSeconds int `json:"estimate_seconds"`
}

// contactAnswer answers POST /api/contacts.
type contactAnswer struct {
	ID         string       `json:"id"`
	Duplicate  bool         `json:"duplicate"`
	Merged     bool         `json:"merged"`
	ExistingID string       `json:"existing_id,omitempty"`
	Queue      *queueJSON   `json:"queue,omitempty"`
	Promise    *promiseJSON `json:"promise,omitempty"`
	Text       *textJSON    `json:"text,omitempty"`
	Advice     *adviceJSON  `json:"advice,omitempty"`
}

type adviceJSON struct {
	Channel string    `json:"channel"`
	Service string    `json:"service,omitempty"`
	Text    *textJSON `json:"text,omitempty"`
}

func clientActor(c string) audit.Actor { return audit.Actor{Kind: audit.ActorClient, ID: c} }

// identify establishes the client a request names through the
// Identifier; the reference is required.
func (h *Handler) identify(r *http.Request, claimed string) (Identified, error) {
	if claimed == "" {
		return Identified{}, carecontact.Invalid(ErrBadRequest, "client", "is required")
	}
	return h.cfg.Identify.Identify(r.Context(), r, carecontact.ClientRef(claimed))
}

// contact makes a client's contact through the door.
func (h *Handler) contact(r *http.Request, req contactRequest) (contactAnswer, error) {
	id, err := h.identify(r, req.Client)
	if err != nil {
		return contactAnswer{}, err
	}
	c, err := h.cfg.Door.Contact(r.Context(), frontdoor.ContactRequest{Actor: clientActor(string(id.Client)),
		Client: id.Client, Identity: id.Level, IdentityMethod: id.Method, Errand: channel.Errand(req.Errand), Channel: channel.Kind(req.Channel),
		PostalCode: routing.PostalCode(req.PostalCode), Language: req.Language, Group: req.Group, Phone: callback.Phone(req.Phone)})
	if err != nil && c.ID == "" {
		return contactAnswer{}, err
	}
	out := contactAnswer{ID: c.ID, Duplicate: c.Duplicate, Merged: c.Merged, ExistingID: c.ExistingID, Text: textOf(c.Text)}
	if c.Promise != nil {
		out.Promise = &promiseJSON{Start: c.Promise.Window.Start.UTC(), End: c.Promise.Window.End.UTC(), Team: string(c.Promise.Team),
			NextDay: c.Promise.NextDay, Unplaced: c.Promise.Unplaced}
	} else if c.Item.ID != "" {
		out.Queue = &queueJSON{Position: c.Wait.Position, EstimateSeconds: int(c.Wait.Estimate.Seconds())}
	}
	if c.Advice != nil {
		out.Advice = &adviceJSON{Channel: string(c.Advice.Kind), Service: c.Advice.Service, Text: textOf(c.Advice.Text)}
	}
	return out, nil
}

func (h *Handler) apiContact(w http.ResponseWriter, r *http.Request) {
	var req contactRequest
	body, err := decode(r, &req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.once(w, r, r.Header.Get("Idempotency-Key"), body, func(w http.ResponseWriter) {
		out, err := h.contact(r, req)
		h.answer(w, r, http.StatusCreated, out, err)
	})
}

// deskItemJSON is one piece of work on the desk.
type deskItemJSON struct {
	Contact    string    `json:"contact"`
	Item       string    `json:"item"`
	Channel    string    `json:"channel"`
	Callback   bool      `json:"callback"`
	Errand     string    `json:"errand"`
	State      string    `json:"state"`
	Guest      bool      `json:"guest"`
	EnqueuedAt time.Time `json:"enqueued_at"`
	Actions    []string  `json:"actions"`
	SwitchTo   []string  `json:"switch_to"`
	// Guests are the colleagues invited into the contact.
	Guests []string `json:"guests,omitempty"`
	// Window, AtRisk and Breached are a callback's promise, as far as
	// this host's events tell.
	Window   *windowJSON `json:"window,omitempty"`
	AtRisk   bool        `json:"at_risk,omitempty"`
	Breached bool        `json:"breached,omitempty"`
	// Room is the link to the video room of a contact in hand on video.
	Room string `json:"room,omitempty"`
	// Messages are a chat in hand's conversation.
	Messages []messageJSON `json:"messages,omitempty"`
}

type windowJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// deskAnswer answers GET /api/desk; Waiting is paginated.
type deskAnswer struct {
	Professional string         `json:"professional"`
	Presence     string         `json:"presence"`
	Teams        []string       `json:"teams"`
	Offers       []deskItemJSON `json:"offers"`
	Contacts     []deskItemJSON `json:"contacts"`
	Waiting      []deskItemJSON `json:"waiting"`
	NextCursor   string         `json:"next_cursor,omitempty"`
}

func (h *Handler) itemsJSON(in []frontdoor.DeskItem) []deskItemJSON {
	out := make([]deskItemJSON, 0, len(in))
	for _, di := range in {
		j := deskItemJSON{Contact: di.Contact, Item: string(di.Item.ID), Channel: string(di.Channel), Callback: di.Callback,
			Errand: string(di.Item.Contact.Errand), State: di.Item.State.String(), Guest: di.Guest,
			EnqueuedAt: di.Item.EnqueuedAt.UTC(), Actions: []string{}, SwitchTo: []string{}}
		for _, a := range di.Actions {
			j.Actions = append(j.Actions, string(a))
		}
		for _, k := range di.SwitchTo {
			j.SwitchTo = append(j.SwitchTo, string(k))
		}
		for _, g := range di.Item.Guests {
			j.Guests = append(j.Guests, string(g))
		}
		if cb, ok := h.cfg.Hub.callback(di.Contact); ok && di.Callback {
			if !cb.Window.IsZero() {
				j.Window = &windowJSON{Start: cb.Window.Start.UTC(), End: cb.Window.End.UTC()}
			}
			j.AtRisk, j.Breached = cb.AtRisk, cb.Breached
		}
		out = append(out, j)
	}
	return out
}

// inHand adds the video room link and the chat conversation to the
// contacts a professional has in hand: reading the session (audited by
// the session manager) and the messages (audited as web.chat_read).
func (h *Handler) inHand(ctx context.Context, p carecontact.ProfessionalID, items []deskItemJSON) error {
	for i := range items {
		it := &items[i]
		if it.State != routing.ItemAccepted.String() || (it.Channel != string(channel.Video) && it.Channel != string(channel.Chat)) {
			continue
		}
		s, err := h.cfg.Door.Session(ctx, p, it.Contact)
		if err != nil {
			return err
		}
		if room := roomOf(s); room != "" {
			it.Room = "/desk/sessions/" + s.ID + "/room"
		}
		if it.Channel == string(channel.Chat) && h.cfg.Chat != nil {
			c, err := h.readConversation(ctx, actorOf(p), s)
			if err != nil {
				return err
			}
			it.Messages = c.Messages
		}
	}
	return nil
}

// page reads limit (1-100, default 20) and cursor (an opaque offset).
func page(r *http.Request) (limit, offset int, err error) {
	limit = 20
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, carecontact.Invalid(ErrBadRequest, "limit", "must be a whole number from 1 to 100")
		}
		limit = n
	}
	if s := r.URL.Query().Get("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 {
			return 0, 0, carecontact.Invalid(ErrBadRequest, "cursor", "is not a cursor this API gave")
		}
		offset = n
	}
	return limit, offset, nil
}

func cursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset)))
}

func (h *Handler) desk(r *http.Request, limit, offset int) (deskAnswer, error) {
	si := signedInOf(r)
	d, err := h.cfg.Door.Desk(r.Context(), si.Professional)
	if err != nil {
		return deskAnswer{}, err
	}
	m, err := h.cfg.Staff.Member(r.Context(), si.Professional)
	if err != nil {
		return deskAnswer{}, err
	}
	out := deskAnswer{Professional: string(si.Professional), Presence: d.Professional.Effective().String(), Teams: []string{},
		Offers: h.itemsJSON(d.Offers), Contacts: h.itemsJSON(d.Contacts)}
	if err := h.inHand(r.Context(), si.Professional, out.Contacts); err != nil {
		return deskAnswer{}, err
	}
	for _, t := range m.Teams {
		out.Teams = append(out.Teams, string(t))
	}
	waiting := h.itemsJSON(d.Waiting)
	if offset > len(waiting) {
		offset = len(waiting)
	}
	end := min(len(waiting), offset+limit)
	out.Waiting = waiting[offset:end]
	if end < len(waiting) {
		out.NextCursor = cursor(end)
	}
	return out, nil
}

func (h *Handler) apiDesk(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.desk(r, limit, offset)
	h.answer(w, r, http.StatusOK, out, err)
}

// answer writes v as JSON with status, or err as a problem when it is
// not nil.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// sessionAnswer is a contact's session after a professional's action.
type sessionAnswer struct {
	Contact string `json:"contact"`
	State   string `json:"state"`
	Channel string `json:"channel"`
	Team    string `json:"team"`
}

func sessionOf(s session.Session) sessionAnswer {
	return sessionAnswer{Contact: s.ID, State: string(s.State), Channel: string(s.LastKind()), Team: string(s.Team)}
}

func (h *Handler) apiAccept(w http.ResponseWriter, r *http.Request) {
	s, err := h.cfg.Door.Accept(r.Context(), signedInOf(r).Professional, carecontact.ItemID(r.PathValue("id")))
	h.answer(w, r, http.StatusOK, sessionOf(s), err)
}

func (h *Handler) apiDecline(w http.ResponseWriter, r *http.Request) {
	if err := h.cfg.Door.Decline(r.Context(), signedInOf(r).Professional, carecontact.ItemID(r.PathValue("id"))); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// closeRequest is the body of POST /api/sessions/{id}/close.
type closeRequest struct {
	Outcome string `json:"outcome"`
}

// outcomes are the outcomes a professional closes a contact with.
var outcomes = []session.Outcome{session.OutcomeResolved, session.OutcomeBooked, session.OutcomeReferred,
	session.OutcomeNoAnswer, session.OutcomeFollowUp}

func outcomeOf(s string) (session.Outcome, error) {
	for _, o := range outcomes {
		if string(o) == s {
			return o, nil
		}
	}
	return "", carecontact.Invalid(ErrBadRequest, "outcome", "must be one of resolved, appointment_booked, referred, no_answer, follow_up")
}

// closeAnswer answers a close: the session and how many other contacts of
// the errand it withdrew.
type closeAnswer struct {
	sessionAnswer
	Outcome   string `json:"outcome"`
	Withdrawn int    `json:"withdrawn"`
}

func (h *Handler) closeContact(r *http.Request, id, outcome string) (closeAnswer, error) {
	o, err := outcomeOf(outcome)
	if err != nil {
		return closeAnswer{}, err
	}
	c, err := h.cfg.Door.Close(r.Context(), signedInOf(r).Professional, id, o)
	if err != nil {
		return closeAnswer{}, err
	}
	return closeAnswer{sessionAnswer: sessionOf(c.Session), Outcome: string(c.Session.Outcome), Withdrawn: len(c.Withdrawn)}, nil
}

func (h *Handler) apiClose(w http.ResponseWriter, r *http.Request) {
	var req closeRequest
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.closeContact(r, r.PathValue("id"), req.Outcome)
	h.answer(w, r, http.StatusOK, out, err)
}

// searchRequest is the body of POST /api/bookings/search.
type searchRequest struct {
	Client     string `json:"client"`
	Group      string `json:"group,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Area       string `json:"area,omitempty"`
	Service    string `json:"service"`
	Language   string `json:"language,omitempty"`
	Limit      int    `json:"limit,omitempty"`
}

// slotsAnswer answers a search.
type slotsAnswer struct {
	Service string         `json:"service"`
	Name    string         `json:"name"`
	Slots   []booking.Slot `json:"slots"`
	Text    *textJSON      `json:"text,omitempty"`
}

func (h *Handler) apiBookSearch(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := h.identify(r, req.Client)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if req.Limit < 0 || req.Limit > 100 {
		h.fail(w, r, carecontact.Invalid(ErrBadRequest, "limit", "must be from 1 to 100"))
		return
	}
	if req.Limit == 0 {
		req.Limit = 10
	}
	t, err := h.cfg.Door.BookSearch(r.Context(), frontdoor.BookingQuery{Client: id.Client, Group: req.Group,
		Area: carecontact.AreaID(req.Area), PostalCode: routing.PostalCode(req.PostalCode), Service: req.Service,
		Limit: req.Limit, Language: req.Language})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := slotsAnswer{Service: t.Service.Code, Name: t.Service.Names.FI, Slots: t.Slots, Text: textOf(t.Text)}
	if out.Slots == nil {
		out.Slots = []booking.Slot{}
	}
	writeJSON(w, http.StatusOK, out)
}

// holdRequest is the body of POST /api/bookings/hold and confirm.
type holdRequest struct {
	Client   string        `json:"client"`
	Group    string        `json:"group,omitempty"`
	Slot     *booking.Slot `json:"slot,omitempty"`
	Hold     string        `json:"hold,omitempty"`
	Language string        `json:"language,omitempty"`
}

type appointmentJSON struct {
	ID        string     `json:"id"`
	Area      string     `json:"area"`
	Service   string     `json:"service"`
	Start     time.Time  `json:"start"`
	End       time.Time  `json:"end"`
	Status    string     `json:"status"`
	HoldUntil *time.Time `json:"hold_until,omitempty"`
}

func appointmentOf(a booking.Appointment) appointmentJSON {
	out := appointmentJSON{ID: a.ID, Area: string(a.Area), Service: a.Service, Start: a.Start.UTC(), End: a.End.UTC(), Status: string(a.Status)}
	if !a.HoldUntil.IsZero() {
		t := a.HoldUntil.UTC()
		out.HoldUntil = &t
	}
	return out
}

// bookedAnswer answers a hold, a confirmation and a cancellation.
type bookedAnswer struct {
	Appointment appointmentJSON `json:"appointment"`
	Text        *textJSON       `json:"text,omitempty"`
	Duplicate   bool            `json:"duplicate"`
	Withdrawn   int             `json:"withdrawn"`
}

func (h *Handler) book(w http.ResponseWriter, r *http.Request, confirm bool) {
	var req holdRequest
	body, err := decode(r, &req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.once(w, r, r.Header.Get("Idempotency-Key"), body, func(w http.ResponseWriter) {
		id, err := h.identify(r, req.Client)
		br := frontdoor.BookingRequest{Client: id.Client, Group: req.Group, Hold: req.Hold, Language: req.Language}
		var b frontdoor.Booked
		switch {
		case err != nil:
		case confirm && req.Hold == "":
			err = carecontact.Invalid(ErrBadRequest, "hold", "is required")
		case !confirm && req.Slot == nil:
			err = carecontact.Invalid(ErrBadRequest, "slot", "is required")
		case confirm:
			b, err = h.cfg.Door.BookConfirm(r.Context(), br)
		default:
			br.Slot = *req.Slot
			b, err = h.cfg.Door.BookHold(r.Context(), br)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, bookedAnswer{Appointment: appointmentOf(b.Appointment), Text: textOf(b.Text),
			Duplicate: b.Duplicate, Withdrawn: len(b.Withdrawn)})
	})
}

func (h *Handler) apiBookHold(w http.ResponseWriter, r *http.Request)    { h.book(w, r, false) }
func (h *Handler) apiBookConfirm(w http.ResponseWriter, r *http.Request) { h.book(w, r, true) }

// cancelRequest is the body of POST /api/bookings/{id}/cancel.
type cancelRequest struct {
	Client string `json:"client"`
	Reason string `json:"reason"`
}

func (h *Handler) apiBookCancel(w http.ResponseWriter, r *http.Request) {
	var req cancelRequest
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := h.identify(r, req.Client)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.cfg.Booker == nil {
		h.fail(w, r, frontdoor.ErrNoBooking)
		return
	}
	res, err := h.cfg.Booker.Cancel(r.Context(), r.PathValue("id"), req.Reason, booking.Requester{Actor: clientActor(string(id.Client))})
	h.answer(w, r, http.StatusOK, bookedAnswer{Appointment: appointmentOf(res.Cancelled)}, err)
}

// identifyRequest is the body of POST /api/sessions/{id}/identify: how
// strongly the professional identified the client in the call.
type identifyRequest struct {
	Level  string `json:"level"`
	Method string `json:"method"`
}

func (h *Handler) identifyClient(r *http.Request, id, level, method string) (session.Session, error) {
	var l channel.IdentityLevel
	switch level {
	case "strong":
		l = channel.IdentityStrong
	case "weak":
		l = channel.IdentityWeak
	default:
		return session.Session{}, carecontact.Invalid(ErrBadRequest, "level", "must be strong or weak")
	}
	if method == "" {
		return session.Session{}, carecontact.Invalid(ErrBadRequest, "method", "is required (a short label such as bank_id)")
	}
	return h.cfg.Door.Identify(r.Context(), signedInOf(r).Professional, id, l, method)
}

func (h *Handler) apiIdentify(w http.ResponseWriter, r *http.Request) {
	sessionStep(h, w, r, func(req identifyRequest) (session.Session, error) {
		return h.identifyClient(r, r.PathValue("id"), req.Level, req.Method)
	})
}

// sessionStep decodes the JSON body of a step on the session the path
// names, takes the step and answers with the session, or the problem.
func sessionStep[T any](h *Handler, w http.ResponseWriter, r *http.Request, step func(req T) (session.Session, error)) {
	var req T
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := step(req)
	h.answer(w, r, http.StatusOK, sessionOf(s), err)
}

// switchRequest is the body of POST /api/sessions/{id}/switch.
type switchRequest struct {
	To      string `json:"to"`
	Consent bool   `json:"consent"`
}

func (h *Handler) switchContact(r *http.Request, id, to string, consent bool) (session.Session, error) {
	if to == "" {
		return session.Session{}, carecontact.Invalid(ErrBadRequest, "to", "is required")
	}
	return h.cfg.Door.Switch(r.Context(), signedInOf(r).Professional, id, frontdoor.SwitchRequest{To: channel.Kind(to), Consent: consent})
}

func (h *Handler) apiSwitch(w http.ResponseWriter, r *http.Request) {
	sessionStep(h, w, r, func(req switchRequest) (session.Session, error) {
		return h.switchContact(r, r.PathValue("id"), req.To, req.Consent)
	})
}

// inviteRequest is the body of POST /api/sessions/{id}/invite.
type inviteRequest struct {
	Guest string `json:"guest"`
	Role  string `json:"role"`
}

func (h *Handler) invite(r *http.Request, id, guest, role string) (session.Session, error) {
	if guest == "" {
		return session.Session{}, carecontact.Invalid(ErrBadRequest, "guest", "is required")
	}
	if role == "" {
		role = "colleague"
	}
	return h.cfg.Door.Invite(r.Context(), signedInOf(r).Professional, id, carecontact.ProfessionalID(guest), role)
}

func (h *Handler) apiInvite(w http.ResponseWriter, r *http.Request) {
	sessionStep(h, w, r, func(req inviteRequest) (session.Session, error) {
		return h.invite(r, r.PathValue("id"), req.Guest, req.Role)
	})
}
