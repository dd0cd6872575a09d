package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// Errors of the client side.
var (
	// ErrUnknownContact: no contact has the ID (a merged contact has
	// none of its own: use the one it joined).
	ErrUnknownContact = carecontact.Sentinel(carecontact.ErrNotFound, "frontdoor: unknown contact")
	// ErrContactInHand: a professional already handles the contact, so
	// the client cannot withdraw it; the professional closes it.
	ErrContactInHand = carecontact.Sentinel(carecontact.ErrIllegalTransition, "frontdoor: a professional handles the contact")
	// ErrContactClosed: the contact has already ended.
	ErrContactClosed = carecontact.Sentinel(carecontact.ErrIllegalTransition, "frontdoor: contact is closed")
	// ErrNotChat: the contact does not run in a chat now.
	ErrNotChat = carecontact.Sentinel(carecontact.ErrIllegalTransition, "frontdoor: contact is not a chat")
	// ErrChatDenied: the actor may not post this message (a client posts
	// with ReceiveChat, professionals and the system with SendChat).
	ErrChatDenied = carecontact.Sentinel(carecontact.ErrNotAllowed, "frontdoor: chat message not allowed")
)

// Text is a guidance text to show a client, with the published version
// it was rendered from. Rendered.Language is the language actually used.
type Text struct {
	guidance.Rendered
	// Version names the published version of the text's entry; keep it
	// with what the client was shown (booking keeps it as GuidanceVersion).
	Version guidance.Ref
}

// IsZero reports whether t holds no text.
func (t Text) IsZero() bool { return t.Key == "" }

// Advice is a channel that guidance ranks above the one the client used:
// served in the client's language first, then by the area's preference.
type Advice struct {
	Kind channel.Kind
	// Code is guidance.CodeFits, or guidance.CodeLanguageLess when even
	// the best channel is not served in the client's language.
	Code guidance.Code
	// Service is the e-bookable service (channel.EBooking only).
	Service string
	// Text tells the client about the channel.
	Text Text
}

// clientLanguage is a client's language tag, kept whole for guidance and
// matched to a served language for routing and callbacks.
type clientLanguage struct {
	prefs []language.Tag // nil: the content's default language
	civil civil.Language
}

// parseLanguage reads a BCP 47 tag; the empty tag is Finnish.
func parseLanguage(s string) (clientLanguage, error) {
	if s == "" {
		return clientLanguage{civil: civil.Finnish}, nil
	}
	tag, err := language.Parse(s)
	if err != nil {
		return clientLanguage{}, err
	}
	return clientLanguage{prefs: []language.Tag{tag}, civil: civil.MatchLanguage(tag)}, nil
}

// catalog returns what the guide serves now, nil without a guide.
func (d *Door) catalog(ctx context.Context) (*guidance.Catalog, error) {
	if d.cfg.Guide == nil {
		return nil, nil
	}
	cat, err := d.cfg.Guide.Published(ctx, d.cfg.Clock.Now())
	if err != nil {
		return nil, fmt.Errorf("frontdoor: guidance: %w", err)
	}
	return cat, nil
}

// render renders key and names its version. A text that is not published
// gives the zero Text and no error.
func (d *Door) render(ctx context.Context, cat *guidance.Catalog, key string, scope guidance.Scope, prefs []language.Tag, vals guidance.Vars) (Text, error) {
	return d.renderLocalized(ctx, cat, key, scope, prefs, vals, nil)
}

// renderLocalized is render with values in several languages, taken in
// the language the text is rendered in.
func (d *Door) renderLocalized(ctx context.Context, cat *guidance.Catalog, key string, scope guidance.Scope, prefs []language.Tag,
	vals guidance.Vars, loc guidance.LocalizedVars) (Text, error) {
	r, err := cat.RenderLocalized(key, scope, prefs, vals, loc)
	if errors.Is(err, guidance.ErrNotFound) {
		return Text{}, nil
	}
	if err != nil {
		return Text{}, fmt.Errorf("frontdoor: guidance: %w", err)
	}
	return versioned(cat, r), nil
}

