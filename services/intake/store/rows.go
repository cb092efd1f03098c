package store

import (
	"bytes"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/nrm-project/nrm/pkg/seal"
)

// rowIter is a result being read: *sql.Rows, or rows PostgreSQL
// aggregated into one column (jsonRows).
type rowIter interface {
	Scanner
	Next() bool
	Err() error
}

// scanAll reads every row of rs with scan.
func scanAll[T any](rs rowIter, scan func(Scanner) (T, error)) ([]T, error) {
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
// Values stay raw until scanned: the common ones (bytea in hex, plain
// strings, integers, booleans) are converted straight from their JSON text,
// the rest through a generic decode.
type jsonRows struct {
	rows [][]json.RawMessage
	cur  []json.RawMessage
	err  error
}

// newJSONRows decodes an aggregate; NULL (json_agg of no rows) is none.
func newJSONRows(b []byte) *jsonRows {
	r := &jsonRows{}
	if b == nil {
		return r
	}
	if err := json.Unmarshal(b, &r.rows); err != nil {
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
		if err := assignRawJSON(d, r.cur[i]); err != nil {
			return fmt.Errorf("intake: column %d into %T: %w", i, d, err)
		}
	}
	return nil
}

// assignRawJSON converts one raw value, straight from its text where the
// text is simple, otherwise as assignJSON does.
func assignRawJSON(dest any, raw json.RawMessage) error {
	ok := true
	switch d := dest.(type) {
	case *[]byte:
		*d, ok = rawBytea(raw)
	case *seal.Sealed:
		*d, ok = rawBytea(raw)
	case *int:
		n, err := strconv.Atoi(string(raw))
		*d, ok = n, err == nil
	case *bool:
		*d, ok = string(raw) == "true", string(raw) == "true" || string(raw) == "false"
	case *string:
		if plainJSONString(raw) {
			*d = string(raw[1 : len(raw)-1])
			return nil
		}
		return assignDecoded(d, raw)
	default:
		return assignDecoded(d, raw)
	}
	if !ok {
		return errJSONType
	}
	return nil
}

// plainJSONString reports a JSON string with nothing to unescape.
func plainJSONString(raw []byte) bool {
	return len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' &&
		bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && utf8.Valid(raw)
}

func assignDecoded(dest any, raw json.RawMessage) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return errJSONType
	}
	return assignJSON(dest, v)
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
	default:
		return errors.New("unsupported destination")
	}
	if !ok {
		return errJSONType
	}
	return nil
}

// rawBytea decodes bytea as JSON renders it: null, or a string in
// PostgreSQL's hex output format (bytea_output = hex, the default), whose
// backslash JSON escapes.
func rawBytea(raw []byte) ([]byte, bool) {
	if string(raw) == "null" {
		return nil, true
	}
	h, ok := bytes.CutPrefix(raw, []byte(`"\\x`))
	if !ok || len(h) == 0 || h[len(h)-1] != '"' {
		return nil, false
	}
	h = h[:len(h)-1]
	b := make([]byte, hex.DecodedLen(len(h)))
	_, err := hex.Decode(b, h)
	return b, err == nil
}
