package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"sync"

	"github.com/carecontact/carecontact"
)

// ErrSignIn is the sentinel of a refused sign-in: unknown user or wrong
// password, never saying which.
var ErrSignIn = carecontact.Sentinel(carecontact.ErrNotAllowed, "web: sign-in refused")

// Authenticator checks a professional's credentials and names who they
// are. It says nothing about their teams or grants: those come from the
// server's staff directory. A host plugs in its identity provider here.
type Authenticator interface {
	Authenticate(ctx context.Context, user, password string) (carecontact.ProfessionalID, error)
}

// Passwords is a demo Authenticator: a password per professional. It is
// for trying the host on a laptop, not for a deployment.
type Passwords map[carecontact.ProfessionalID]string

// Authenticate implements Authenticator.
func (p Passwords) Authenticate(_ context.Context, user, password string) (carecontact.ProfessionalID, error) {
	want, ok := p[carecontact.ProfessionalID(user)]
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(password)) != 1 {
		return "", ErrSignIn
	}
	return carecontact.ProfessionalID(user), nil
}

const sessionCookie = "cc_session"

// signedIn is a professional's sign-in session.
type signedIn struct {
	Professional carecontact.ProfessionalID
	CSRF         string
}

// sessions keeps the sign-in sessions in memory, by an unguessable token.
type sessions struct {
	mu sync.Mutex
	m  map[string]signedIn
}

func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *sessions) start(p carecontact.ProfessionalID) (string, signedIn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, si := token(), signedIn{Professional: p, CSRF: token()}
	s.m[t] = si
	return t, si
}

func (s *sessions) end(t string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, t)
}

func (s *sessions) of(r *http.Request) (string, signedIn, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", signedIn{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	si, ok := s.m[c.Value]
	return c.Value, si, ok
}
