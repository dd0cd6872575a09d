// Package channel is the "how" of a contact: the channel kinds a client can
// use (inbound phone, callback, video, chat, secure message, e-booking, in
// person), the errand types they contact primary care about and the identity
// levels that channels and actions require.
package channel