// versioned adds the version of the entry r was rendered from: the one
// the catalog serves, so a step taken in a change set's name counts only
// once the set's own record carries it (as in guidance.Guide.Published).
func versioned(cat *guidance.Catalog, r guidance.Rendered) Text {
	if r.Version.Subject != "" {
		return Text{Rendered: r, Version: r.Version}
	}
	subject := guidance.Entry{Text: &guidance.Text{Key: r.Key, Area: r.Scope.Area, Service: r.Scope.Service}}.Subject()
	v, _ := cat.Version(subject)
	return Text{Rendered: r, Version: v}
}

// areaOf returns the client's service area: the postal code's, else the
// own team's, else none (guidance's default).
func (d *Door) areaOf(pc routing.PostalCode, team carecontact.TeamID) carecontact.AreaID {
	if pc != "" {
		if a, err := d.dir.AreaOf(string(pc)); err == nil {
			return a.ID
		}
	}
	if team != "" {
		if t, err := d.dir.Team(team); err == nil {
			return t.Area
		}
	}
	return ""
}

// tell fills in what to tell the client of contact out from the guidance
// published now. A contact is never refused for its text: an error here
// comes after the contact was admitted.
func (d *Door) tell(ctx context.Context, req ContactRequest, lang clientLanguage, existing channel.Kind, out *Contact) error {
	cat, err := d.catalog(ctx)
	if err != nil || cat == nil {
		return err
	}
	area := d.areaOf(req.PostalCode, req.OwnTeam)
	scope := guidance.Scope{Area: area, Service: string(req.Errand)}
	if out.Merged {
		name := channelName(existing, civil.MatchLanguage(cat.Language(lang.prefs)))
		out.Text, err = d.render(ctx, cat, guidance.KeyDuplicateWaiting, scope, lang.prefs, guidance.Vars{guidance.VarChannelName: name})
		return err
	}
	if out.Promise != nil && !out.Promise.Window.IsZero() {
		if out.Text, err = d.render(ctx, cat, guidance.KeyCallbackRequested, scope, lang.prefs,
			guidance.Vars{guidance.VarCallbackWindow: windowText(out.Promise.Window)}); err != nil {
			return err
		}
	}
	identity := req.Identity
	if identity == channel.IdentityNone && (req.Channel == channel.InboundPhone || req.Channel == channel.Callback) {
		identity = channel.IdentityWeak
	}
	urgency := guidance.UrgencyRoutine
	if req.Channel == channel.Callback && req.Urgency == callback.Urgent {
		urgency = guidance.UrgencySameDay
	}
	adv, err := cat.Advise(d.cfg.Matrix, guidance.Situation{Errand: req.Errand, Area: area, Group: req.Group,
		Languages: lang.prefs, Identity: identity, Urgency: urgency})
	if errors.Is(err, guidance.ErrNotFound) {
		return nil // no channel configuration or advice text published
	}
	if err != nil {
		return fmt.Errorf("frontdoor: contact %s admitted, but guidance advice: %w", out.ID, err)
	}
	own := -1
	for i, f := range adv.Fits {
		if f.Kind == req.Channel {
			own = i
			break
		}
	}
	if own >= 0 && out.Promise == nil {
		out.Text = versioned(cat, adv.Fits[own].Text)
	}
	if len(adv.Fits) > 0 && own != 0 {
		best := adv.Fits[0]
		t := versioned(cat, best.Text)
		out.Advice = &Advice{Kind: best.Kind, Code: best.Code, Service: best.Service, Text: t}
	}
	return nil
}

// windowText formats a callback window in Helsinki time, as Finnish and
// Finland-Swedish write it: "24.11. 13.00–15.00".
func windowText(w callback.Window) string {
	loc := civil.Helsinki()
	s, e := w.Start.In(loc), w.End.In(loc)
	return fmt.Sprintf("%d.%d. %d.%02d–%d.%02d", s.Day(), int(s.Month()), s.Hour(), s.Minute(), e.Hour(), e.Minute())
}

