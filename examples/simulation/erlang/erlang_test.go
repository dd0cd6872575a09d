package erlang_test

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/examples/simulation/erlang"
	"github.com/stretchr/testify/require"
)

func loadReference(t *testing.T) []erlang.Reference {
	t.Helper()
	f, err := os.Open("testdata/erlang.tsv")
	require.NoError(t, err)
	defer f.Close()
	refs, err := erlang.ReadReference(f)
	require.NoError(t, err)
	require.Len(t, refs, 4)
	return refs
}

// close5 checks agreement to 5 significant digits.
func close5(t *testing.T, name string, want, got float64) {
	t.Helper()
	if want == 0 {
		require.InDelta(t, 0, got, 1e-12, name)
		return
	}
	require.InDelta(t, 0, (got-want)/want, 5e-6, "%s: want %.8g got %.8g", name, want, got)
}

func TestSolveAgainstReference(t *testing.T) {
	for _, ref := range loadReference(t) {
		t.Run(ref.ID, func(t *testing.T) {
			got, err := erlang.Solve(ref.Model)
			require.NoError(t, err)
			require.Equal(t, ref.Want.Model, got.Model)
			close5(t, "P_wait", ref.Want.PWait, got.PWait)
			close5(t, "mean_wait_all", ref.Want.MeanWaitAll, got.MeanWaitAll)
			close5(t, "ASA_served", ref.Want.ASA, got.ASA)
			close5(t, "SL", ref.Want.ServiceLevel, got.ServiceLevel)
			close5(t, "P_W_le_t_all", ref.Want.LeftQueueWithinTarget, got.LeftQueueWithinTarget)
			close5(t, "P_abandon", ref.Want.PAbandon, got.PAbandon)
		})
	}
}

func TestErlangAApproachesErlangC(t *testing.T) {
	m := erlang.Model{ArrivalsPerHour: 270, Handling: 4 * time.Minute, Agents: 20, Target: 20 * time.Second}
	c, err := erlang.C(m)
	require.NoError(t, err)
	m.Patience = 1000 * 24 * time.Hour
	a, err := erlang.A(m)
	require.NoError(t, err)
	require.InDelta(t, c.PWait, a.PWait, 1e-3)
	require.InDelta(t, c.ServiceLevel, a.ServiceLevel, 1e-3)
	require.InDelta(t, c.ASA, a.ASA, 0.1)
	require.Less(t, a.PAbandon, 1e-3)
}

func TestErlangAOverloaded(t *testing.T) {
	// Erlang A stays stable above 100 % load: abandonment absorbs the excess.
	m := erlang.Model{ArrivalsPerHour: 600, Handling: 4 * time.Minute, Agents: 20, Patience: 2 * time.Minute, Target: 20 * time.Second}
	r, err := erlang.A(m)
	require.NoError(t, err)
	require.Greater(t, r.PAbandon, 0.5-0.1) // at least the excess load 1 - 20/40 must leave
	require.InDelta(t, r.Occupancy, (1-r.PAbandon)*40/20, 1e-12)
	require.LessOrEqual(t, r.Occupancy, 1.0)
	require.Less(t, r.ServiceLevel, r.LeftQueueWithinTarget)
}

func TestBadModels(t *testing.T) {
	base := erlang.Model{ArrivalsPerHour: 100, Handling: time.Minute, Agents: 2, Target: time.Second}
	for name, tc := range map[string]struct {
		mod  func(*erlang.Model)
		want error
		text string
	}{
		"arrivals": {func(m *erlang.Model) { m.ArrivalsPerHour = 0 }, erlang.ErrBadModel, "ArrivalsPerHour"},
		"nan":      {func(m *erlang.Model) { m.ArrivalsPerHour = math.NaN() }, erlang.ErrBadModel, "ArrivalsPerHour"},
		"handling": {func(m *erlang.Model) { m.Handling = 0 }, erlang.ErrBadModel, "Handling"},
		"agents":   {func(m *erlang.Model) { m.Agents = 0 }, erlang.ErrBadModel, "Agents"},
		"patience": {func(m *erlang.Model) { m.Patience = -1 }, erlang.ErrBadModel, "Patience"},
		"target":   {func(m *erlang.Model) { m.Target = -1 }, erlang.ErrBadModel, "Target"},
		"unstable": {func(m *erlang.Model) { m.ArrivalsPerHour = 120 }, erlang.ErrUnstable, "load"},
	} {
		t.Run(name, func(t *testing.T) {
			m := base
			tc.mod(&m)
			_, err := erlang.Solve(m)
			require.ErrorIs(t, err, tc.want)
			require.Contains(t, err.Error(), tc.text)
		})
	}
	_, err := erlang.A(base)
	require.ErrorIs(t, err, erlang.ErrBadModel)
	base.Patience = time.Minute
	_, err = erlang.C(base)
	require.ErrorIs(t, err, erlang.ErrBadModel)
}

