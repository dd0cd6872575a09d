package guidance

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sourceFormats returns the format of every fieldErr call in the
// package's source, with the sentinel it wraps.
func sourceFormats(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 3 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "fieldErr" {
				return true
			}
			lit, ok := call.Args[2].(*ast.BasicLit)
			if !ok {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			out[s] = types(call.Args[1])
			return true
		})
	}
	return out
}

func types(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return "?"
}

var verbRE = regexp.MustCompile(`%[a-z]`)

// sampleArg is a value of the kind verb formats.
func sampleArg(verb string) any {
	switch verb {
	case "%d":
		return 7
	case "%v":
		return []string{"fi", "sv"}
	}
	return "x"
}

// TestEveryProblemHasThreeLanguages holds every kind of content problem
// the package reports to a sentence in Finnish, Swedish and English that
// takes the same arguments as the English reason.
func TestEveryProblemHasThreeLanguages(t *testing.T) {
	src := sourceFormats(t)
	require.NotEmpty(t, src)
	for format := range src {
		require.Contains(t, phrases, format, "no translation of the problem %q", format)
	}
	for format, p := range phrases {
		t.Run(format, func(t *testing.T) {
			require.Contains(t, src, format, "a translation of a problem no code reports")
			verbs := verbRE.FindAllString(format, -1)
			var args []any
			for _, v := range verbs {
				args = append(args, sampleArg(v))
			}
			seen := map[string]bool{}
			for _, lang := range []string{"fi", "sv", "en"} {
				tr := p.in(lang)
				require.NotEmpty(t, tr, lang)
				require.Equal(t, verbs, verbRE.FindAllString(tr, -1), "%s takes the reason's arguments in order", lang)
				out := (&fieldError{format: format, args: args}).message(lang)
				require.NotContains(t, out, "%!", lang)
				require.True(t, strings.HasSuffix(out, "."), lang)
				require.False(t, seen[out], "%s is worded as another language", lang)
				seen[out] = true
			}
		})
	}
	for _, s := range sentinels {
		seen := map[string]bool{}
		for _, lang := range []string{"fi", "sv", "en"} {
			out := kindSentence(s.err, lang)
			require.NotEmpty(t, s.in(lang), "%v in %s", s.err, lang)
			require.False(t, seen[out], "%v in %s", s.err, lang)
			seen[out] = true
		}
	}
}
