package routing

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact/channel"
)

// Role is a professional's occupation.
type Role string

// Common roles in Finnish primary care.
const (
	RoleNurse             Role = "nurse"               // sairaanhoitaja
	RolePublicHealthNurse Role = "public_health_nurse" // terveydenhoitaja
	RolePracticalNurse    Role = "practical_nurse"     // lähihoitaja
	RoleDoctor            Role = "doctor"              // lääkäri
	RolePhysiotherapist   Role = "physiotherapist"     // fysioterapeutti
	RolePsychiatricNurse  Role = "psychiatric_nurse"   // psykiatrinen sairaanhoitaja
	RoleSocialWorker      Role = "social_worker"       // sosiaalityöntekijä
)

// Skill is a competence a policy step may require, such as "diabetes" or
// "wound_care". Hosts define their own skills.
type Skill string

// Presence is a professional's availability for offers.
//
// A host sets PresenceAway (signed out, the zero value), PresenceAvailable
// or PresenceBusy (signed in but taking no offers, e.g. during an in-person
// visit). PresenceWrapUp is derived: a professional who is available but has
// a contact in wrap-up is reported as wrapping up and gets no offers until
// the wrap-up ends.
type Presence int

// The presences.
const (
	PresenceAway Presence = iota
	PresenceAvailable
	PresenceBusy
	PresenceWrapUp
)

// String returns "away", "available", "busy" or "wrap-up".
func (p Presence) String() string {
	switch p {
	case PresenceAway:
		return "away"
	case PresenceAvailable:
		return "available"
	case PresenceBusy:
		return "busy"
	case PresenceWrapUp:
		return "wrap-up"
	default:
		return fmt.Sprintf("presence(%d)", int(p))
	}
}

// Slot is a class of concurrent capacity. Synchronous channels (phone,
// callback, video, in person) share one slot class, chats another, secure
// messages a third.
type Slot int

// The slot classes.
const (
	SlotSynchronous Slot = iota
	SlotChat
	SlotMessage
	numSlots
)

// String returns "synchronous", "chat" or "message".
func (s Slot) String() string {
	switch s {
	case SlotSynchronous:
		return "synchronous"
	case SlotChat:
		return "chat"
	case SlotMessage:
		return "message"
	default:
		return fmt.Sprintf("slot(%d)", int(s))
	}
}

// SlotOf returns the slot class work on channel k occupies. E-booking is not
// routed work and has no slot.
func SlotOf(k channel.Kind) (Slot, error) {
	switch {
	case k == channel.Chat:
		return SlotChat, nil
	case k == channel.SecureMessage:
		return SlotMessage, nil
	case k.Valid() && k.Synchronous():
		return SlotSynchronous, nil
	default:
		return 0, fmt.Errorf("%w: channel %q is not routed work", ErrInvalid, k)
	}
}

// Capacity is how many contacts of each slot class a professional handles at
// once, e.g. {Synchronous: 1, Chat: 3}: one call or video meeting and up to
// three chats. A zero means the professional takes no work of that class.
type Capacity struct {
	Synchronous int
	Chat        int
	Message     int
}

// Of returns the capacity of slot class s.
func (c Capacity) Of(s Slot) int {
	switch s {
	case SlotSynchronous:
		return c.Synchronous
	case SlotChat:
		return c.Chat
	case SlotMessage:
		return c.Message
	}
	return 0
}

// Priority is how urgent a contact is; higher is more urgent.
type Priority int

// The priorities.
const (
	PriorityRoutine Priority = 0
	PriorityHigh    Priority = 1
	PriorityUrgent  Priority = 2
)

// Ageing gives each priority a head start: an item of priority p is ranked
// as if it had been enqueued Ageing[p] earlier than it was. Items of equal
// rank keep their enqueue order. Because the head start is bounded, a
// routine item that has waited longer than the head start of an urgent one
// is served first: nothing starves.
type Ageing map[Priority]time.Duration

// DefaultAgeing gives high-priority contacts a 20-minute and urgent ones a
// 60-minute head start.
func DefaultAgeing() Ageing {
	return Ageing{PriorityHigh: 20 * time.Minute, PriorityUrgent: 60 * time.Minute}
}
