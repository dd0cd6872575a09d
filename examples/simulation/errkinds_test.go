package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/examples/server/web"
	"github.com/carecontact/carecontact/examples/simulation/erlang"
	"github.com/carecontact/carecontact/examples/simulation/plot"
	"github.com/carecontact/carecontact/examples/simulation/scenario"
	"github.com/carecontact/carecontact/examples/simulation/sim"
	"github.com/carecontact/carecontact/internal/errkinds"
)

// exampleErrors lists the exported errors of every package under
// examples/, which the library's own errkinds test leaves to this one
// because nothing may import examples.
var exampleErrors = map[string]errkinds.Package{
	"examples/simulation/erlang": {Sentinels: map[string]error{
		"ErrBadModel": erlang.ErrBadModel, "ErrUnstable": erlang.ErrUnstable, "ErrBadReference": erlang.ErrBadReference,
		"ErrCheckFailed": erlang.ErrCheckFailed,
	}},
	"examples/simulation/plot":     {Sentinels: map[string]error{"ErrEmpty": plot.ErrEmpty}},
	"examples/simulation/scenario": {Sentinels: map[string]error{"ErrInvalid": scenario.ErrInvalid}},
	"examples/simulation/sim":      {Sentinels: map[string]error{"ErrBadDist": sim.ErrBadDist}},
	"examples/server/web": {Sentinels: map[string]error{
		"ErrSignIn": web.ErrSignIn, "ErrConfig": web.ErrConfig, "ErrBadRequest": web.ErrBadRequest,
		"ErrChatFull": web.ErrChatFull, "ErrNoGuide": web.ErrNoGuide,
	}},
}

func TestExampleErrorsHaveOneKind(t *testing.T) {
	root := errkinds.ModuleRoot(t)
	errkinds.Check(t, root, exampleErrors, nil)
	dirs, err := errkinds.Dirs(root)
	require.NoError(t, err)
	for _, dir := range dirs {
		if !strings.HasPrefix(dir, "examples/") {
			continue
		}
		d, err := errkinds.Parse(filepath.Join(root, filepath.FromSlash(dir)))
		require.NoError(t, err)
		if _, ok := exampleErrors[dir]; !ok {
			require.True(t, d.Empty(), "package %s declares errors %v %v that exampleErrors does not list", dir, d.Sentinels, d.Types)
		}
	}
}
