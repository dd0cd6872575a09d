package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	slotField = regexp.MustCompile(`name="slot" id="slot-0" value="([^"]+)"`)
	apptField = regexp.MustCompile(`name="appointment" value="([^"]+)"`)
)

func TestBookingPage(t *testing.T) {
	tests := []struct{ lang, before, booked string }{
		{"fi", "ota kotimittaustesi tulokset mukaan", "Varattu"},
		{"sv", "ta med resultaten av dina hemmamätningar", "Bokad"},
		{"en", "bring the results of your home measurements", "Booked"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			x := newHost(t, nil)
			c := x.user()
			form := c.do("GET", "/book?lang="+tt.lang, nil, nil)
			require.Equal(t, http.StatusOK, form.StatusCode)
			tok := formCSRF(t, form)
			base := url.Values{"csrf": {tok}, "lang": {tt.lang}, "client": {"client-b"}}
			with := func(kv ...string) url.Values {
				v := url.Values{}
				for k, vs := range base {
					v[k] = vs
				}
				for i := 0; i < len(kv); i += 2 {
					v.Set(kv[i], kv[i+1])
				}
				return v
			}
			r := c.do("POST", "/book/search", with("postal_code", "99999"), nil)
			require.Equal(t, http.StatusBadRequest, r.StatusCode)
			require.Contains(t, string(r.body), `role="alert"`)
			r = c.do("POST", "/book/search", with("postal_code", "00530"), nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			require.Contains(t, string(r.body), tt.before)
			slot := slotField.FindSubmatch(r.body)
			require.NotNil(t, slot, string(r.body))
			key := keyField.FindSubmatch(r.body)
			require.NotNil(t, key)

			bad := c.do("POST", "/book/confirm", with("key", "k-bad", "slot", "!!"), nil)
			require.Equal(t, http.StatusBadRequest, bad.StatusCode)
			require.Contains(t, string(bad.body), `role="alert"`)
			r = c.do("POST", "/book/confirm", with("key", string(key[1]), "slot", string(slot[1])), nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			require.Contains(t, string(r.body), tt.booked)
			appt := apptField.FindSubmatch(r.body)
			require.NotNil(t, appt)

			other := c.do("POST", "/book/cancel", with("appointment", string(appt[1]), "client", "client-other"), nil)
			require.NotEqual(t, http.StatusOK, other.StatusCode, "another client cannot cancel it")
			r = c.do("POST", "/book/cancel", with("appointment", string(appt[1])), nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			require.Contains(t, string(r.body), `id="cancelled"`)
			r = c.do("POST", "/book/cancel", with("appointment", string(appt[1])), nil)
			require.Equal(t, http.StatusConflict, r.StatusCode, "cancelled already")
			c.do("POST", "/book/search", url.Values{"client": {"c"}}, nil).problem(t, http.StatusForbidden) // no CSRF
		})
	}
}