// appointmentText formats an appointment's start in Helsinki time:
// "24.11.2026 10.00".
func appointmentText(t time.Time) string {
	t = t.In(civil.Helsinki())
	return fmt.Sprintf("%d.%d.%d %d.%02d", t.Day(), int(t.Month()), t.Year(), t.Hour(), t.Minute())
}

// channelNames are the channels' names for the duplicate-waiting text.
var channelNames = map[channel.Kind]civil.Names{
	channel.InboundPhone:  {FI: "puhelin", SV: "telefon", EN: "phone"},
	channel.Callback:      {FI: "takaisinsoitto", SV: "återuppringning", EN: "callback"},
	channel.Video:         {FI: "videovastaanotto", SV: "videomottagning", EN: "video appointment"},
	channel.Chat:          {FI: "chat", SV: "chatt", EN: "chat"},
	channel.SecureMessage: {FI: "suojattu viesti", SV: "skyddat meddelande", EN: "secure message"},
	channel.EBooking:      {FI: "ajanvaraus verkossa", SV: "webbokning", EN: "online booking"},
	channel.InPerson:      {FI: "käynti", SV: "besök", EN: "visit"},
}

func channelName(k channel.Kind, l civil.Language) string {
	if n, ok := channelNames[k]; ok {
		return n.In(l)
	}
	return string(k)
}

// withdrawnOutcome closes the session of a withdrawn contact: the errand is
// not settled, so the client's other contacts stay. The demand record is
// closed as withdrawn before the session, and EventWithdrawn (not
// EventClosed) reports it.
const withdrawnOutcome = session.OutcomeWithdrawn

// Withdraw is the client withdrawing contact id before anyone handles it:
// a queued or offered contact is rescinded from routing, a planned or due
// callback is withdrawn from the planner (and its dispatch rescinded), the
// demand record is closed as withdrawn and the session closed with
// session.OutcomeWithdrawn. actor is the client, or the system on
// their behalf; the withdrawal is audited "frontdoor.withdraw" with it.
// reason is a short label ("no_longer_needed"); it defaults to
// "client_withdrew". Errors: ErrUnknownContact, ErrContactInHand when a
// professional has taken it, ErrContactClosed, and session.ErrAccessDenied
// for another client's contact.
func (d *Door) Withdraw(ctx context.Context, actor audit.Actor, id, reason string) error {
	if reason == "" {
		reason = "client_withdrew"
	}
	if !isLabel(reason) {
		return carecontact.Invalid(ErrInvalidContact, "reason", "must be a short label of lower-case letters, digits and underscores")
	}
	if actor.Kind == "" {
		actor = d.system
	}
	if id == "" {
		return carecontact.Invalid(ErrInvalidContact, "id", "is required")
	}
	s, err := d.openSession(ctx, actor, id)
	if err != nil {
		return fmt.Errorf("frontdoor: withdraw: %w", err)
	}
	if s.State != session.StateWaiting {
		return fmt.Errorf("%w: %s", ErrContactInHand, id)
	}
	kind, err := d.pull(ctx, actor, s, reason)
	if err != nil {
		return err
	}
	if _, err := d.admit.Close(ctx, actor, s.Contact, "withdrawn: "+reason); err != nil && !errors.Is(err, demand.ErrContactClosed) {
		return fmt.Errorf("frontdoor: withdraw: demand: %w", err)
	}
	if _, err := d.sessions.Close(ctx, d.system, id, withdrawnOutcome); err != nil {
		return fmt.Errorf("frontdoor: withdraw: session: %w", err)
	}
	now := d.cfg.Clock.Now().UTC()
	if err := d.cfg.Stores.Audit.Record(ctx, audit.Event{At: now, Actor: actor, Action: "frontdoor.withdraw",
		Subject: "contact/" + id, Client: s.Client, Outcome: audit.Allowed,
		Detail: map[string]string{"reason": reason, "channel": string(kind)}}); err != nil {
		return fmt.Errorf("frontdoor: withdraw %s: audit: %w", id, err)
	}
	d.emit(Event{Kind: EventWithdrawn, At: now, Contact: id, Client: s.Client, Errand: s.Errand, Channel: kind,
		Team: s.Team, Outcome: session.OutcomeWithdrawn, Reason: "client: " + reason})
	return nil
}

