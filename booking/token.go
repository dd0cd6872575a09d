package booking

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
)

// TokenKind says what a signed token lets its holder do.
type TokenKind string

// The token kinds.
const (
	// TokenInvite lets the invited client book the invitation's service
	// once (see Booker.Invite).
	TokenInvite TokenKind = "invite"
	// TokenCancel lets the appointment's client cancel it from a
	// reminder's link (see Booker.Reminders and Booker.CancelByToken).
	TokenCancel TokenKind = "cancel"
)

// MinTokenKeyLen is the shortest key NewTokenSigner accepts, in bytes.
const MinTokenKeyLen = 32

// MaxTokenLen is the longest token Parse reads, in bytes; longer input is
// refused unread.
const MaxTokenLen = 2048

// tokenPrefix versions the token format.
const tokenPrefix = "cct1"

// Token is what a signed token says. It carries references only (IDs and
// the client's pseudonymous reference), never personal data, but it is a
// bearer credential: the host sends it to the client alone.
type Token struct {
	Kind TokenKind `json:"k"`
	// ID is the invitation's ID (TokenInvite) or the appointment's
	// (TokenCancel).
	ID      string                `json:"id"`
	Area    carecontact.AreaID    `json:"a,omitempty"`
	Service string                `json:"s,omitempty"`
	Client  carecontact.ClientRef `json:"c"`
	// By is the professional who sent an invitation.
	By carecontact.ProfessionalID `json:"by,omitempty"`
	// Expires is when the token stops working, to the second.
	Expires time.Time `json:"-"`
}

// tokenBody is Token as encoded: Expires in Unix seconds.
type tokenBody struct {
	Token
	Exp int64 `json:"exp"`
}

// TokenSigner signs and checks tokens with HMAC-SHA256 under one key. It
// is safe for concurrent use.
type TokenSigner struct{ key []byte }

// NewTokenSigner returns a signer over a copy of key, which must be at
// least MinTokenKeyLen bytes (an ErrInvalid *carecontact.FieldError
// naming "key" otherwise).
func NewTokenSigner(key []byte) (*TokenSigner, error) {
	if len(key) < MinTokenKeyLen {
		return nil, carecontact.Invalid(ErrInvalid, "key", fmt.Sprintf("is shorter than %d bytes", MinTokenKeyLen))
	}
	return &TokenSigner{key: bytes.Clone(key)}, nil
}

func (s *TokenSigner) mac(signed string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// Sign returns the token for t: "cct1.", the claims as base64url JSON, a
// dot and their HMAC-SHA256 in base64url. It checks t as Parse would
// (but for the expiry).
func (s *TokenSigner) Sign(t Token) (string, error) {
	if err := t.validate(); err != nil {
		return "", err
	}
	body, err := json.Marshal(tokenBody{Token: t, Exp: t.Expires.Unix()})
	if err != nil {
		return "", fmt.Errorf("booking: token: %w", err)
	}
	signed := tokenPrefix + "." + base64.RawURLEncoding.EncodeToString(body)
	return signed + "." + base64.RawURLEncoding.EncodeToString(s.mac(signed)), nil
}

// Parse checks token's signature and returns what it says, if it has not
// expired at now. A token that is not one of this signer's, was changed,
// or says something invalid is a *TokenError matching ErrTokenInvalid; an
// expired one a *TokenError matching ErrTokenExpired. The error never
// repeats the token.
func (s *TokenSigner) Parse(token string, now time.Time) (Token, error) {
	if len(token) > MaxTokenLen {
		return Token{}, &TokenError{Reason: TokenMalformed}
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != tokenPrefix {
		return Token{}, &TokenError{Reason: TokenMalformed}
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return Token{}, &TokenError{Reason: TokenMalformed}
	}
	if !hmac.Equal(sig, s.mac(parts[0]+"."+parts[1])) {
		return Token{}, &TokenError{Reason: TokenBadSignature}
	}
	body, err := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	if err != nil {
		return Token{}, &TokenError{Reason: TokenMalformed}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var tb tokenBody
	if err := dec.Decode(&tb); err != nil || dec.More() {
		return Token{}, &TokenError{Reason: TokenMalformed}
	}
	t := tb.Token
	t.Expires = time.Unix(tb.Exp, 0).UTC()
	if err := t.validate(); err != nil {
		return Token{}, &TokenError{Reason: TokenMalformed}
	}
	if !now.Before(t.Expires) {
		return Token{}, &TokenError{Reason: TokenExpired}
	}
	return t, nil
}

// validate checks what a token says.
func (t Token) validate() error {
	switch t.Kind {
	case TokenInvite:
		if t.Area == "" || t.Service == "" || t.By == "" {
			return carecontact.Invalid(ErrInvalid, "token", "an invitation names its area, service and professional")
		}
	case TokenCancel:
	default:
		return carecontact.Invalid(ErrInvalid, "token.kind", "is not invite or cancel")
	}
	switch {
	case t.ID == "":
		return carecontact.Invalid(ErrInvalid, "token.id", "is empty")
	case t.Client == "":
		return carecontact.Invalid(ErrInvalid, "token.client", "is empty")
	case t.Expires.Unix() <= 0:
		return carecontact.Invalid(ErrInvalid, "token.expires", "is not after 1970")
	}
	for _, f := range []struct{ name, v string }{{"token.id", t.ID}, {"token.area", string(t.Area)}, {"token.service", t.Service},
		{"token.client", string(t.Client)}, {"token.by", string(t.By)}} {
		if err := carecontact.ValidateID(ErrInvalid, f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// TokenReason says why a token was refused.
type TokenReason string

// The reasons of a TokenError.
const (
	// TokenMalformed: not a token of this format, or its claims are invalid.
	TokenMalformed TokenReason = "malformed"
	// TokenBadSignature: the signature does not match (changed, or signed
	// with another key).
	TokenBadSignature TokenReason = "bad signature"
	// TokenExpired: the token's time is up.
	TokenExpired TokenReason = "expired"
	// TokenMisused: a valid token used for something it does not allow
	// (another kind, client, service or appointment).
	TokenMisused TokenReason = "misused"
)

// TokenError reports a refused token. It matches ErrTokenExpired for an
// expired token and ErrTokenInvalid for every other reason.
type TokenError struct {
	Reason TokenReason
}

// Error says why the token was refused.
func (e *TokenError) Error() string { return "booking: token refused: " + string(e.Reason) }

// Is reports whether target is the error's sentinel or the root kind it
// wraps.
func (e *TokenError) Is(target error) bool {
	if e.Reason == TokenExpired {
		return errors.Is(ErrTokenExpired, target)
	}
	return errors.Is(ErrTokenInvalid, target)
}
