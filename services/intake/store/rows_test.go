package store

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"
)

// jsonRows scan what PostgreSQL's json_build_array renders of intake's
// column types, and refuse what does not fit without echoing it.
func TestJSONRows(t *testing.T) {
	t.Parallel()
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

// BenchmarkJSONRows decodes a case's sections as the PostgreSQL read
// returns them: four sealed sections.
func BenchmarkJSONRows(b *testing.B) {
	var agg bytes.Buffer
	agg.WriteString("[")
	for i, size := range []int{160 + 40, 420 + 40, 110 + 40, 100 + 40} {
		if i > 0 {
			agg.WriteString(", ")
		}
		fmt.Fprintf(&agg, `["%s", 1, "7f1c4e1a-2b7d-4c9e-9a51-0c3f5e2d8b11", "\\x%x"]`,
			[]string{"health", "identity", "legal", "narrative"}[i], bytes.Repeat([]byte{0xa5}, size))
	}
	agg.WriteString("]")
	raw := agg.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		secs, err := scanSections(newJSONRows(raw), "7f1c4e1a-2b7d-4c9e-9a51-0c3f5e2d8b12")
		if err != nil || len(secs) != 4 {
			b.Fatal(err)
		}
	}
}
