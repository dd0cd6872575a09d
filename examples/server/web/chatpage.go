package web

import (
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// chatWords are the chat page's texts in each language, beside words.
var chatWords = map[string]map[string]string{
	"fi": {"chat_title": "Chat hoitajan kanssa", "advise": "Näytä sopivat asiointikanavat", "start": "Aloita chat",
		"advice": "Sopivat kanavat asiallesi", "no_advice": "Asialle ei löytynyt neuvoa.", "error": "Pyyntöä ei voitu ottaa vastaan",
		"chat": "Chat", "callback": "Soittopyyntö", "e_booking": "Ajanvaraus verkossa", "here": "tällä sivulla",
		"waiting": "Odotat vuoroasi", "position": "jonossa", "with": "Keskustelet: ", "closed": "Keskustelu on päättynyt",
		"messages": "Viestit", "none": "Ei vielä viestejä.", "you": "Sinä", "message": "Viesti", "send": "Lähetä",
		"refresh": "Päivitä", "withdraw": "Lopeta ja peru chat", "withdrawn": "Chat on peruttu", "again": "Uusi chat",
		"lang": "Kieli", "better": "Asiallesi sopii paremmin",
		"already":  "Odotat jo vastausta tähän asiaan.",
		"no_route": "Chat ei ole nyt auki: kukaan ei ehdi vastata. Voit jättää soittopyynnön."},
	"sv": {"chat_title": "Chatt med en sjukskötare", "advise": "Visa lämpliga kanaler", "start": "Starta chatten",
		"advice": "Lämpliga kanaler för ditt ärende", "no_advice": "Inga råd hittades för ärendet.", "error": "Begäran kunde inte tas emot",
		"chat": "Chatt", "callback": "Återuppringning", "e_booking": "Webbokning", "here": "på den här sidan",
		"waiting": "Du väntar på din tur", "position": "i kön", "with": "Du chattar med: ", "closed": "Chatten är avslutad",
		"messages": "Meddelanden", "none": "Inga meddelanden ännu.", "you": "Du", "message": "Meddelande", "send": "Skicka",
		"refresh": "Uppdatera", "withdraw": "Avsluta och återkalla chatten", "withdrawn": "Chatten är återkallad", "again": "Ny chatt",
		"lang": "Språk", "better": "Bättre för ditt ärende",
		"already":  "Du väntar redan på svar i det här ärendet.",
		"no_route": "Chatten är inte öppen nu: ingen hinner svara. Du kan lämna en begäran om återuppringning."},
	"en": {"chat_title": "Chat with a nurse", "advise": "Show the channels that suit", "start": "Start the chat",
		"advice": "Channels that suit your errand", "no_advice": "No advice was found for the errand.", "error": "The request could not be taken",
		"chat": "Chat", "callback": "Callback", "e_booking": "Online booking", "here": "on this page",
		"waiting": "You are waiting for your turn", "position": "in the queue", "with": "You are chatting with: ", "closed": "The chat has ended",
		"messages": "Messages", "none": "No messages yet.", "you": "You", "message": "Message", "send": "Send",
		"refresh": "Refresh", "withdraw": "End and withdraw the chat", "withdrawn": "The chat is withdrawn", "again": "New chat",
		"lang": "Language", "better": "Better for your errand",
		"already":  "You are already waiting for an answer about this errand.",
		"no_route": "The chat is not open now: nobody can answer. You can leave a callback request."},
}

// chatW is the chat page's texts in language l: words[l] with chatWords[l].
func chatW(l string) map[string]string {
	out := map[string]string{}
	for k, v := range words[l] {
		out[k] = v
	}
	for k, v := range chatWords[l] {
		out[k] = v
	}
	return out
}

// fitView is one channel of the advice.
type fitView struct {
	Kind, Name, Text, Link string
}

// chatView is what chat.html shows.
type chatView struct {
	Lang    string
	W       map[string]string
	CSRF    string
	Key     string
	Errands []channel.Errand
	Error   string
	// The form's values, kept between its steps.
	Client, Errand, Postal string
	// Advised: Notice and Fits are the channel advice.
	Advised bool
	Notice  string
	Fits    []fitView
	// Contact is the chat started; Position its place in the queue while
	// nobody has taken it, With the professional who has, Closed that it
	// ended.
	Contact  string
	Position int
	With     string
	Closed   bool
	Better   *fitView
	Messages []messageJSON
	// Withdrawn: the client withdrew the chat.
	Withdrawn bool
	// NoRoute: nobody could take the chat now.
	NoRoute bool
	// Already tells where the client already waits about the errand,
	// when it is not a chat.
	Already string
}

// chatOf tells whether contact id is one of the client's chats.
func (h *Handler) chatOf(r *http.Request, id string) bool {
	c, err := h.identify(r, r.PostFormValue("client"))
	if err != nil {
		return false
	}
	s, err := h.cfg.Door.Parts().Sessions.Get(r.Context(), clientActor(string(c.Client)), id)
	return err == nil && h.isChat(s)
}

func (h *Handler) chatView(w http.ResponseWriter, r *http.Request, l string) chatView {
	return chatView{Lang: l, W: chatW(l), CSRF: h.formToken(w, r), Key: token(), Errands: errands,
		Client: r.PostFormValue("client"), Errand: r.PostFormValue("errand"), Postal: r.PostFormValue("postal_code")}
}

// fit is the view of one advised channel.
func fit(l string, k channel.Kind, text string) fitView {
	f := fitView{Kind: string(k), Name: chatWords[l][string(k)], Text: text}
	if f.Name == "" {
		f.Name = string(k)
	}
	switch k {
	case channel.Callback:
		f.Link = "/callback?lang=" + l
	case channel.EBooking:
		f.Link = "/book?lang=" + l
	}
	return f
}

func (h *Handler) pageChat(w http.ResponseWriter, r *http.Request) {
	l := langOf(r.URL.Query().Get("lang"))
	v := chatView{Lang: l, W: chatW(l), CSRF: h.formToken(w, r), Key: token(), Errands: errands, Client: "client-demo", Postal: "00530"}
	h.render(w, http.StatusOK, "chat.html", v)
}

// chatPageError renders the page with err's detail at err's status, and
// audits a refusal.
func (h *Handler) chatPageError(w http.ResponseWriter, r *http.Request, v chatView, actor audit.Actor, err error) {
	p := problemOf(err)
	if p.Status == http.StatusForbidden {
		h.audit(r, actor, p)
	}
	v.Error = p.Detail
	if p.Status == http.StatusInternalServerError {
		h.cfg.Logger.Error("internal error", "route", r.Pattern, "error", err.Error())
		v.Error = http.StatusText(p.Status)
	}
	h.render(w, p.Status, "chat.html", v)
}

// advise is the channel advice for the client's errand in the area of
// the postal code, for the identification the client established, from
// the guidance published now.
func (h *Handler) advise(r *http.Request, l string, id Identified, errand, postal string) (guidance.Advice, error) {
	if h.cfg.Guide == nil || h.cfg.Directory == nil {
		return guidance.Advice{}, fmt.Errorf("web: channel advice: %w: no guidance or directory", carecontact.ErrUnavailable)
	}
	if errand == "" {
		return guidance.Advice{}, carecontact.Invalid(ErrBadRequest, "errand", "is required")
	}
	area, err := h.cfg.Directory.AreaOf(postal)
	if err != nil {
		return guidance.Advice{}, err
	}
	cat, err := h.cfg.Guide.Published(r.Context(), h.cfg.Clock.Now())
	if err != nil {
		return guidance.Advice{}, err
	}
	return cat.Advise(h.cfg.Matrix, guidance.Situation{Errand: channel.Errand(errand), Area: area.ID,
		Languages: []language.Tag{language.Make(l)}, Identity: id.Level})
}

func (h *Handler) pageChatAdvice(w http.ResponseWriter, r *http.Request) {
	l := langOf(r.PostFormValue("lang"))
	v := h.chatView(w, r, l)
	if !formTokenOK(r) {
		h.refuse(w, r, audit.System("web"), http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	id, err := h.identify(r, v.Client)
	if err != nil {
		h.chatPageError(w, r, v, audit.System("web"), err)
		return
	}
	adv, err := h.advise(r, l, id, v.Errand, v.Postal)
	if err != nil {
		h.chatPageError(w, r, v, clientActor(string(id.Client)), err)
		return
	}
	v.Advised, v.Notice = true, adv.Notice.Plain
	for _, f := range adv.Fits {
		v.Fits = append(v.Fits, fit(l, f.Kind, f.Text.Plain))
	}
	h.render(w, http.StatusOK, "chat.html", v)
}

// pageChatStart starts the chat through the door, routed by the postal
// code; the form's key makes a double submit one chat.
func (h *Handler) pageChatStart(w http.ResponseWriter, r *http.Request) {
	l := langOf(r.PostFormValue("lang"))
	v := h.chatView(w, r, l)
	if !formTokenOK(r) {
		h.refuse(w, r, audit.System("web"), http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	h.once(w, r, r.PostFormValue("key"), []byte(r.PostForm.Encode()), func(w http.ResponseWriter) {
		a, err := h.contact(r, contactRequest{Client: v.Client, Errand: v.Errand, Channel: string(channel.Chat),
			PostalCode: v.Postal, Language: l})
		if errors.Is(err, routing.ErrNoRoute) && a.ID == "" {
			// Nobody who takes chats is signed in: say so in the client's
			// language and point to the callback.
			v.NoRoute = true
			h.render(w, carecontact.HTTPStatus(err), "chat.html", v)
			return
		}
		if err != nil && a.ID == "" {
			h.chatPageError(w, r, v, clientActor(v.Client), err)
			return
		}
		if a.Merged && a.ExistingID != "" {
			a.ID = a.ExistingID // the contact the client already waits in
			if !h.chatOf(r, a.ID) {
				// Already waiting about the errand in another channel (a
				// callback): the door's text says where.
				v.Already = chatWords[l]["already"]
				if a.Text != nil {
					v.Already = a.Text.Plain
				}
				h.render(w, http.StatusOK, "chat.html", v)
				return
			}
		}
		if a.Advice != nil {
			f := fit(l, channel.Kind(a.Advice.Channel), "")
			if a.Advice.Text != nil {
				f.Text = a.Advice.Text.Plain
			}
			v.Better = &f
		}
		h.chatConversation(w, r, v, a.ID)
	})
}

// chatConversation renders the client's chat: its state and messages,
// read by the session's own access rules (the client's own contact) and
// audited.
func (h *Handler) chatConversation(w http.ResponseWriter, r *http.Request, v chatView, contact string) {
	id, err := h.identify(r, v.Client)
	if err != nil {
		h.chatPageError(w, r, v, audit.System("web"), err)
		return
	}
	actor := clientActor(string(id.Client))
	s, err := h.cfg.Door.Parts().Sessions.Get(r.Context(), actor, contact)
	if err != nil {
		h.chatPageError(w, r, v, actor, err)
		return
	}
	if !h.isChat(s) {
		h.chatPageError(w, r, v, actor, fmt.Errorf("%w: contact %s is not a chat", ErrBadRequest, s.ID))
		return
	}
	c, err := h.readConversation(r.Context(), actor, s)
	if err != nil {
		h.chatPageError(w, r, v, actor, err)
		return
	}
	v.Contact, v.Messages, v.Closed = s.ID, c.Messages, s.State == session.StateClosed
	if !v.Closed {
		if s.Assignee != "" {
			v.With = string(s.Assignee)
		} else if wt, err := h.cfg.Door.Parts().Dispatcher.Wait(carecontact.ItemID(s.ID)); err == nil {
			v.Position = wt.Position
		}
	}
	h.render(w, http.StatusOK, "chat.html", v)
}

// isChat tells whether session s is a chat: one with a chat leg, or a
// chat still in routing (no leg yet).
func (h *Handler) isChat(s session.Session) bool {
	for _, l := range s.Legs {
		if l.Kind == channel.Chat {
			return true
		}
	}
	if len(s.Legs) > 0 || s.WorkItem == "" {
		return false
	}
	it, ok := h.cfg.Door.Parts().Dispatcher.Item(s.WorkItem)
	return ok && it.Contact.Channel == channel.Chat
}

// pageChatCall is the client's send, refresh and withdraw on the chat the
// form names.
func (h *Handler) pageChatCall(w http.ResponseWriter, r *http.Request) {
	l := langOf(r.PostFormValue("lang"))
	v := h.chatView(w, r, l)
	if !formTokenOK(r) {
		h.refuse(w, r, audit.System("web"), http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	contact := r.PostFormValue("contact")
	if contact == "" {
		h.chatPageError(w, r, v, audit.System("web"), carecontact.Invalid(ErrBadRequest, "contact", "is required"))
		return
	}
	id, err := h.identify(r, v.Client)
	if err != nil {
		h.chatPageError(w, r, v, audit.System("web"), err)
		return
	}
	actor := clientActor(string(id.Client))
	switch r.Pattern {
	case "POST /chat/messages":
		if err = h.cfg.Door.ReceiveChat(r.Context(), actor, contact, r.PostFormValue("text")); err == nil {
			h.cfg.Hub.changed() // the desks show the message
		}
	case "POST /chat/withdraw":
		if err = h.cfg.Door.Withdraw(r.Context(), actor, contact, ""); err == nil {
			v.Withdrawn = true
			h.render(w, http.StatusOK, "chat.html", v)
			return
		}
	}
	if err != nil {
		v.Contact = contact
		h.chatPageError(w, r, v, actor, err)
		return
	}
	h.chatConversation(w, r, v, contact)
}

func (h *Handler) registerChatPages() {
	h.handle("GET /chat", public, h.pageChat)
	h.handle("POST /chat/advice", limited, h.pageChatAdvice)
	h.handle("POST /chat", limited, h.pageChatStart)
	h.handle("POST /chat/messages", limited, h.pageChatCall)
	h.handle("POST /chat/conversation", limited, h.pageChatCall)
	h.handle("POST /chat/withdraw", limited, h.pageChatCall)
}
