package web_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// openapiPath is the OpenAPI path of a ServeMux pattern's path.
func openapiPath(p string) string {
	switch p {
	case "/{$}":
		return "/"
	case "/static/":
		return "/static/{file}"
	}
	return p
}

func TestEveryRouteDocumented(t *testing.T) {
	doc, _ := loadSpec(t)
	x := newHost(t, nil)
	var served []string
	for _, r := range x.h.Routes() {
		method, path, ok := strings.Cut(r, " ")
		require.True(t, ok, r)
		path = openapiPath(path)
		served = append(served, method+" "+path)
		item := doc.Paths.Find(path)
		require.NotNil(t, item, "%s is not documented", r)
		require.NotNil(t, item.GetOperation(method), "%s is not documented", r)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			require.Contains(t, served, method+" "+path, "documented but not served")
		}
	}
	served2 := x.user().do("GET", "/openapi.json", nil, nil)
	b, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	require.Equal(t, string(b), string(served2.body))
	require.Equal(t, "3.1.0", doc.OpenAPI)
}

// TestMain checks, after the tests, that they called every documented
// operation (each call's response was validated against its schema).
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && spec.doc != nil && !testing.Short() && runAll() {
		var missing []string
		for path, item := range spec.doc.Paths.Map() {
			for method := range item.Operations() {
				if !spec.called[method+" "+path] {
					missing = append(missing, method+" "+path)
				}
			}
		}
		slices.Sort(missing)
		if len(missing) > 0 {
			println("operations no test called:", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// runAll reports whether the whole package's tests ran (no -run filter).
func runAll() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.run") {
			return false
		}
	}
	return true
}
