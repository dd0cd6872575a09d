package web

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWordDiff(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       []diffOpJSON
	}{
		{"equal", "Vi ringer dig.", "Vi ringer dig.", []diffOpJSON{{"=", "Vi ringer dig."}}},
		{"both empty", "", "", []diffOpJSON{}},
		{"nothing published", "", "Ny text.", []diffOpJSON{{"+", "Ny text."}}},
		{"removed", "Ta med resultaten av mätningarna.", "Ta med mätningarna.",
			[]diffOpJSON{{"=", "Ta med "}, {"-", "resultaten av "}, {"=", "mätningarna."}}},
		{"replaced last word", "Vi ringer dig {callback_window}.", "Vi ringer {callback_window}.",
			[]diffOpJSON{{"=", "Vi ringer "}, {"-", "dig "}, {"=", "{callback_window}."}}},
		{"line breaks", "Rivi yksi\nrivi kaksi", "Rivi yksi\nrivi kolme",
			[]diffOpJSON{{"=", "Rivi yksi\nrivi "}, {"-", "kaksi"}, {"+", "kolme"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wordDiff(tt.a, tt.b)
			require.Equal(t, tt.want, got)
			var a, b strings.Builder
			for _, op := range got {
				if op.Op != "+" {
					a.WriteString(op.Text)
				}
				if op.Op != "-" {
					b.WriteString(op.Text)
				}
			}
			require.Equal(t, tt.a, a.String(), "the kept and removed runs are the old text")
			require.Equal(t, tt.b, b.String(), "the kept and added runs are the new text")
		})
	}
}

// FuzzWordDiff: for any two texts, the kept and removed runs are the old
// text and the kept and added runs the new one.
func FuzzWordDiff(f *testing.F) {
	f.Add("Vi ringer dig {callback_window}.", "Vi ringer {callback_window}.")
	f.Add("", "x")
	f.Add("a\n\nb  c", "a b\tc")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 2000 || len(b) > 2000 {
			return
		}
		var x, y strings.Builder
		for _, op := range wordDiff(a, b) {
			switch op.Op {
			case "=":
				x.WriteString(op.Text)
				y.WriteString(op.Text)
			case "-":
				x.WriteString(op.Text)
			case "+":
				y.WriteString(op.Text)
			default:
				t.Fatalf("op %q", op.Op)
			}
		}
		if x.String() != a || y.String() != b {
			t.Fatalf("diff of %q and %q rebuilds %q and %q", a, b, x.String(), y.String())
		}
	})
}
