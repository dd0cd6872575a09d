package civil

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The zone is the real Europe/Helsinki, with both offsets, never a fixed
// stand-in.
func TestHelsinkiIsTheIANAZone(t *testing.T) {
	hki := Helsinki()
	require.Equal(t, Zone, hki.String())
	for _, tc := range []struct {
		at     time.Time
		name   string
		offset int
	}{
		{time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC), "EET", 2 * 60 * 60},
		{time.Date(2026, time.July, 15, 12, 0, 0, 0, time.UTC), "EEST", 3 * 60 * 60},
	} {
		name, offset := tc.at.In(hki).Zone()
		require.Equal(t, tc.name, name, tc.at)
		require.Equal(t, tc.offset, offset, tc.at)
	}
}

// civil embeds the zone database, so loading the zone does not depend on
// the machine's zoneinfo files.
func TestZoneDatabaseIsEmbedded(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "zone.go", nil, parser.ImportsOnly)
	require.NoError(t, err)
	var paths []string
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		require.NoError(t, err)
		paths = append(paths, p)
	}
	require.Contains(t, paths, "time/tzdata")
}

// With ZONEINFO naming a directory without the zone, the package still
// initialises with the real zone. The check runs in a child process because
// the time package reads ZONEINFO once.
func TestHelsinkiLoadsWithoutZoneinfo(t *testing.T) {
	if os.Getenv("CIVIL_ZONE_CHILD") == "1" {
		require.Equal(t, Zone, Helsinki().String())
		_, offset := time.Date(2026, time.July, 1, 0, 0, 0, 0, time.UTC).In(Helsinki()).Zone()
		require.Equal(t, 3*60*60, offset)
		return
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestHelsinkiLoadsWithoutZoneinfo$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CIVIL_ZONE_CHILD=1", "ZONEINFO="+filepath.Join(t.TempDir(), "none"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}
