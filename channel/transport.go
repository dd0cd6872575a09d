package channel

import (
	"context"

	"github.com/carecontact/carecontact"
)

// The transport interfaces are what a host implements to connect the library
// to its telephony, video and chat systems. They are deliberately small; a
// transport that can do more says so by also implementing one of the
// optional capability interfaces (CallUpgrader, ParticipantRemover,
// CallEnder), which callers discover by type assertion.
//
// Transports receive pseudonymous references only (the client reference,
// the professional's staff ID, the session ID): the host resolves a client
// reference to a phone number or a video invitation address itself, so
// numbers and identity codes never pass through the library.
//
// A transport reports a failure that is safe to retry (a timeout, a busy
// media server) by wrapping ErrTransient; any other error is final for the
// attempt. Implementations must be safe for concurrent use.

// Errors a transport returns or wraps.
var (
	// ErrTransient marks a transport failure that may succeed if retried.
	ErrTransient = carecontact.Sentinel(carecontact.ErrUnavailable, "channel: transient transport failure")
	// ErrNoTransport reports that no transport is configured for a channel.
	ErrNoTransport = carecontact.Sentinel(carecontact.ErrUnavailable, "channel: no transport for channel")
)

// CallRequest asks the telephony system to call a client.
type CallRequest struct {
	Session      string                     // session the call belongs to
	Client       carecontact.ClientRef      // pseudonymous client reference; the host resolves the number
	Professional carecontact.ProfessionalID // staff ID of the professional who makes the call
}

// Telephony places and transfers phone calls.
type Telephony interface {
	// PlaceCall calls the client and connects the professional, returning
	// the host's call ID.
	PlaceCall(ctx context.Context, req CallRequest) (callID string, err error)
	// Transfer moves a call to another destination (a team's queue or a
	// professional), identified by the host's routing address.
	Transfer(ctx context.Context, callID, destination string) error
}

// CallEnder is an optional Telephony capability: hang up a call.
type CallEnder interface {
	HangUp(ctx context.Context, callID string) error
}

// CallUpgrader is an optional capability: move a running phone call into a
// video room without dropping the client, so a professional switches a call
// to video smoothly. Without it, the client joins the room by invitation and
// the call is hung up after the switch.
type CallUpgrader interface {
	UpgradeToVideo(ctx context.Context, callID, roomID string) error
}

// RoomRequest asks the video system for a meeting room.
type RoomRequest struct {
	Session string                     // session the room belongs to
	Host    carecontact.ProfessionalID // staff ID of the professional who hosts the room
}

// Invitee is someone invited into a video room: a professional or the
// client. Exactly one of the fields is set.
type Invitee struct {
	// Professional is the invited professional's staff ID, "" when the
	// client is invited.
	Professional carecontact.ProfessionalID
	// Client is the invited client's pseudonymous reference, "" when a
	// professional is invited.
	Client carecontact.ClientRef
}

// VideoTransport creates rooms, invites people into them and ends them.
type VideoTransport interface {
	CreateRoom(ctx context.Context, req RoomRequest) (roomID string, err error)
	Invite(ctx context.Context, roomID string, who Invitee) error
	EndRoom(ctx context.Context, roomID string) error
}

// ParticipantRemover is an optional VideoTransport capability: remove one
// invited professional from a running room. The client is never removed
// alone; their part ends with the room.
type ParticipantRemover interface {
	RemoveParticipant(ctx context.Context, roomID string, professional carecontact.ProfessionalID) error
}

// ChatMessage is a message posted into a chat conversation by the library
// (a notice that the errand moved to a callback, a closing note).
type ChatMessage struct {
	// From is the professional's staff ID or "system".
	From string
	// Text is shown to the client; hosts choose it from guidance texts.
	Text string
}

// ChatTransport posts into and closes chat conversations.
type ChatTransport interface {
	Post(ctx context.Context, conversationID string, msg ChatMessage) error
	Close(ctx context.Context, conversationID string) error
}

// Transports bundles the host's transports; a nil field means the channel
// has no transport (a leg in it is only recorded).
type Transports struct {
	Telephony Telephony
	Video     VideoTransport
	Chat      ChatTransport
}
