package intake

import (
	"bytes"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/seal"
)

// rowIter is a result being read: *sql.Rows, or rows PostgreSQL
// aggregated into one column (jsonRows).
type rowIter interface {
	scanner
	Next() bool
	Err() error
}

// scanAll reads every row of rs with scan.
func scanAll[T any](rs rowIter, scan func(scanner) (T, error)) ([]T, error) {
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rs.Err()
}

// jsonRows are rows aggregated by json_agg(json_build_array(columns...)),
// scanned by the columns' usual scanner so each mapping is written once.
type jsonRows struct {
	rows [][]any
	cur  []any
	err  error
}

// newJSONRows decodes an aggregate; NULL (json_agg of no rows) is none.
func newJSONRows(b []byte) *jsonRows {
	r := &jsonRows{}
	if b == nil {
		return r
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&r.rows); err != nil {
		r.err = fmt.Errorf("intake: aggregated rows: %w", err)
	}
	return r
}

func (r *jsonRows) Next() bool {
	if r.err != nil || len(r.rows) == 0 {
		return false
	}
	r.cur, r.rows = r.rows[0], r.rows[1:]
	return true
}

func (r *jsonRows) Err() error { return r.err }

// Scan converts the current row's values as database/sql would for the
// destination types intake scans. Errors name types, never values.
func (r *jsonRows) Scan(dest ...any) error {
	if len(dest) != len(r.cur) {
		return fmt.Errorf("intake: %d values for %d destinations", len(r.cur), len(dest))
	}
	for i, d := range dest {
		if err := assignJSON(d, r.cur[i]); err != nil {
			return fmt.Errorf("intake: column %d into %T: %w", i, d, err)
		}
	}
	return nil
}

// errJSONType says a value did not fit its destination, without the value.
var errJSONType = errors.New("unexpected JSON value")

func assignJSON(dest, v any) error {
	ok := true
	switch d := dest.(type) {
	case *string:
		*d, ok = v.(string)
	case *bool:
		*d, ok = v.(bool)
	case *int:
		n, isNumber := v.(json.Number)
		i, err := strconv.Atoi(string(n))
		*d, ok = i, isNumber && err == nil
	case *time.Time:
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		*d, ok = t, err == nil
	case *sql.NullTime:
		*d = sql.NullTime{Valid: v != nil}
		if v != nil {
			return assignJSON(&d.Time, v)
		}
	case *[]byte:
		*d, ok = jsonBytea(v)
	case *seal.Sealed:
		*d, ok = jsonBytea(v)
	default:
		return errors.New("unsupported destination")
	}
	if !ok {
		return errJSONType
	}
	return nil
}

// jsonBytea decodes bytea as JSON renders it: null, or a string in
// PostgreSQL's hex output format (bytea_output = hex, the default).
func jsonBytea(v any) ([]byte, bool) {
	if v == nil {
		return nil, true
	}
	s, _ := v.(string)
	h, ok := strings.CutPrefix(s, `\x`)
	if !ok {
		return nil, false
	}
	b, err := hex.DecodeString(h)
	return b, err == nil
}
