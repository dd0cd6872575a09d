package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/examples/server/web"
	"github.com/carecontact/carecontact/routing"
)

// chatForm opens the chat page in lang and returns its form token and key.
func chatForm(t *testing.T, c *user, lang string) (tok, key string) {
	t.Helper()
	r := c.do("GET", "/chat?lang="+lang, nil, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	m := keyField.FindSubmatch(r.body)
	require.NotNil(t, m)
	return formCSRF(t, r), string(m[1])
}

func TestChatPageAdvice(t *testing.T) {
	tests := []struct {
		lang, postal, errand string
		status               int
		want                 []string
		not                  []string
	}{
		{"fi", "00530", "prescription_renewal", http.StatusOK,
			[]string{"Sopivat kanavat asiallesi", `id="fit-chat"`, "Chat on auki ma–pe 8–16", "tällä sivulla"}, []string{"fit-e_booking"}},
		{"fi", "00530", "chronic_follow_up", http.StatusOK,
			[]string{"Varaa aika: Verenpaineen seuranta", `href="/book?lang=fi"`}, nil},
		{"sv", "00530", "infection_symptoms", http.StatusOK,
			[]string{"Lämpliga kanaler", "Chatten är öppen mån–fre 8–16", `href="/callback?lang=sv"`}, nil},
		{"en", "00550", "chronic_follow_up", http.StatusOK, // Vallila books nothing online
			[]string{"Channels that suit", "Leave a callback request"}, []string{"fit-e_booking"}},
		{"fi", "99999", "prescription_renewal", http.StatusNotFound, []string{`role="alert"`}, nil},
		{"fi", "abc", "prescription_renewal", http.StatusBadRequest, []string{`role="alert"`}, nil},
		{"fi", "00530", "", http.StatusBadRequest, []string{`role="alert"`, "errand"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.postal+"/"+tt.errand, func(t *testing.T) {
			x := newHost(t, nil)
			c := x.user()
			tok, _ := chatForm(t, c, tt.lang)
			r := c.do("POST", "/chat/advice", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-a"},
				"errand": {tt.errand}, "postal_code": {tt.postal}}, nil)
			require.Equal(t, tt.status, r.StatusCode, string(r.body))
			require.Contains(t, r.Header.Get("Content-Type"), "text/html")
			for _, w := range tt.want {
				require.Contains(t, string(r.body), w)
			}
			for _, w := range tt.not {
				require.NotContains(t, string(r.body), w)
			}
			require.Contains(t, string(r.body), `lang="`+tt.lang+`"`)
			require.Contains(t, string(r.body), `value="`+tt.postal+`"`, "the form keeps what the client wrote")
		})
	}
}

var chatContact = regexp.MustCompile(`name="contact" value="([^"]+)"`)

// TestChatPage: a client starts a chat in Finnish; it waits first in the
// queue of Kallio (postal code 00530), where Aino takes it; the client
// writes, Aino answers and the client's page shows her answer.
func TestChatPage(t *testing.T) {
	x := newHost(t, nil)
	aino, c := x.user(), x.user()
	aino.signIn("aino")
	_, err := x.demo.Door.SetPresence(t.Context(), "aino", routing.PresenceBusy) // signed in, taking no offers yet
	require.NoError(t, err)
	tok, key := chatForm(t, c, "fi")
	start := url.Values{"csrf": {tok}, "key": {key}, "lang": {"fi"}, "client": {"client-p"}, "errand": {"prescription_renewal"},
		"postal_code": {"00530"}}
	r := c.do("POST", "/chat", start, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	require.Contains(t, string(r.body), "Odotat vuoroasi (1. jonossa)")
	require.Contains(t, string(r.body), `id="withdraw"`)
	m := chatContact.FindSubmatch(r.body)
	require.NotNil(t, m)
	id := string(m[1])
	again := c.do("POST", "/chat", start, nil)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"), "a double submit is one chat")

	_, err = x.demo.Door.SetPresence(t.Context(), "aino", routing.PresenceAvailable)
	require.NoError(t, err)
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1)
	require.Equal(t, id, d.Offers[0].Contact, "routed by the postal code to Kallio's nurses")
	require.Equal(t, http.StatusOK, aino.post("/api/items/"+d.Offers[0].Item+"/accept", nil).StatusCode)

	call := url.Values{"csrf": {tok}, "lang": {"fi"}, "client": {"client-p"}, "contact": {id}}
	send := url.Values{"text": {"Tarvitsen reseptin uusimisen."}}
	for k, v := range call {
		send[k] = v
	}
	r = c.do("POST", "/chat/messages", send, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	require.Contains(t, string(r.body), "<strong>Sinä</strong>: Tarvitsen reseptin uusimisen.")
	require.Contains(t, string(r.body), `Keskustelet: <strong id="with">aino</strong>`)
	require.NotContains(t, string(r.body), `id="withdraw"`, "taken: no longer withdrawn from the page")
	require.Equal(t, http.StatusNoContent, aino.post("/api/sessions/"+id+"/messages", map[string]string{"text": "Uusin sen tänään."}).StatusCode)
	r = c.do("POST", "/chat/conversation", call, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	require.Contains(t, string(r.body), "<strong>aino</strong>: Uusin sen tänään.")

	reads, err := x.audit.Events(t.Context(), audit.Filter{Action: "web.chat_read", ActorID: "client-p"})
	require.NoError(t, err)
	require.NotEmpty(t, reads, "the client's reads are audited")
	require.Equal(t, http.StatusOK, aino.post("/api/sessions/"+id+"/close", map[string]string{"outcome": "resolved"}).StatusCode)
	r = c.do("POST", "/chat/conversation", call, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	require.Contains(t, string(r.body), "Keskustelu on päättynyt.")
	require.NotContains(t, string(r.body), `id="send"`)
}

func TestChatPageWithdraw(t *testing.T) {
	tests := []struct{ lang, withdrawn string }{
		{"fi", "Chat on peruttu."}, {"sv", "Chatten är återkallad."}, {"en", "The chat is withdrawn."},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			x := newHost(t, nil)
			c := x.user()
			x.user().signIn("ville")
			tok, key := chatForm(t, c, tt.lang)
			r := c.do("POST", "/chat", url.Values{"csrf": {tok}, "key": {key}, "lang": {tt.lang}, "client": {"client-w"},
				"errand": {"prescription_renewal"}, "postal_code": {"00550"}}, nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			id := string(chatContact.FindSubmatch(r.body)[1])
			r = c.do("POST", "/chat/withdraw", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-w"}, "contact": {id}}, nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			require.Contains(t, string(r.body), tt.withdrawn)
			r = c.do("POST", "/chat/withdraw", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-w"}, "contact": {id}}, nil)
			require.Equal(t, http.StatusConflict, r.StatusCode, "withdrawn already")
			require.Contains(t, string(r.body), `role="alert"`)
		})
	}
}

// TestChatPageRefused: bad input and refused access on the chat page's
// forms: no form token (a problem, audited), another client's chat (the
// page with the error, audited), missing fields, an unknown contact, a
// contact that is not a chat, and an empty message.
func TestChatPageRefused(t *testing.T) {
	x := newHost(t, func(c *web.Config) { c.Burst = 1000 })
	c := x.user()
	x.user().signIn("aino")
	tok, key := chatForm(t, c, "en")
	r := c.do("POST", "/chat", url.Values{"csrf": {tok}, "key": {key}, "lang": {"en"}, "client": {"client-r"},
		"errand": {"prescription_renewal"}, "postal_code": {"00530"}}, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	id := string(chatContact.FindSubmatch(r.body)[1])
	cb := x.user().do("POST", "/api/contacts", callbackSv, idem("cb-r"))
	require.Equal(t, http.StatusCreated, cb.StatusCode, string(cb.body))
	var cbj struct{ ID string }
	cb.json(t, &cbj)

	for _, path := range []string{"/chat", "/chat/advice", "/chat/messages", "/chat/conversation", "/chat/withdraw"} {
		before := len(x.refusals())
		c.do("POST", path, url.Values{"lang": {"en"}, "client": {"client-r"}, "contact": {id}, "key": {"k1"}}, nil).
			problem(t, http.StatusForbidden)
		require.Len(t, x.refusals(), before+1, path)
		x.user().do("POST", path, url.Values{"csrf": {tok}, "client": {"client-r"}}, nil).problem(t, http.StatusForbidden) // no cookie
	}
	tests := []struct {
		name, path string
		form       url.Values
		status     int
		audited    bool
	}{
		{"another client's chat", "/chat/conversation", url.Values{"client": {"client-other"}, "contact": {id}}, http.StatusForbidden, true},
		{"another client's message", "/chat/messages", url.Values{"client": {"client-other"}, "contact": {id}, "text": {"hi"}}, http.StatusForbidden, true},
		{"another client's withdrawal", "/chat/withdraw", url.Values{"client": {"client-other"}, "contact": {id}}, http.StatusForbidden, true},
		{"no client", "/chat/conversation", url.Values{"contact": {id}}, http.StatusBadRequest, false},
		{"no contact", "/chat/messages", url.Values{"client": {"client-r"}, "text": {"hi"}}, http.StatusBadRequest, false},
		{"unknown contact", "/chat/conversation", url.Values{"client": {"client-r"}, "contact": {"k-none"}}, http.StatusNotFound, false},
		{"not a chat", "/chat/conversation", url.Values{"client": {"client-7"}, "contact": {cbj.ID}}, http.StatusBadRequest, false},
		{"empty message", "/chat/messages", url.Values{"client": {"client-r"}, "contact": {id}, "text": {""}}, http.StatusBadRequest, false},
		{"start without postal code", "/chat", url.Values{"client": {"client-r2"}, "errand": {"prescription_renewal"}, "key": {"k2"}}, http.StatusBadRequest, false},
		{"start without key", "/chat", url.Values{"client": {"client-r3"}, "errand": {"prescription_renewal"}, "postal_code": {"00530"}}, http.StatusBadRequest, false},
		{"start with nobody signed in in reach", "/chat", url.Values{"client": {"client-r5"}, "errand": {"prescription_renewal"}, "postal_code": {"00550"}, "key": {"k5"}}, http.StatusNotFound, false},
		{"start in no area", "/chat", url.Values{"client": {"client-r4"}, "errand": {"prescription_renewal"}, "postal_code": {"99999"}, "key": {"k4"}}, http.StatusNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf", tok)
			tt.form.Set("lang", "en")
			before := len(x.refusals())
			r := c.do("POST", tt.path, tt.form, nil)
			require.Equal(t, tt.status, r.StatusCode, string(r.body))
			if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				require.Contains(t, string(r.body), `role="alert"`)
			}
			if tt.audited {
				require.Len(t, x.refusals(), before+1)
			}
		})
	}
}

// TestChatPageNobodyIn: with nobody signed in who takes chats, starting
// one says so in the client's language and points to the callback page.
func TestChatPageNobodyIn(t *testing.T) {
	tests := []struct{ lang, want string }{
		{"fi", "Chat ei ole nyt auki"}, {"sv", "Chatten är inte öppen nu"}, {"en", "The chat is not open now"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			x := newHost(t, nil)
			c := x.user()
			tok, key := chatForm(t, c, tt.lang)
			r := c.do("POST", "/chat", url.Values{"csrf": {tok}, "key": {key}, "lang": {tt.lang}, "client": {"client-n"},
				"errand": {"prescription_renewal"}, "postal_code": {"00530"}}, nil)
			require.Equal(t, http.StatusNotFound, r.StatusCode, string(r.body))
			require.Contains(t, string(r.body), tt.want)
			require.Contains(t, string(r.body), `href="/callback?lang=`+tt.lang+`"`)
			require.NotContains(t, string(r.body), "routing:", "no internal error text for the client")
		})
	}
}

// TestChatPageAlreadyWaiting: a client who already waits for a callback
// about the errand is told so (the door's duplicate-waiting text), not
// given a second contact.
func TestChatPageAlreadyWaiting(t *testing.T) {
	x := newHost(t, nil)
	x.user().signIn("aino")
	cb := x.user().do("POST", "/api/contacts", callbackSv, idem("cb-w"))
	require.Equal(t, http.StatusCreated, cb.StatusCode, string(cb.body))
	c := x.user()
	tok, key := chatForm(t, c, "sv")
	r := c.do("POST", "/chat", url.Values{"csrf": {tok}, "key": {key}, "lang": {"sv"}, "client": {"client-7"},
		"errand": {"infection_symptoms"}, "postal_code": {"00530"}}, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	require.Contains(t, string(r.body), `id="already"`)
	require.Contains(t, string(r.body), "Du väntar redan på svar: återuppringning.")
	require.NotContains(t, string(r.body), `name="contact"`)

	// A second chat about an errand the client already chats about is
	// the first chat.
	start := func() string {
		t.Helper()
		tok, key := chatForm(t, c, "sv")
		r := c.do("POST", "/chat", url.Values{"csrf": {tok}, "key": {key}, "lang": {"sv"}, "client": {"client-8"},
			"errand": {"prescription_renewal"}, "postal_code": {"00530"}}, nil)
		require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
		m := chatContact.FindSubmatch(r.body)
		require.NotNil(t, m, string(r.body))
		return string(m[1])
	}
	require.Equal(t, start(), start())
}
