// Package loopback is a channel transport for tests and examples: it
// implements channel.Telephony, channel.VideoTransport and
// channel.ChatTransport plus every optional capability, records what a real
// transport would have been asked to do, and can be told to fail.
//
// IDs are deterministic ("call-1", "room-1", ...), so output built from them
// is stable. A Transport is safe for concurrent use. It sends nothing
// anywhere and starts no goroutines.
package loopback
