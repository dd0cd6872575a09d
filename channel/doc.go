// Package channel is the "how" of a contact: the channel kinds a client can
// use (inbound phone, callback, video, chat, secure message, e-booking, in
// person).
package channel
