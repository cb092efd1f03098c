package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/event"
)

const leafMagic = "nrm-audit-v1\n"

// leafFieldCount is the number of length-prefixed fields of a leaf.
const leafFieldCount = 11

// LeafData returns the canonical encoding of e that the log hashes (see the
// package documentation). Anyone holding an event can recompute it.
func LeafData(e event.Audit) []byte {
	f := [leafFieldCount][]byte{
		[]byte(e.ID), []byte(e.Source), []byte(e.ActorUser), []byte(e.ActorOrg),
		[]byte(e.ActorRole), []byte(e.Action), []byte(e.ObjectType), []byte(e.ObjectID),
		[]byte(e.Outcome), []byte(e.RequestID), []byte(e.ClientHash),
	}
	return appendLeaf(nil, e.Time, e.Seq, &f)
}

// LeafHash returns the Merkle leaf hash of e.
func LeafHash(e event.Audit) tlog.Hash { return tlog.RecordHash(LeafData(e)) }

func appendLeaf(dst []byte, t time.Time, seq int64, f *[leafFieldCount][]byte) []byte {
	dst = append(dst, leafMagic...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(t.UTC().Truncate(time.Microsecond).UnixMicro()))
	dst = binary.BigEndian.AppendUint64(dst, uint64(seq))
	for _, b := range f {
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(b)))
		dst = append(dst, b...)
	}
	return dst
}

// leafHasher computes leaf hashes reusing one buffer: the RFC 6962 leaf
// prefix 0x00 followed by the leaf data.
type leafHasher struct{ buf []byte }

func (h *leafHasher) hash(t time.Time, seq int64, f *[leafFieldCount][]byte) tlog.Hash {
	h.buf = append(h.buf[:0], 0)
	h.buf = appendLeaf(h.buf, t, seq, f)
	return sha256.Sum256(h.buf)
}
