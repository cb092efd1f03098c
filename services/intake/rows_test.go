package intake

import (
	"bytes"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// jsonRows scan what PostgreSQL's json_build_array renders of intake's
// column types, and refuse what does not fit without echoing it.
func TestJSONRows(t *testing.T) {
	rs := newJSONRows([]byte(`[["\\x01ff", null, "2026-11-27T11:42:03.557326+01:00", 3, true, "a\"b", null, "2027-01-02T00:00:00+00:00"]]`))
	var (
		b, mac   []byte
		at       time.Time
		n        int
		ok       bool
		s        string
		none, by sql.NullTime
	)
	if !rs.Next() {
		t.Fatal("no row")
	}
	if err := rs.Scan(&b, &mac, &at, &n, &ok, &s, &none, &by); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 27, 10, 42, 3, 557326000, time.UTC)
	if !bytes.Equal(b, []byte{1, 0xff}) || mac != nil || !at.Equal(want) || n != 3 || !ok || s != `a"b` ||
		none.Valid || !by.Valid || !by.Time.Equal(time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("scanned %v %v %v %d %v %q %+v %+v", b, mac, at, n, ok, s, none, by)
	}
	if rs.Next() || rs.Err() != nil {
		t.Fatalf("second row or error: %v", rs.Err())
	}
	if rs := newJSONRows(nil); rs.Next() || rs.Err() != nil {
		t.Fatal("NULL aggregate is not an empty result")
	}
	if rs := newJSONRows([]byte(`[["x"`)); rs.Next() || rs.Err() == nil {
		t.Fatal("truncated JSON accepted")
	}

	for name, tc := range map[string]struct {
		row  string
		dest any
	}{
		"escape bytea":  {`[["\\001secret"]]`, new([]byte)},
		"null string":   {`[[null]]`, new(string)},
		"text as time":  {`[["secret"]]`, new(time.Time)},
		"float as int":  {`[[1.5]]`, new(int)},
		"unknown dest":  {`[[1]]`, new(float64)},
		"missing value": {`[[]]`, new(string)},
	} {
		rs := newJSONRows([]byte(tc.row))
		if !rs.Next() {
			t.Fatalf("%s: no row", name)
		}
		err := rs.Scan(tc.dest)
		if err == nil || bytes.Contains([]byte(err.Error()), []byte("secret")) {
			t.Errorf("%s: error %v", name, err)
		}
		if name == "escape bytea" && !errors.Is(err, errJSONType) {
			t.Errorf("%s: error %v, want errJSONType", name, err)
		}
	}
}
