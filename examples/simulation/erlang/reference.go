package erlang

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
)

// ErrBadReference reports a malformed reference table.
var ErrBadReference = carecontact.Sentinel(carecontact.ErrInvalid, "erlang: invalid reference table")

// Reference is one row of a reference table: a model and its expected
// figures, for checking this package and simulations against values
// computed elsewhere.
type Reference struct {
	ID    string
	Model Model
	Want  Result
}

var referenceColumns = []string{
	"id", "model", "lambda_per_h", "aht_min", "patience_min", "c", "t_s",
	"P_wait", "mean_wait_all_s", "ASA_served_s", "SL_answered_le_t", "P_W_le_t_all", "P_abandon",
}

// ReadReference parses a tab-separated reference table with a header row
// naming at least the columns id, model (ErlangC or ErlangA), lambda_per_h,
// aht_min, patience_min ("inf" for none), c, t_s, P_wait, mean_wait_all_s,
// ASA_served_s, SL_answered_le_t, P_W_le_t_all and P_abandon. Lines
// starting with '#' and blank lines are skipped. A blank or repeated
// header name, like any other malformed input, is an error matching
// ErrBadReference (a *carecontact.FieldError naming the line and column).
func ReadReference(r io.Reader) ([]Reference, error) {
	sc := bufio.NewScanner(r)
	var col map[string]int
	var out []Reference
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if col == nil {
			col = make(map[string]int, len(fields))
			for i, f := range fields {
				name := strings.TrimSpace(f)
				field := fmt.Sprintf("line %d column %d", line, i+1)
				if name == "" {
					return nil, carecontact.Invalid(ErrBadReference, field, "header name is blank")
				}
				if j, dup := col[name]; dup {
					return nil, carecontact.Invalid(ErrBadReference, field, fmt.Sprintf("header name %q repeats column %d", name, j+1))
				}
				col[name] = i
			}
			for _, name := range referenceColumns {
				if _, ok := col[name]; !ok {
					return nil, fmt.Errorf("%w: header lacks column %q", ErrBadReference, name)
				}
			}
			continue
		}
		if len(fields) < len(col) {
			return nil, fmt.Errorf("%w: line %d has %d fields, header has %d", ErrBadReference, line, len(fields), len(col))
		}
		get := func(name string) string { return strings.TrimSpace(fields[col[name]]) }
		num := func(name string) (float64, error) {
			v, err := strconv.ParseFloat(get(name), 64)
			if err != nil || math.IsNaN(v) {
				return 0, fmt.Errorf("%w: line %d column %s: %q is not a number", ErrBadReference, line, name, get(name))
			}
			return v, nil
		}
		vals := make([]float64, len(referenceColumns))
		for i, name := range referenceColumns[2:] {
			v, err := num(name)
			if err != nil {
				return nil, err
			}
			vals[i+2] = v
		}
		ref := Reference{ID: get("id")}
		ref.Want.Model = get("model")
		if ref.Want.Model != "ErlangC" && ref.Want.Model != "ErlangA" {
			return nil, fmt.Errorf("%w: line %d column model: %q (ErlangC or ErlangA)", ErrBadReference, line, ref.Want.Model)
		}
		c := vals[5]
		if c < 1 || c > 100000 || c != math.Trunc(c) {
			return nil, fmt.Errorf("%w: line %d column c: %v is not an agent count", ErrBadReference, line, c)
		}
		dur := func(v, unit float64, name string) (time.Duration, error) {
			if math.IsInf(v, 1) {
				return 0, nil
			}
			if v < 0 || v*unit > float64(100*365*24*time.Hour) {
				return 0, fmt.Errorf("%w: line %d column %s: %v out of range", ErrBadReference, line, name, v)
			}
			return time.Duration(math.Round(v * unit)), nil
		}
		var err error
		ref.Model.ArrivalsPerHour = vals[2]
		ref.Model.Agents = int(c)
		if ref.Model.Handling, err = dur(vals[3], float64(time.Minute), "aht_min"); err != nil {
			return nil, err
		}
		if ref.Model.Patience, err = dur(vals[4], float64(time.Minute), "patience_min"); err != nil {
			return nil, err
		}
		if ref.Model.Target, err = dur(vals[6], float64(time.Second), "t_s"); err != nil {
			return nil, err
		}
		ref.Want.PWait, ref.Want.MeanWaitAll, ref.Want.ASA = vals[7], vals[8], vals[9]
		ref.Want.ServiceLevel, ref.Want.LeftQueueWithinTarget, ref.Want.PAbandon = vals[10], vals[11], vals[12]
		out = append(out, ref)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, carecontact.Invalid(ErrBadReference, fmt.Sprintf("line %d", line+1), "is longer than the reader's 64 KiB")
	} else if err != nil {
		return nil, fmt.Errorf("erlang: reading reference table: %w", err)
	}
	if col == nil {
		return nil, fmt.Errorf("%w: no header", ErrBadReference)
	}
	return out, nil
}