// openSession reads contact id's session for actor's action on it:
// ErrUnknownContact when there is none, ErrContactClosed when it has ended.
// A client acts on their own contact whatever their identification (a
// withdrawal, a chat message), so the door reads the session for its own
// bookkeeping and checks that it is theirs; a client reading another's
// contact is refused as session access is, and audited.
func (d *Door) openSession(ctx context.Context, actor audit.Actor, id string) (session.Session, error) {
	reader := actor
	if actor.Kind == audit.ActorClient {
		reader = d.system
	}
	s, err := d.sessions.Get(ctx, reader, id)
	if err == nil && actor.Kind == audit.ActorClient && string(s.Client) != actor.ID {
		ev := audit.Event{At: d.cfg.Clock.Now().UTC(), Actor: actor, Action: "session.read", Subject: "session/" + s.ID,
			Client: s.Client, Outcome: audit.Denied, Detail: map[string]string{"reason": "not the session's client"}}
		err = &session.AccessError{Actor: actor.String(), Action: "session.read", Session: s.ID, Reason: "not the session's client"}
		if aerr := d.cfg.Stores.Audit.Record(ctx, ev); aerr != nil {
			err = fmt.Errorf("%w (recording the denial failed: %v)", err, aerr)
		}
	}
	switch {
	case errors.Is(err, session.ErrNotFound):
		return session.Session{}, fmt.Errorf("%w: %s", ErrUnknownContact, id)
	case err != nil:
		return session.Session{}, err
	case s.State == session.StateClosed:
		return session.Session{}, fmt.Errorf("%w: %s", ErrContactClosed, id)
	}
	return s, nil
}

// pull takes a waiting contact out of routing and the callback planner
// and returns its channel. A contact a professional took in routing
// meanwhile is ErrContactInHand.
func (d *Door) pull(ctx context.Context, actor audit.Actor, s session.Session, reason string) (channel.Kind, error) {
	if s.WorkItem != "" {
		it, ok := d.disp.Item(s.WorkItem)
		if !ok {
			return "", nil
		}
		if err := d.rescindFor(ctx, s.ID, it, reason); err != nil {
			return "", err
		}
		return channelOf(it), nil
	}
	rec, err := d.cbRecord(ctx, s.ID)
	if err != nil {
		return "", fmt.Errorf("frontdoor: withdraw: %w", err)
	}
	var due routing.Item
	var dispatched bool
	if rec.Dispatches > 0 {
		if due, dispatched = d.disp.Item(ItemOf(rec)); dispatched && held(due) {
			return "", fmt.Errorf("%w: %s", ErrContactInHand, s.ID)
		}
	}
	_, evs, err := d.cb.Withdraw(ctx, s.ID, actor)
	d.emitCallbacks(evs)
	switch {
	case errors.Is(err, callback.ErrInCall):
		return "", fmt.Errorf("%w: %s", ErrContactInHand, s.ID)
	case err != nil:
		return "", fmt.Errorf("frontdoor: withdraw: callback: %w", err)
	}
	if dispatched {
		if err := d.rescindFor(ctx, s.ID, due, reason); err != nil {
			return "", err
		}
	}
	return channel.Callback, nil
}

// held reports whether a professional has taken the item.
func held(it routing.Item) bool {
	return it.State != routing.ItemQueued && it.State != routing.ItemOffered
}

func (d *Door) rescindFor(ctx context.Context, id string, it routing.Item, reason string) error {
	if held(it) {
		return fmt.Errorf("%w: %s", ErrContactInHand, id)
	}
	err := d.disp.Rescind(ctx, it.ID, "client withdrew: "+reason)
	switch {
	case errors.Is(err, routing.ErrWrongState):
		return fmt.Errorf("%w: %s", ErrContactInHand, id)
	case err != nil && !errors.Is(err, routing.ErrItemNotFound):
		return fmt.Errorf("frontdoor: withdraw: rescind: %w", err)
	}
	return nil
}

