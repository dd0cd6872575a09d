package web

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/session"
)

// Conversations is the demo host's chat system: a channel.ChatTransport
// that keeps each conversation's messages in this process's memory, so
// that the desk and the client can read them back. A real host's chat
// service keeps (and retains) conversations itself; the door posts into
// it and never stores a message's text.
type Conversations struct {
	mu sync.Mutex
	m  map[string]*conversation
}

type conversation struct {
	msgs   []channel.ChatMessage
	closed bool
}

// Bounds of Conversations: the conversations kept and the messages kept
// of each (the oldest go first).
const (
	maxConversations = 10000
	maxMessages      = 200
)

// ErrChatFull is the error of a post when Conversations holds as many
// conversations as it may.
var ErrChatFull = carecontact.Sentinel(carecontact.ErrUnavailable, "web: the demo chat holds too many conversations")

// NewConversations returns an empty chat system.
func NewConversations() *Conversations { return &Conversations{m: map[string]*conversation{}} }

// Post implements channel.ChatTransport.
func (c *Conversations) Post(_ context.Context, id string, msg channel.ChatMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cv, ok := c.m[id]
	if !ok {
		if len(c.m) >= maxConversations {
			return ErrChatFull
		}
		cv = &conversation{}
		c.m[id] = cv
	}
	if cv.closed {
		return fmt.Errorf("%w: the conversation is closed", channel.ErrNoTransport)
	}
	cv.msgs = append(cv.msgs, msg)
	if len(cv.msgs) > maxMessages {
		cv.msgs = append([]channel.ChatMessage(nil), cv.msgs[len(cv.msgs)-maxMessages:]...)
	}
	return nil
}

// Close implements channel.ChatTransport.
func (c *Conversations) Close(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cv, ok := c.m[id]; ok {
		cv.closed = true
	}
	return nil
}

// Messages returns a copy of conversation id's messages, oldest first.
func (c *Conversations) Messages(id string) []channel.ChatMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cv, ok := c.m[id]; ok {
		return append([]channel.ChatMessage(nil), cv.msgs...)
	}
	return nil
}

// conversationOf is the chat conversation of session s: its chat leg's
// reference, else the contact's ID (a chat still queued), as the door
// posts.
func conversationOf(s session.Session) string {
	for i := len(s.Legs) - 1; i >= 0; i-- {
		if l := s.Legs[i]; l.Kind == channel.Chat && l.Ref != "" {
			return l.Ref
		}
	}
	return s.ID
}

// roomOf is the video room of session s's running video leg.
func roomOf(s session.Session) string {
	if l, _, ok := s.CurrentLeg(); ok && l.Kind == channel.Video {
		return l.Ref
	}
	return ""
}

type messageJSON struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// conversationAnswer is a contact's chat conversation.
type conversationAnswer struct {
	Contact  string        `json:"contact"`
	Messages []messageJSON `json:"messages"`
}

// readConversation reads session s's conversation for actor, auditing the
// read of the client's messages.
func (h *Handler) readConversation(ctx context.Context, actor audit.Actor, s session.Session) (conversationAnswer, error) {
	out := conversationAnswer{Contact: s.ID, Messages: []messageJSON{}}
	if h.cfg.Chat == nil {
		return out, fmt.Errorf("web: conversation: %w", channel.ErrNoTransport)
	}
	for _, m := range h.cfg.Chat.Messages(conversationOf(s)) {
		out.Messages = append(out.Messages, messageJSON{From: m.From, Text: m.Text})
	}
	if err := h.cfg.Audit.Record(ctx, audit.Event{At: h.cfg.Clock.Now().UTC(), Actor: actor, Action: "web.chat_read",
		Subject: "session/" + s.ID, Client: s.Client, Outcome: audit.Allowed,
		Detail: map[string]string{"messages": fmt.Sprint(len(out.Messages))}}); err != nil {
		return conversationAnswer{}, fmt.Errorf("web: conversation: audit: %w", err)
	}
	return out, nil
}

// clientRequest is the body of the client's calls on their own contact.
type clientRequest struct {
	Client string `json:"client"`
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// clientCall decodes a client's request on the contact the path names and
// identifies the client.
func (h *Handler) clientCall(w http.ResponseWriter, r *http.Request) (clientRequest, audit.Actor, bool) {
	var req clientRequest
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return req, audit.Actor{}, false
	}
	id, err := h.identify(r, req.Client)
	if err != nil {
		h.fail(w, r, err)
		return req, audit.Actor{}, false
	}
	return req, clientActor(string(id.Client)), true
}

