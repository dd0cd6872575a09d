package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
)

// chatInHand has client ask in a chat and aino accept it.
func chatInHand(t *testing.T, x *host, aino *user, client string) string {
	t.Helper()
	r := x.user().do("POST", "/api/contacts", map[string]string{"client": client, "errand": "prescription_renewal", "channel": "chat",
		"postal_code": "00530", "language": "fi"}, idem("chat-"+client))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var c struct{ ID string }
	r.json(t, &c)
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1)
	require.Equal(t, c.ID, d.Offers[0].Contact)
	r = aino.post("/api/items/"+d.Offers[0].Item+"/accept", nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	return c.ID
}

type conversationJSON struct {
	Contact  string
	Messages []struct{ From, Text string }
}

func TestChatBothWays(t *testing.T) {
	x := newHost(t, nil)
	aino, ville, client := x.user(), x.user(), x.user()
	aino.signIn("aino")
	ville.signIn("ville")
	id := chatInHand(t, x, aino, "client-c")
	base := "/api/contacts/" + id

	r := client.do("POST", base+"/messages", map[string]string{"client": "client-c", "text": "Tarvitsen reseptin uusimisen."}, nil)
	require.Equal(t, http.StatusNoContent, r.StatusCode, string(r.body))
	r = aino.post("/api/sessions/"+id+"/messages", map[string]string{"text": "Uusin sen tänään."})
	require.Equal(t, http.StatusNoContent, r.StatusCode, string(r.body))

	var c conversationJSON
	aino.do("GET", "/api/sessions/"+id+"/messages", nil, nil).json(t, &c)
	require.Equal(t, id, c.Contact)
	require.Len(t, c.Messages, 2)
	require.Equal(t, "client", c.Messages[0].From)
	require.Equal(t, "aino", c.Messages[1].From)
	r = client.do("POST", base+"/conversation", map[string]string{"client": "client-c"}, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	r.json(t, &c)
	require.Equal(t, "Uusin sen tänään.", c.Messages[1].Text)
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Contacts, 1)
	require.Contains(t, string(aino.do("GET", "/api/desk", nil, nil).body), "Tarvitsen reseptin uusimisen.", "the desk shows the conversation")

	reads, err := x.audit.Events(t.Context(), audit.Filter{Action: "web.chat_read"})
	require.NoError(t, err)
	require.NotEmpty(t, reads)
	byClient := 0
	for _, e := range reads {
		require.Equal(t, "client-c", string(e.Client), "each read of the messages names whose they are")
		if e.Actor.Kind == audit.ActorClient {
			byClient++
		}
	}
	require.Equal(t, 1, byClient)
	for _, e := range reads {
		for _, v := range e.Detail {
			require.NotContains(t, v, "resept", "no message text in the audit")
		}
	}

	t.Run("refused", func(t *testing.T) {
		before := len(x.refusals())
		client.do("POST", base+"/conversation", map[string]string{"client": "client-other"}, nil).problem(t, http.StatusForbidden)
		client.do("POST", base+"/messages", map[string]string{"client": "client-other", "text": "hei"}, nil).problem(t, http.StatusForbidden)
		ville.do("GET", "/api/sessions/"+id+"/messages", nil, nil).problem(t, http.StatusForbidden)
		ville.post("/api/sessions/"+id+"/messages", map[string]string{"text": "hei"}).problem(t, http.StatusForbidden) // not his contact
		x.user().do("GET", "/api/sessions/"+id+"/messages", nil, nil).problem(t, http.StatusUnauthorized)
		aino.do("POST", "/api/sessions/"+id+"/messages", map[string]string{"text": "no token"}, nil).problem(t, http.StatusForbidden)
		require.Len(t, x.refusals(), before+6, "each refused access is audited")
		denied, err := x.audit.Events(t.Context(), audit.Filter{ActorID: "client-other"})
		require.NoError(t, err)
		require.NotEmpty(t, denied)
		for _, e := range denied {
			require.Equal(t, audit.Denied, e.Outcome)
		}
	})
	bad := []struct {
		name, path string
		u          *user
		body       any
		status     int
		field      string
	}{
		{"client message without text", base + "/messages", client, map[string]string{"client": "client-c"}, http.StatusBadRequest, "text"},
		{"client message too long", base + "/messages", client, map[string]string{"client": "client-c", "text": strings.Repeat("x", 9000)}, http.StatusBadRequest, "text"},
		{"client message without client", base + "/messages", client, map[string]string{"text": "x"}, http.StatusBadRequest, "client"},
		{"conversation without client", base + "/conversation", client, map[string]string{}, http.StatusBadRequest, "client"},
		{"conversation of no contact", "/api/contacts/k-none/conversation", client, map[string]string{"client": "client-c"}, http.StatusNotFound, ""},
		{"message not JSON", base + "/messages", client, "{", http.StatusBadRequest, "body"},
		{"professional message without text", "/api/sessions/" + id + "/messages", aino, map[string]string{}, http.StatusBadRequest, "text"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var r reply
			if tt.u == aino {
				r = aino.post(tt.path, tt.body)
			} else {
				r = tt.u.do("POST", tt.path, tt.body, nil)
			}
			p := r.problem(t, tt.status)
			if tt.field != "" {
				require.Equal(t, tt.field, p["field"])
			}
		})
	}
}

