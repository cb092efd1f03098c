package wire

import (
	"bytes"
	"errors"
	"testing"
)

func TestFieldsRoundTrip(t *testing.T) {
	b := AppendString(nil, "case")
	b = AppendUvarint(b, 300)
	b = AppendBytes(b, []byte{1, 2, 3})
	b = append(b, 7)
	r := NewReader(b)
	if s, v, f, c := r.String(), r.Uvarint(), r.Field(), r.Byte(); s != "case" || v != 300 || !bytes.Equal(f, []byte{1, 2, 3}) || c != 7 {
		t.Fatalf("read %q, %d, %v, %d", s, v, f, c)
	}
	if r.Err() != nil || r.Len() != 0 {
		t.Fatalf("err %v, %d bytes left", r.Err(), r.Len())
	}
}

// Distinct field lists never encode to the same bytes: "ab"+"c" and
// "a"+"bc" differ.
func TestFieldBoundariesAreEncoded(t *testing.T) {
	one := AppendString(AppendString(nil, "ab"), "c")
	two := AppendString(AppendString(nil, "a"), "bc")
	if bytes.Equal(one, two) {
		t.Fatal("two field lists encode to the same bytes")
	}
}

// Every truncation of a record is an error, never a short read that looks
// whole, and the error sticks.
func TestTruncationSticks(t *testing.T) {
	full := AppendBytes(AppendString(AppendUvarint(nil, 1<<40), "section"), bytes.Repeat([]byte{9}, 32))
	for cut := range len(full) {
		r := NewReader(full[:cut])
		r.Uvarint()
		_ = r.String()
		f := r.Field()
		if !errors.Is(r.Err(), ErrTruncated) || f != nil {
			t.Fatalf("cut at %d: err %v, field %v", cut, r.Err(), f)
		}
		if r.Byte() != 0 || r.Uvarint() != 0 || r.Take(0) != nil {
			t.Fatalf("cut at %d: reads after an overrun return values", cut)
		}
	}
}

func TestTakeCannotGrowIntoTheInput(t *testing.T) {
	in := []byte{1, 2, 3, 4}
	r := NewReader(in)
	v := r.Take(2)
	_ = append(v, 0xff)
	if in[2] != 3 {
		t.Fatal("appending to a read field overwrote the input")
	}
}
