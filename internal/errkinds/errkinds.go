package errkinds

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
)

// Package lists the errors one package exports.
type Package struct {
	// Sentinels are the exported package-level variables whose names begin
	// with Err, by name.
	Sentinels map[string]error
	// Types are the exported types with an Error() string method, by type
	// name, each with a representative value (a zero value unless the type
	// takes its kind from a wrapped error).
	Types map[string]error
}

// Declared are the names of the errors a package's non-test sources
// declare.
type Declared struct {
	Sentinels []string // exported package-level variables named Err*
	Types     []string // exported types with an Error() string method
}

// Empty reports whether the package declares no exported error.
func (d Declared) Empty() bool { return len(d.Sentinels) == 0 && len(d.Types) == 0 }

// Parse reads the non-test Go sources of directory dir and returns the
// exported errors they declare, sorted by name.
func Parse(dir string) (Declared, error) {
	var d Declared
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return d, err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return d, err
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.GenDecl:
				if decl.Tok != token.VAR {
					continue
				}
				for _, spec := range decl.Specs {
					for _, n := range spec.(*ast.ValueSpec).Names {
						if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
							d.Sentinels = append(d.Sentinels, n.Name)
						}
					}
				}
			case *ast.FuncDecl:
				if t := errorReceiver(decl); t != "" && ast.IsExported(t) {
					d.Types = append(d.Types, t)
				}
			}
		}
	}
	slices.Sort(d.Sentinels)
	slices.Sort(d.Types)
	d.Types = slices.Compact(d.Types)
	return d, nil
}

// errorReceiver returns the receiver type name of fn when fn is a method
// Error() string, and "" otherwise.
func errorReceiver(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) != 1 || fn.Name.Name != "Error" ||
		fn.Type.Params.NumFields() != 0 || fn.Type.Results.NumFields() != 1 {
		return ""
	}
	if res, ok := fn.Type.Results.List[0].Type.(*ast.Ident); !ok || res.Name != "string" {
		return ""
	}
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch t := t.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr: // a generic type
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	case *ast.IndexListExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

// Dirs returns the directories under root, as slash-separated paths
// relative to root ("." for root itself), that hold non-test Go sources,
// skipping testdata and hidden directories.
func Dirs(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if len(dirs) == 0 || dirs[len(dirs)-1] != rel {
				dirs = append(dirs, rel)
			}
		}
		return nil
	})
	slices.Sort(dirs)
	return slices.Compact(dirs), err
}

// ModuleRoot returns the directory of the go.mod that encloses the working
// directory of the test.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the working directory")
		dir = parent
	}
}

// Kinds returns the root kinds err matches, in carecontact.Kinds order.
func Kinds(err error) []error {
	var ks []error
	for _, k := range carecontact.Kinds() {
		if errors.Is(err, k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// Check requires, for every package of pkgs (keyed by its directory
// relative to root, slash-separated), that the explicit lists name exactly
// the exported sentinels and error types its non-test sources declare, and
// that each listed error matches exactly one root kind with errors.Is.
// Sentinels must also say which package they come from: their text starts
// with prefix[dir] (the package name and a colon when prefix has no entry).
func Check(t *testing.T, root string, pkgs map[string]Package, prefix map[string]string) {
	t.Helper()
	for _, dir := range slices.Sorted(maps.Keys(pkgs)) {
		p := pkgs[dir]
		t.Run(dir, func(t *testing.T) {
			d, err := Parse(filepath.Join(root, filepath.FromSlash(dir)))
			require.NoError(t, err)
			require.Equal(t, d.Sentinels, slices.Sorted(maps.Keys(p.Sentinels)),
				"the exported Err* variables of %s and the test's list of them", dir)
			require.Equal(t, d.Types, slices.Sorted(maps.Keys(p.Types)),
				"the exported error types of %s and the test's list of them", dir)
			want, ok := prefix[dir]
			if !ok {
				want = filepath.Base(dir) + ": "
			}
			for _, name := range d.Sentinels {
				err := p.Sentinels[name]
				require.Len(t, Kinds(err), 1, "%s.%s (%q) must match exactly one root kind", dir, name, err)
				require.True(t, strings.HasPrefix(err.Error(), want), "%s.%s: %q starts with %q", dir, name, err, want)
			}
			for _, name := range d.Types {
				require.Len(t, Kinds(p.Types[name]), 1, "%s.%s must match exactly one root kind", dir, name)
			}
		})
	}
}
