package carecontact_test

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// module is the import path of the repository's module.
const module = "github.com/carecontact/carecontact"

// domains are the domain packages. Each may import the root, civil, audit
// and channel, and its own subpackages, never another domain.
var domains = []string{"routing", "booking", "callback", "demand", "session", "guidance"}

// layer is where a package stands in the dependency rule of ARCHITECTURE.md.
type layer int

const (
	layerLeaf      layer = iota // internal/kind, the kinds' values: nothing of the project
	layerKernel                 // the root and civil: only the leaf
	layerInternal               // internal/...: helpers under the floor
	layerBase                   // audit and channel: only the root
	layerDomain                 // routing, booking, callback, demand, session, guidance
	layerFrontdoor              // the composition of the domains
	layerStorage                // storage adapters and their conformance suite
	layerExamples               // programs: import what they like
	layerUnknown                // a package the rule does not place yet
)

// place returns the layer of the project package rel (the import path
// relative to the module, "" for the root) and, for a domain, its name.
func place(rel string) (layer, string) {
	top, _, _ := strings.Cut(rel, "/")
	switch {
	case rel == leaf:
		return layerLeaf, top
	case rel == "" || top == "civil":
		return layerKernel, top
	case top == "internal":
		return layerInternal, top
	case top == "audit" || top == "channel":
		return layerBase, top
	case slices.Contains(domains, top):
		return layerDomain, top
	case top == "frontdoor":
		return layerFrontdoor, top
	case top == "storage":
		return layerStorage, top
	case top == "examples":
		return layerExamples, top
	}
	return layerUnknown, top
}

// leaf is the one package under the root and civil: the values of the root
// error kinds, which civil's errors wrap and the root re-exports.
const leaf = "internal/kind"

// name is how a failure names a package: relative to the module.
func name(rel string) string {
	if rel == "" {
		return "the root"
	}
	return rel
}

// checkImport returns why package from may not import package to (both
// relative to the module, "" for the root), or "" when it may.
func checkImport(from, to string) string {
	fl, ftop := place(from)
	tl, ttop := place(to)
	if tl == layerExamples && fl != layerExamples {
		return "nothing outside examples imports examples"
	}
	switch fl {
	case layerLeaf:
		return leaf + " imports nothing of the project"
	case layerKernel:
		if ftop == "civil" && ttop == "civil" {
			return "" // civil's own subpackages
		}
		if tl == layerLeaf {
			return ""
		}
		return "the root and civil import nothing of the project but " + leaf
	case layerInternal:
		if tl == layerLeaf || tl == layerKernel || tl == layerInternal {
			return ""
		}
		return "internal packages import only the root, civil and each other"
	case layerBase:
		if to == "" || ttop == ftop {
			return ""
		}
		return "audit and channel import only the root"
	case layerDomain:
		switch {
		case tl == layerLeaf || tl == layerKernel || tl == layerInternal || tl == layerBase:
			return ""
		case tl == layerDomain && ttop == ftop:
			return "" // the domain's own subpackages
		case tl == layerDomain:
			return "domain packages never import each other: compose them in frontdoor"
		}
		return "domain packages import only the root, civil, audit and channel"
	case layerFrontdoor:
		if tl == layerStorage {
			return "frontdoor takes its stores from the host, it does not import storage"
		}
		if tl == layerUnknown {
			return "frontdoor imports only placed packages"
		}
		return ""
	case layerStorage:
		switch {
		case tl == layerFrontdoor:
			return "storage adapters import domain packages, never frontdoor"
		case tl == layerStorage && !strings.HasPrefix(to, "storage/internal/") && !strings.HasPrefix(to, from+"/"):
			return "storage adapters do not import each other (shared code goes to storage/internal)"
		case tl == layerUnknown:
			return "storage imports only placed packages"
		}
		return ""
	case layerExamples:
		return ""
	}
	return "the package has no place in the dependency rule: add it to deps_test.go"
}

// goTool returns the go command. go test puts its own GOROOT/bin first on
// the PATH of the tests it runs.
func goTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	require.NoError(t, err, "the dependency rule needs the go command")
	return p
}

// TestDependencyRule lists every package of the module with go list and
// checks each import of the project against the rule in ARCHITECTURE.md.
// Only the packages' own imports count; tests, like examples, import what
// they like.
func TestDependencyRule(t *testing.T) {
	out, err := exec.Command(goTool(t), "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("go list: %v: %s", err, ee.Stderr)
	}
	require.NoError(t, err)
	var bad []string
	seen := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		from, ok := relative(fields[0])
		require.True(t, ok, "go list ./... lists %s outside the module", fields[0])
		seen[from] = true
		if l, top := place(from); l == layerUnknown {
			bad = append(bad, fmt.Sprintf("%s: package %s has no place in the dependency rule: add it to deps_test.go", name(from), top))
		}
		for _, imp := range fields[1:] {
			to, ok := relative(imp)
			if !ok {
				continue
			}
			if why := checkImport(from, to); why != "" {
				bad = append(bad, fmt.Sprintf("%s imports %s: %s", name(from), name(to), why))
			}
		}
	}
	require.Empty(t, bad, "imports that break the dependency rule")
	for _, p := range append([]string{"", "audit", "channel", "frontdoor"}, domains...) {
		require.True(t, seen[p], "go list did not list %s: is the test run from the module root?", name(p))
	}
}

// relative returns path relative to the module and whether it is in it.
func relative(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

// The rule itself: which imports it lets through and which it names.
func TestCheckImport(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"", "civil", false},
		{"civil", "", false},
		{"civil", "audit", false},
		{"", "internal/kind", true},
		{"civil", "internal/kind", true},
		{"", "internal/errkinds", false},
		{"civil", "internal/golden", false},
		{"internal/kind", "", false},
		{"internal/kind", "civil", false},
		{"internal/kind", "internal/errkinds", false},
		{"internal/errkinds", "internal/kind", true},
		{"audit", "", true},
		{"audit", "channel", false},
		{"channel", "", true},
		{"channel", "audit", false},
		{"channel/loopback", "channel", true},
		{"channel", "routing", false},
		{"internal/errkinds", "", true},
		{"internal/errkinds", "routing", false},
		{"routing", "", true},
		{"routing", "civil", true},
		{"routing", "audit", true},
		{"routing", "channel", true},
		{"routing", "internal/golden", true},
		{"routing", "booking", false},
		{"callback", "routing", false},
		{"session", "demand", false},
		{"booking/fhir", "booking", true},
		{"booking", "booking/fhir", true},
		{"booking/fhir", "routing", false},
		{"guidance", "frontdoor", false},
		{"demand", "storage/memory", false},
		{"frontdoor", "routing", true},
		{"frontdoor", "booking/fhir", true},
		{"frontdoor", "storage/memory", false},
		{"storage/memory", "routing", true},
		{"storage/memory", "frontdoor", false},
		{"storage/memory", "storage/postgres", false},
		{"storage/postgres", "storage/internal/storekit", true},
		{"storage/storagetest", "demand", true},
		{"examples/desk", "storage/memory", true},
		{"examples/desk", "examples/simulation/sim", true},
		{"routing", "examples/simulation/sim", false},
		{"storage/memory", "examples/quickstart", false},
		{"reporting", "", false},
	} {
		t.Run(name(tc.from)+" imports "+name(tc.to), func(t *testing.T) {
			why := checkImport(tc.from, tc.to)
			if tc.ok {
				require.Empty(t, why)
			} else {
				require.NotEmpty(t, why)
			}
		})
	}
}
