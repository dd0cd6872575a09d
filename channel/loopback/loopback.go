package loopback

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Operation names, as recorded in Record.Op and accepted by Fail.
const (
	OpPlaceCall         = "telephony.place_call"
	OpTransfer          = "telephony.transfer"
	OpHangUp            = "telephony.hang_up"
	OpUpgradeToVideo    = "telephony.upgrade_to_video"
	OpCreateRoom        = "video.create_room"
	OpInvite            = "video.invite"
	OpRemoveParticipant = "video.remove_participant"
	OpEndRoom           = "video.end_room"
	OpPost              = "chat.post"
	OpClose             = "chat.close"
)

// Record is one request the transport received.
type Record struct {
	Op string
	// Target is the call, room or conversation the request concerned
	// (for PlaceCall and CreateRoom: the ID handed out).
	Target string
	// Args holds the other arguments in a fixed order.
	Args []string
	// Err is the failure the transport was told to return, nil if it succeeded.
	Err error
}

// String renders the record on one line, e.g.
// "video.invite room-1 professional:nurse-2".
func (r Record) String() string {
	s := r.Op
	if r.Target != "" {
		s += " " + r.Target
	}
	if len(r.Args) > 0 {
		s += " " + strings.Join(r.Args, " ")
	}
	if r.Err != nil {
		s += " FAILED: " + r.Err.Error()
	}
	return s
}

// Transport is the loopback transport. The zero value is ready to use.
type Transport struct {
	mu      sync.Mutex
	records []Record
	fails   map[string][]error
	next    map[string]int
	// open rooms and calls, so misuse (inviting into an ended room) fails
	// as a real transport would.
	rooms map[string]bool
	calls map[string]bool
}

// New returns an empty Transport.
func New() *Transport { return &Transport{} }

var (
	_ channel.Telephony          = (*Transport)(nil)
	_ channel.CallEnder          = (*Transport)(nil)
	_ channel.CallUpgrader       = (*Transport)(nil)
	_ channel.VideoTransport     = (*Transport)(nil)
	_ channel.ParticipantRemover = (*Transport)(nil)
	_ channel.ChatTransport      = (*Transport)(nil)
)

// Fail makes the next len(errs) calls of operation op fail with errs, in
// order. Wrap channel.ErrTransient to make a failure retryable.
func (t *Transport) Fail(op string, errs ...error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails == nil {
		t.fails = map[string][]error{}
	}
	t.fails[op] = append(t.fails[op], errs...)
}

// Records returns a copy of everything the transport was asked to do.
func (t *Transport) Records() []Record {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Record, len(t.records))
	for i, r := range t.records {
		r.Args = append([]string(nil), r.Args...)
		out[i] = r
	}
	return out
}

// Ops returns the operation names received, in order.
func (t *Transport) Ops() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, len(t.records))
	for i, r := range t.records {
		out[i] = r.Op
	}
	return out
}

// Reset forgets the records and pending failures.
func (t *Transport) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.records, t.fails = nil, nil
}

// do records one request and returns the configured failure, if any.
func (t *Transport) do(ctx context.Context, op, target string, args ...string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var err error
	if q := t.fails[op]; len(q) > 0 {
		err, t.fails[op] = q[0], q[1:]
	} else if cerr := ctx.Err(); cerr != nil {
		err = cerr
	}
	t.records = append(t.records, Record{Op: op, Target: target, Args: args, Err: err})
	return err
}

func (t *Transport) newID(prefix string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.next == nil {
		t.next = map[string]int{}
	}
	t.next[prefix]++
	return fmt.Sprintf("%s-%d", prefix, t.next[prefix])
}

func (t *Transport) set(m *map[string]bool, id string, open bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[id] = open
}

func (t *Transport) isOpen(m map[string]bool, id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return m[id]
}

// PlaceCall implements channel.Telephony.
func (t *Transport) PlaceCall(ctx context.Context, req channel.CallRequest) (string, error) {
	id := t.newID("call")
	if err := t.do(ctx, OpPlaceCall, id, "client:"+string(req.Client), "professional:"+string(req.Professional)); err != nil {
		return "", err
	}
	t.set(&t.calls, id, true)
	return id, nil
}

// Transfer implements channel.Telephony.
func (t *Transport) Transfer(ctx context.Context, callID, destination string) error {
	if err := t.do(ctx, OpTransfer, callID, "to:"+destination); err != nil {
		return err
	}
	if !t.isOpen(t.calls, callID) {
		return fmt.Errorf("loopback: transfer: no call %s", callID)
	}
	t.set(&t.calls, callID, false)
	return nil
}

// HangUp implements channel.CallEnder.
func (t *Transport) HangUp(ctx context.Context, callID string) error {
	if err := t.do(ctx, OpHangUp, callID); err != nil {
		return err
	}
	t.set(&t.calls, callID, false)
	return nil
}

// UpgradeToVideo implements channel.CallUpgrader.
func (t *Transport) UpgradeToVideo(ctx context.Context, callID, roomID string) error {
	if err := t.do(ctx, OpUpgradeToVideo, callID, "room:"+roomID); err != nil {
		return err
	}
	if !t.isOpen(t.calls, callID) || !t.isOpen(t.rooms, roomID) {
		return fmt.Errorf("loopback: upgrade: call %s or room %s not open", callID, roomID)
	}
	t.set(&t.calls, callID, false)
	return nil
}

// CreateRoom implements channel.VideoTransport.
func (t *Transport) CreateRoom(ctx context.Context, req channel.RoomRequest) (string, error) {
	id := t.newID("room")
	if err := t.do(ctx, OpCreateRoom, id, "host:"+string(req.Host)); err != nil {
		return "", err
	}
	t.set(&t.rooms, id, true)
	return id, nil
}

func invitee(w channel.Invitee) string {
	if w.Client != "" {
		return "client:" + string(w.Client)
	}
	return "professional:" + string(w.Professional)
}

// Invite implements channel.VideoTransport.
func (t *Transport) Invite(ctx context.Context, roomID string, who channel.Invitee) error {
	if err := t.do(ctx, OpInvite, roomID, invitee(who)); err != nil {
		return err
	}
	if !t.isOpen(t.rooms, roomID) {
		return fmt.Errorf("loopback: invite: room %s not open", roomID)
	}
	return nil
}

// RemoveParticipant implements channel.ParticipantRemover.
func (t *Transport) RemoveParticipant(ctx context.Context, roomID string, professional carecontact.ProfessionalID) error {
	return t.do(ctx, OpRemoveParticipant, roomID, "professional:"+string(professional))
}

// EndRoom implements channel.VideoTransport.
func (t *Transport) EndRoom(ctx context.Context, roomID string) error {
	if err := t.do(ctx, OpEndRoom, roomID); err != nil {
		return err
	}
	t.set(&t.rooms, roomID, false)
	return nil
}

// Post implements channel.ChatTransport.
func (t *Transport) Post(ctx context.Context, conversationID string, msg channel.ChatMessage) error {
	return t.do(ctx, OpPost, conversationID, "from:"+msg.From, fmt.Sprintf("text:%q", msg.Text))
}

// Close implements channel.ChatTransport.
func (t *Transport) Close(ctx context.Context, conversationID string) error {
	return t.do(ctx, OpClose, conversationID)
}