func channelOf(it routing.Item) channel.Kind {
	if it.Continued != "" {
		return it.Continued
	}
	return it.Contact.Channel
}

// isLabel reports whether s is a short label safe for audit details.
func isLabel(s string) bool {
	if len(s) == 0 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// maxChat bounds one chat message, in bytes.
const maxChat = 8 << 10

// SendChat posts text to the client of chat contact id through the chat
// transport: from a professional who handles the contact
// (ErrNotHandling otherwise) or from the system (a queue notice). The post
// is audited "frontdoor.chat_send" without the text, which is never
// logged or kept.
func (d *Door) SendChat(ctx context.Context, actor audit.Actor, id, text string) error {
	from := "system"
	switch actor.Kind {
	case audit.ActorProfessional:
		from = actor.ID
		if _, _, err := d.handled(ctx, carecontact.ProfessionalID(actor.ID), id); err != nil {
			return fmt.Errorf("frontdoor: send chat: %w", err)
		}
	case audit.ActorSystem:
	default:
		return fmt.Errorf("%w: %s may not send into contact %s; clients use ReceiveChat", ErrChatDenied, actor.Kind, id)
	}
	return d.chat(ctx, actor, id, text, from, "frontdoor.chat_send")
}

// ReceiveChat takes the client's message text for chat contact id and
// posts it into the conversation through the chat transport, from
// "client". actor is the client (another client's contact is
// session.ErrAccessDenied) or the system relaying for them. The message is
// audited "frontdoor.chat_receive" without the text.
func (d *Door) ReceiveChat(ctx context.Context, actor audit.Actor, id, text string) error {
	if actor.Kind != audit.ActorClient && actor.Kind != audit.ActorSystem {
		return fmt.Errorf("%w: %s may not write as the client of contact %s", ErrChatDenied, actor.Kind, id)
	}
	return d.chat(ctx, actor, id, text, "client", "frontdoor.chat_receive")
}

// chat posts one message into contact id's conversation: the running chat
// leg's conversation, else the contact's ID (a chat still queued).
func (d *Door) chat(ctx context.Context, actor audit.Actor, id, text, from, action string) error {
	switch {
	case text == "":
		return carecontact.Invalid(ErrInvalidContact, "text", "is required")
	case len(text) > maxChat:
		return carecontact.Invalid(ErrInvalidContact, "text", fmt.Sprintf("is longer than %d bytes", maxChat))
	case d.cfg.Transports.Chat == nil:
		return fmt.Errorf("frontdoor: chat: %w", channel.ErrNoTransport)
	}
	s, err := d.openSession(ctx, actor, id)
	if err != nil {
		return fmt.Errorf("frontdoor: chat: %w", err)
	}
	conversation, kind := id, s.LastKind()
	if l, _, running := s.CurrentLeg(); running {
		kind = l.Kind
		if l.Kind == channel.Chat && l.Ref != "" {
			conversation = l.Ref
		}
	} else if it, ok := d.disp.Item(s.WorkItem); ok && s.WorkItem != "" {
		kind = channelOf(it)
	}
	if kind != channel.Chat {
		return fmt.Errorf("%w: %s runs in %s", ErrNotChat, id, kind)
	}
	if err := d.cfg.Transports.Chat.Post(ctx, conversation, channel.ChatMessage{From: from, Text: text}); err != nil {
		return fmt.Errorf("frontdoor: chat post for %s: %w", id, err)
	}
	dir := "out"
	if from == "client" {
		dir = "in"
	}
	if err := d.cfg.Stores.Audit.Record(ctx, audit.Event{At: d.cfg.Clock.Now().UTC(), Actor: actor, Action: action,
		Subject: "session/" + id, Client: s.Client, Outcome: audit.Allowed,
		Detail: map[string]string{"direction": dir}}); err != nil {
		return fmt.Errorf("frontdoor: chat %s: audit: %w", id, err)
	}
	return nil
}