func TestClientWithdraws(t *testing.T) {
	x := newHost(t, nil)
	client := x.user()
	r := client.do("POST", "/api/contacts", callbackSv, idem("w"))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var cb struct{ ID string }
	r.json(t, &cb)
	base := "/api/contacts/" + cb.ID
	bad := []struct {
		name   string
		path   string
		body   any
		status int
		field  string
	}{
		{"without client", base + "/withdraw", map[string]string{}, http.StatusBadRequest, "client"},
		{"a reason that is no label", base + "/withdraw", map[string]string{"client": "client-7", "reason": "Olen parempi!"}, http.StatusBadRequest, "reason"},
		{"unknown contact", "/api/contacts/k-none/withdraw", map[string]string{"client": "client-7"}, http.StatusNotFound, ""},
		{"another client's", base + "/withdraw", map[string]string{"client": "client-8"}, http.StatusForbidden, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := client.do("POST", tt.path, tt.body, nil).problem(t, tt.status)
			if tt.field != "" {
				require.Equal(t, tt.field, p["field"])
			}
		})
	}
	r = client.do("POST", base+"/withdraw", map[string]string{"client": "client-7", "reason": "no_longer_needed"}, nil)
	require.Equal(t, http.StatusNoContent, r.StatusCode, string(r.body))
	es, err := x.audit.Events(t.Context(), audit.Filter{Action: "frontdoor.withdraw"})
	require.NoError(t, err)
	require.Len(t, es, 1)
	require.Equal(t, "client-7", es[0].Actor.ID)
	client.do("POST", base+"/withdraw", map[string]string{"client": "client-7"}, nil).problem(t, http.StatusConflict)
}

func TestTransfer(t *testing.T) {
	x := newHost(t, nil)
	aino, ville := x.user(), x.user()
	aino.signIn("aino")
	ville.signIn("ville")
	id := chatInHand(t, x, aino, "client-t")
	base := "/api/sessions/" + id + "/transfer"
	bad := []struct {
		name   string
		u      *user
		body   any
		status int
		field  string
	}{
		{"without team", aino, map[string]string{"reason": "needs_other_team"}, http.StatusBadRequest, "team"},
		{"without reason", aino, map[string]string{"team": "vallila-nurses"}, http.StatusBadRequest, "reason"},
		{"unknown team", aino, map[string]string{"team": "nowhere", "reason": "x"}, http.StatusNotFound, ""},
		{"not his contact", ville, map[string]string{"team": "kallio-doctors", "reason": "x"}, http.StatusForbidden, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.u.post(base, tt.body).problem(t, tt.status)
			if tt.field != "" {
				require.Equal(t, tt.field, p["field"])
			}
		})
	}
	r := aino.post(base, map[string]string{"team": "vallila-nurses", "reason": "needs_other_team"})
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	var s struct{ Team, State string }
	r.json(t, &s)
	require.Equal(t, "vallila-nurses", s.Team)
	var d deskJSON
	ville.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1, "the contact is offered to the new team")
	require.Equal(t, id, d.Offers[0].Contact)
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	for _, c := range d.Contacts {
		require.NotContains(t, c.Actions, "transfer")
	}
}

func TestChatTransferAndRoomFromTheDeskPage(t *testing.T) {
	x := newHost(t, nil)
	aino, ville := x.user(), x.user()
	aino.signIn("aino")
	ville.signIn("ville")
	id := chatInHand(t, x, aino, "client-p")
	page := aino.do("GET", "/desk", nil, nil)
	require.Contains(t, string(page.body), `<label for="text-`+id+`">Message</label>`)
	tok := formCSRF(t, page)
	r := aino.do("POST", "/desk/sessions/"+id+"/messages", url.Values{"csrf": {tok}, "text": {"Hei, miten voin auttaa?"}}, nil)
	require.Equal(t, "/desk", r.Header.Get("Location"))
	require.Contains(t, string(aino.do("GET", "/desk", nil, nil).body), "<strong>aino</strong>: Hei, miten voin auttaa?")
	r = aino.do("POST", "/desk/sessions/"+id+"/messages", url.Values{"csrf": {tok}, "text": {""}}, nil)
	require.Equal(t, "/desk?error=invalid", r.Header.Get("Location"))
	r = aino.do("POST", "/desk/sessions/"+id+"/transfer", url.Values{"csrf": {tok}, "team": {"vallila-nurses"}, "reason": {"needs_other_team"}}, nil)
	require.Equal(t, "/desk", r.Header.Get("Location"))
	require.Contains(t, string(ville.do("GET", "/desk", nil, nil).body), id)
	r = aino.do("POST", "/desk/sessions/"+id+"/transfer", url.Values{"team": {"vallila-nurses"}, "reason": {"x"}}, nil)
	r.problem(t, http.StatusForbidden) // no CSRF token

	// The room link after a switch to video.
	call := acceptedCallback(t, x, aino)
	aino.do("GET", "/desk/sessions/"+call+"/room", nil, nil).problem(t, http.StatusConflict) // still a phone call
	r = aino.post("/api/sessions/"+call+"/identify", map[string]string{"level": "strong", "method": "bank_id"})
	require.Equal(t, http.StatusOK, r.StatusCode)
	r = aino.post("/api/sessions/"+call+"/switch", map[string]any{"to": "video", "consent": true})
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	page = aino.do("GET", "/desk", nil, nil)
	require.Contains(t, string(page.body), `<a href="/desk/sessions/`+call+`/room" id="room-`+call+`">Join the video room</a>`)
	room := aino.do("GET", "/desk/sessions/"+call+"/room", nil, nil)
	require.Equal(t, http.StatusOK, room.StatusCode)
	require.Contains(t, string(room.body), `<code id="room">room-1</code>`, "the loopback transport's room")
	require.Equal(t, []string{"telephony.place_call", "video.create_room", "video.invite", "telephony.upgrade_to_video"}, x.demo.Transport.Ops())
	ville.do("GET", "/desk/sessions/"+call+"/room", nil, nil).problem(t, http.StatusForbidden)
	x.user().do("GET", "/desk/sessions/"+call+"/room", nil, nil).problem(t, http.StatusUnauthorized)
}
