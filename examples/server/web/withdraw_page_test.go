package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
)

var contactField = regexp.MustCompile(`name="contact" value="([^"]+)"`)

func TestCallbackPageWithdraw(t *testing.T) {
	tests := []struct{ lang, withdrawn string }{
		{"fi", "Soittopyyntö on peruttu."},
		{"sv", "Begäran är återkallad."},
		{"en", "The request is withdrawn."},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			x := newHost(t, nil)
			c := x.user()
			form := c.do("GET", "/callback?lang="+tt.lang, nil, nil)
			tok := formCSRF(t, form)
			key := keyField.FindSubmatch(form.body)
			require.NotNil(t, key)
			r := c.do("POST", "/callback", url.Values{"csrf": {tok}, "key": {string(key[1])}, "lang": {tt.lang}, "client": {"client-w"},
				"errand": {"infection_symptoms"}, "postal_code": {"00530"}, "phone": {"+358401234567"}}, nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			m := contactField.FindSubmatch(r.body)
			require.NotNil(t, m, "the answer offers to withdraw the request")
			contact := string(m[1])

			before := len(x.refusals())
			r = c.do("POST", "/callback/withdraw", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-other"}, "contact": {contact}}, nil)
			require.Equal(t, http.StatusForbidden, r.StatusCode, "another client's request")
			require.Contains(t, string(r.body), `role="alert"`)
			require.Len(t, x.refusals(), before+1)
			c.do("POST", "/callback/withdraw", url.Values{"lang": {tt.lang}, "client": {"client-w"}, "contact": {contact}}, nil).
				problem(t, http.StatusForbidden) // no form token
			r = c.do("POST", "/callback/withdraw", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {""}, "contact": {contact}}, nil)
			require.Equal(t, http.StatusBadRequest, r.StatusCode)
			r = c.do("POST", "/callback/withdraw", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-w"}, "contact": {"k-none"}}, nil)
			require.Equal(t, http.StatusNotFound, r.StatusCode)

			r = c.do("POST", "/callback/withdraw", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-w"}, "contact": {contact}}, nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			require.Contains(t, string(r.body), tt.withdrawn)
			es, err := x.audit.Events(t.Context(), audit.Filter{Action: "frontdoor.withdraw", ActorID: "client-w"})
			require.NoError(t, err)
			require.Len(t, es, 1)
			r = c.do("POST", "/callback/withdraw", url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-w"}, "contact": {contact}}, nil)
			require.Equal(t, http.StatusConflict, r.StatusCode, "withdrawn already")
		})
	}
}
