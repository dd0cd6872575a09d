package carecontact_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/errkinds"
)

// notOptions are the structs named *Config that are data, not the options
// of a constructor, so the rule below does not apply to them.
var notOptions = map[string]string{
	"guidance.ChannelConfig": "an area's channel offers, read from content files",
	"guidance.BookingConfig": "an area's bookable services, read from content files",
}

// TestConfigFieldsNameTheirDefault: the comment of every field of every
// constructor Config of the library ends with the field's default in one
// sentence ("Defaults to DefaultHoldTTL (15 minutes).") or says
// "Required.", so a reader never has to look the default up in the code.
func TestConfigFieldsNameTheirDefault(t *testing.T) {
	root := errkinds.ModuleRoot(t)
	dirs, err := errkinds.Dirs(root)
	require.NoError(t, err)
	var bad []string
	checked := 0
	for _, dir := range dirs {
		if strings.HasPrefix(dir, "examples/") {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(root, dir))
		require.NoError(t, err)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			path := filepath.Join(root, dir, e.Name())
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.SkipObjectResolution)
			require.NoError(t, err)
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					st, ok := ts.Type.(*ast.StructType)
					if !ok || !ts.Name.IsExported() || !strings.HasSuffix(ts.Name.Name, "Config") {
						continue
					}
					typ := f.Name.Name + "." + ts.Name.Name
					if _, ok := notOptions[typ]; ok {
						continue
					}
					checked++
					for _, field := range st.Fields.List {
						for _, n := range field.Names {
							if !n.IsExported() {
								continue
							}
							if why := defaultDoc(field.Doc.Text()); why != "" {
								bad = append(bad, typ+"."+n.Name+": "+why)
							}
						}
					}
				}
			}
		}
	}
	require.Empty(t, bad, "Config fields whose comment does not end with their default")
	require.GreaterOrEqual(t, checked, 9, "the test found the library's Config structs")
}

// defaultDoc returns what is wrong with the comment of a Config field, or
// "" when it ends with "Required." or a last sentence "Defaults to ...".
func defaultDoc(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	switch {
	case doc == "":
		return "no comment"
	case strings.HasSuffix(doc, " Required.") || doc == "Required.":
		return ""
	}
	i := strings.LastIndex(doc, "Defaults to ")
	if i < 0 {
		return "the comment names no default and does not say Required."
	}
	last := doc[i:]
	if !strings.HasSuffix(last, ".") || strings.Contains(last, ". ") || strings.Contains(last, "; ") {
		return "the comment goes on after its default: " + last
	}
	return ""
}
