package wire

import (
	"encoding/binary"
	"errors"
)

// ErrTruncated reports a read past the end of the input or a malformed
// length.
var ErrTruncated = errors.New("wire: truncated or malformed encoding")

// AppendUvarint appends v as a uvarint.
func AppendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// AppendBytes appends v as a field: its length, then its bytes.
func AppendBytes(b, v []byte) []byte { return append(binary.AppendUvarint(b, uint64(len(v))), v...) }

// AppendString appends s as a field.
func AppendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// Reader reads fields in order. The first overrun sticks: every later read
// returns a zero value, and Err reports it, so a decoder checks once after
// reading a record.
type Reader struct {
	b   []byte
	err error
}

// NewReader reads b. The slices it returns share b's memory.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Uvarint reads a uvarint.
func (r *Reader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = ErrTruncated
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Take reads the next n bytes; nil after an overrun. The result's
// capacity ends with it, so appending to it never writes over the input.
func (r *Reader) Take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = ErrTruncated
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// Field reads a length-prefixed field.
func (r *Reader) Field() []byte { return r.Take(r.Uvarint()) }

// String reads a length-prefixed field as a string.
func (r *Reader) String() string { return string(r.Field()) }

// Byte reads one byte; 0 after an overrun.
func (r *Reader) Byte() byte {
	v := r.Take(1)
	if v == nil {
		return 0
	}
	return v[0]
}

// Len returns how many bytes are left: a record that parsed is whole only
// when none are.
func (r *Reader) Len() int { return len(r.b) }

// Err returns ErrTruncated after an overrun, or nil.
func (r *Reader) Err() error { return r.err }
