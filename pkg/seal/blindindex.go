package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/nrm-project/nrm/pkg/internal/wire"
)

// DefaultIndexBits is the truncation of a blind index: the whole row's
// budget, since a case stores one index per name variant under one scheme.
//
// With b bits and N stored cases holding one value each, a lookup with one
// value meets N/2^b unrelated cases on average. For N = 10,000 and b = 16
// that is 0.15 false candidates per lookup, a 14% chance of at least one
// (1 - e^(-N/2^b)); with three variants on each side, nine pairs, about 1.4
// false candidates per lookup. Every candidate goes to a person, not to an
// automatic merge, so this is cheap. The flip side: at N = 10,000 a 16-bit
// value is shared by 0.15 cases on average, so it rarely hides a case among
// others; a value shared by at least two cases needs b <= log2(N/2), that is
// 12 bits at 10,000 cases (2.4 false candidates per lookup).
const DefaultIndexBits = 16

const blindIndexLabel = "nrm/seal/blind-index/v1"

// ErrIndexBits means the truncation is outside 1..32 bits.
var ErrIndexBits = errors.New("seal: blind index bits must be between 1 and 32")

// Indexer computes blind indexes under one key and truncation.
type Indexer struct {
	key  []byte
	bits int
}

// NewIndexer returns an Indexer over key (keys.PurposeBlindIndex) keeping
// bits bits of each HMAC.
func NewIndexer(key []byte, bits int) (*Indexer, error) {
	if bits < 1 || bits > 32 {
		return nil, fmt.Errorf("seal: new indexer: %w", ErrIndexBits)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("seal: new indexer: %w", ErrBadKeyLength)
	}
	return &Indexer{key: slices.Clone(key), bits: bits}, nil
}

// Index is HMAC-SHA256(key, simplified name | birth year) truncated to the
// indexer's bits. A birth year of 0 (unknown, or outside 1..9999) indexes
// the name alone. The name is passed through Simplify, which is idempotent.
func (ix *Indexer) Index(name string, birthYear int) uint32 {
	return blindIndex(ix.key, ix.bits, Simplify(name), birthYear)
}

// Indexes returns the distinct indexes of a person's name variants, sorted;
// variants with no consonant skeleton are skipped.
func (ix *Indexer) Indexes(variants []string, birthYear int) []uint32 {
	var out []uint32
	for _, v := range variants {
		s := Simplify(v)
		if s == "" {
			continue
		}
		out = append(out, blindIndex(ix.key, ix.bits, s, birthYear))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// BlindIndex is Index with DefaultIndexBits.
func BlindIndex(key []byte, simplifiedName string, birthYear int) uint32 {
	return blindIndex(key, DefaultIndexBits, Simplify(simplifiedName), birthYear)
}

// BlindIndexes is Indexes with DefaultIndexBits.
func BlindIndexes(key []byte, variants []string, birthYear int) []uint32 {
	ix := Indexer{key: key, bits: DefaultIndexBits}
	return ix.Indexes(variants, birthYear)
}

func blindIndex(key []byte, bits int, simplified string, birthYear int) uint32 {
	if birthYear < 1 || birthYear > 9999 {
		birthYear = 0
	}
	b := wire.AppendString(nil, blindIndexLabel)
	b = append(b, byte(bits))
	b = wire.AppendString(b, simplified)
	b = wire.AppendUvarint(b, uint64(birthYear))
	m := hmac.New(sha256.New, key)
	m.Write(b)
	v := binary.BigEndian.Uint32(m.Sum(nil))
	return v >> (32 - bits)
}