func (h *Handler) apiClientWithdraw(w http.ResponseWriter, r *http.Request) {
	req, actor, ok := h.clientCall(w, r)
	if !ok {
		return
	}
	if err := h.cfg.Door.Withdraw(r.Context(), actor, r.PathValue("id"), req.Reason); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) apiClientMessage(w http.ResponseWriter, r *http.Request) {
	req, actor, ok := h.clientCall(w, r)
	if !ok {
		return
	}
	if err := h.cfg.Door.ReceiveChat(r.Context(), actor, r.PathValue("id"), req.Text); err != nil {
		h.fail(w, r, err)
		return
	}
	h.cfg.Hub.changed() // the desks show the message
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) apiClientConversation(w http.ResponseWriter, r *http.Request) {
	_, actor, ok := h.clientCall(w, r)
	if !ok {
		return
	}
	// The session's own access rules decide (the client's own contact,
	// identified strongly enough), and audit the read.
	s, err := h.cfg.Door.Parts().Sessions.Get(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.readConversation(r.Context(), actor, s)
	h.answer(w, r, http.StatusOK, out, err)
}

func (h *Handler) apiConversation(w http.ResponseWriter, r *http.Request) {
	p := signedInOf(r).Professional
	s, err := h.cfg.Door.Session(r.Context(), p, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.readConversation(r.Context(), actorOf(p), s)
	h.answer(w, r, http.StatusOK, out, err)
}

// messageRequest is the body of POST /api/sessions/{id}/messages.
type messageRequest struct {
	Text string `json:"text"`
}

func (h *Handler) apiSendMessage(w http.ResponseWriter, r *http.Request) {
	var req messageRequest
	if _, err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.cfg.Door.SendChat(r.Context(), actorOf(signedInOf(r).Professional), r.PathValue("id"), req.Text); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// transferRequest is the body of POST /api/sessions/{id}/transfer.
type transferRequest struct {
	Team   string `json:"team"`
	Reason string `json:"reason"`
}

func (h *Handler) transfer(r *http.Request, id, team, reason string) (session.Session, error) {
	return h.cfg.Door.Transfer(r.Context(), signedInOf(r).Professional, id,
		frontdoor.TransferRequest{Team: carecontact.TeamID(team), Reason: reason})
}

func (h *Handler) apiTransfer(w http.ResponseWriter, r *http.Request) {
	sessionStep(h, w, r, func(req transferRequest) (session.Session, error) {
		return h.transfer(r, r.PathValue("id"), req.Team, req.Reason)
	})
}

// pageRoom is the page the desk's video room link opens: the demo's
// loopback transport has no media, so it names the room and who is in the
// call; a host links to its video service here instead.
func (h *Handler) pageRoom(w http.ResponseWriter, r *http.Request) {
	p := signedInOf(r).Professional
	s, err := h.cfg.Door.Session(r.Context(), p, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	room := roomOf(s)
	if room == "" {
		h.fail(w, r, fmt.Errorf("%w: contact %s is not in a video call now", frontdoor.ErrNotHandling, s.ID))
		return
	}
	var in []string
	for _, pt := range s.Participants {
		if pt.Present() {
			in = append(in, string(pt.ID))
		}
	}
	h.render(w, http.StatusOK, "room.html", map[string]any{"Room": room, "Contact": s.ID, "In": in, "Professional": string(p)})
}

func (h *Handler) registerChat() {
	h.handle("POST /api/contacts/{id}/withdraw", limited, h.apiClientWithdraw)
	h.handle("POST /api/contacts/{id}/messages", limited, h.apiClientMessage)
	h.handle("POST /api/contacts/{id}/conversation", limited, h.apiClientConversation)
	h.handle("GET /api/sessions/{id}/messages", professional, h.apiConversation)
	h.handle("POST /api/sessions/{id}/messages", professional, h.apiSendMessage)
	h.handle("POST /api/sessions/{id}/transfer", professional, h.apiTransfer)
	h.handle("POST /desk/sessions/{id}/messages", professional, h.pageAct)
	h.handle("POST /desk/sessions/{id}/transfer", professional, h.pageAct)
	h.handle("GET /desk/sessions/{id}/room", professional, h.pageRoom)
}
