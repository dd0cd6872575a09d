package fhirapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// link returns the url of the Bundle link with relation rel, relative to
// the fixture's base ("" if none).
func link(t *testing.T, r response, rel string) string {
	t.Helper()
	for _, l := range r.body["link"].([]any) {
		m := l.(map[string]any)
		if m["relation"] == rel {
			u := m["url"].(string)
			require.True(t, strings.HasPrefix(u, "https://fhir.example.org/r4/"), u)
			return "/" + strings.TrimPrefix(u, "https://fhir.example.org/r4/")
		}
	}
	return ""
}

// TestPaging: a search with _count answers pages; following each page's
// next link reaches every match once, in order, and the last page has
// none; a page after the first has a previous link. A bad _offset is 400.
func TestPaging(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, query, page string
		total             int // matches reached by paging (0: as many as one big page has)
	}{
		{"slots", "/Slot?service-type=" + url.QueryEscape(vaccination), "3", 0},
		{"$find", "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination), "2", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all := f.do(t, http.MethodGet, tc.query+"&_count=1000", client1, nil)
			require.Equal(t, http.StatusOK, all.status, string(all.raw))
			want := entries(t, all)
			if tc.total > 0 {
				require.Len(t, want, tc.total)
			}
			var got []map[string]any
			next, pages := tc.query+"&_count="+tc.page, 0
			for next != "" {
				r := f.do(t, http.MethodGet, next, client1, nil)
				require.Equal(t, http.StatusOK, r.status, string(r.raw))
				if pages > 0 {
					require.NotEmpty(t, link(t, r, "previous"))
				} else {
					require.Empty(t, link(t, r, "previous"))
				}
				got = append(got, entries(t, r)...)
				next, pages = link(t, r, "next"), pages+1
				require.Less(t, pages, 200, "paging does not end")
			}
			require.Greater(t, pages, 1)
			require.Len(t, got, len(want))
			for i := range want {
				if tc.name == "$find" {
					// Proposals are numbered across pages.
					require.Equal(t, want[i]["id"], got[i]["id"])
				}
				require.Equal(t, want[i]["start"], got[i]["start"])
			}
		})
	}
	for _, bad := range []string{"-1", "x", "100000"} {
		r := f.do(t, http.MethodGet, "/Slot?_offset="+bad+"&service-type="+url.QueryEscape(vaccination), client1, nil)
		require.Equal(t, http.StatusBadRequest, r.status, bad)
		_, expr := issue(t, r)
		require.Equal(t, []any{"_offset"}, expr)
	}
}