func TestReadReferenceErrors(t *testing.T) {
	hdr := "id\tmodel\tlambda_per_h\taht_min\tpatience_min\tc\tt_s\tP_wait\tmean_wait_all_s\tASA_served_s\tSL_answered_le_t\tP_W_le_t_all\tP_abandon\n"
	for name, tc := range map[string]struct{ in, text string }{
		"empty":    {"", "no header"},
		"column":   {"id\tmodel\n", "lacks column"},
		"short":    {hdr + "X\tErlangC\t1\n", "fields"},
		"number":   {hdr + "X\tErlangC\tx\t4\tinf\t20\t20\t0\t0\t0\t0\t0\t0\n", "lambda_per_h"},
		"model":    {hdr + "X\tErlangB\t1\t4\tinf\t20\t20\t0\t0\t0\t0\t0\t0\n", "model"},
		"agents":   {hdr + "X\tErlangC\t1\t4\tinf\t2.5\t20\t0\t0\t0\t0\t0\t0\n", "column c"},
		"negative": {hdr + "X\tErlangC\t1\t-4\tinf\t2\t20\t0\t0\t0\t0\t0\t0\n", "aht_min"},
		// A repeated or blank header name made the row check count columns
		// wrongly and index past the row: a panic.
		"duplicate":      {"id\t" + hdr + "X\tErlangC\t1\t4\tinf\t20\t20\t0\t0\t0\t0\t0\t0\n", `line 1 column 2: header name "id" repeats column 1`},
		"blank":          {"\t" + hdr + "X\tErlangC\t1\t4\tinf\t20\t20\t0\t0\t0\t0\t0\t0\n", "line 1 column 1: header name is blank"},
		"blank inside":   {strings.Replace(hdr, "\tc\t", "\tc\t \t", 1) + "X\n", "column 7: header name is blank"},
		"duplicate tail": {strings.TrimSuffix(hdr, "\n") + "\tP_abandon\n" + "X\tErlangC\t1\t4\tinf\t20\t20\t0\t0\t0\t0\t0\t0\n", "repeats column 13"},
		"long line":      {hdr + strings.Repeat("x", 1<<17) + "\n", "line 2: is longer"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := erlang.ReadReference(strings.NewReader(tc.in))
			require.ErrorIs(t, err, erlang.ErrBadReference)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			require.Contains(t, err.Error(), tc.text)
		})
	}
}

func FuzzReadReference(f *testing.F) {
	// Small seeds, so the fuzzer fuzzes instead of minimising.
	hdr := "id\tmodel\tlambda_per_h\taht_min\tpatience_min\tc\tt_s\tP_wait\tmean_wait_all_s\tASA_served_s\tSL_answered_le_t\tP_W_le_t_all\tP_abandon\n"
	row := "C4\tErlangC\t200\t5\tinf\t20\t20\t0.34\t30\t30\t0.73\t0.73\t0\n"
	f.Add(hdr + row)
	f.Add("id\t" + hdr + row)
	f.Add("\t" + hdr)
	f.Add("# c\n\nid\tmodel\n")
	f.Fuzz(func(t *testing.T, in string) {
		refs, err := erlang.ReadReference(strings.NewReader(in))
		if err != nil {
			require.Nil(t, refs)
			require.ErrorIs(t, err, erlang.ErrBadReference, "every error of a table is typed")
			return
		}
		for _, r := range refs {
			// Whatever parses must either solve or fail with a model error.
			if r.Model.ArrivalsPerHour > 1e6 || r.Model.Agents > 2000 {
				continue
			}
			if _, err := erlang.Solve(r.Model); err != nil {
				require.Error(t, err)
			}
		}
	})
}
