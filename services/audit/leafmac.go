package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"

	"github.com/nrm-project/nrm/pkg/keys"
)

// The Merkle hashes of the log are unkeyed: anyone can recompute them, so
// an insider who edits an entry and rewrites the stored hashes is caught
// only by a signed checkpoint, at the granularity of the checkpoints, and
// not at all after the last one. Each entry therefore also carries a MAC
// under a key from the key directory, which an insider with the database
// but not the keys cannot compute:
//
//	mac = HMAC-SHA256(subkey "audit/leaf-mac/v1", "nrm-audit-mac-v1\n" || uint64be(index) || leaf data)
//
// The index is bound so that an entry moved, swapped or renumbered fails
// too. Deleting MAC rows is caught because the index from which entries
// carry MACs is kept in the key directory (MACsFromFile), not in the
// database.
const leafMACDomain = "nrm-audit-mac-v1\n"

// MACsFromFile, in the key directory, holds the index of the first entry
// written with a MAC (0 for a log started with MACs; the tree size at the
// upgrade for an older log, whose earlier entries are covered by the
// signed checkpoints only).
const MACsFromFile = "audit-macs-from"

// leafMAC returns the MAC of the entry at idx with leaf data leaf.
func leafMAC(key []byte, idx int64, leaf []byte) [sha256.Size]byte {
	m := hmac.New(sha256.New, key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(idx))
	m.Write([]byte(leafMACDomain))
	m.Write(b[:])
	m.Write(leaf)
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

// macsFrom returns the index from which entries carry MACs, recording
// size, the tree size before the first append with MACs, when the key
// directory holds none yet.
func macsFrom(k *keys.Dir, size int64) (int64, error) {
	b, _, err := k.ReadOrCreate(MACsFromFile, func() ([]byte, error) {
		return binary.BigEndian.AppendUint64(nil, uint64(size)), nil
	})
	if err != nil {
		return 0, fmt.Errorf("audit: %s: %w", MACsFromFile, err)
	}
	return decodeMACsFrom(b)
}

// readMACsFrom returns the recorded index, or ok false when there is none
// (a key directory restored from before MACs, or lost).
func readMACsFrom(k *keys.Dir) (from int64, ok bool, err error) {
	b, _, err := k.ReadOrCreate(MACsFromFile, func() ([]byte, error) { return nil, fs.ErrNotExist })
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("audit: %s: %w", MACsFromFile, err)
	}
	from, err = decodeMACsFrom(b)
	return from, err == nil, err
}

func decodeMACsFrom(b []byte) (int64, error) {
	if len(b) != 8 || int64(binary.BigEndian.Uint64(b)) < 0 {
		return 0, fmt.Errorf("audit: %s must hold an 8-byte index", MACsFromFile)
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// macCheck checks each entry's MAC (leafmac.go).
type macCheck struct {
	key     []byte
	from    int64 // -1: from the first entry that has one
	checked int64
}

func newMACCheck(opts VerifyOptions) (*macCheck, error) {
	c := &macCheck{key: opts.MACKey, from: -1}
	if c.key == nil && opts.Keys != nil {
		c.key = opts.Keys.Subkey(keys.PurposeAuditLeafMAC)
	}
	if opts.MACsFrom != nil {
		c.from = max(*opts.MACsFrom, 0)
	} else if opts.Keys != nil {
		from, ok, err := readMACsFrom(opts.Keys)
		if err != nil {
			return nil, err
		}
		if ok {
			c.from = from
		}
	}
	return c, nil
}

// check returns why the entry at idx with leaf data leaf and stored MAC
// mac (nil when none) is not intact, or "".
func (c *macCheck) check(idx int64, leaf, mac []byte) string {
	if c.key == nil {
		return ""
	}
	if mac == nil {
		if c.from >= 0 && idx >= c.from {
			return "entry has no keyed MAC (MACs deleted?)"
		}
		return ""
	}
	if c.from < 0 {
		c.from = idx // without the record, from the first entry that has one
	}
	want := leafMAC(c.key, idx, leaf)
	if !hmac.Equal(mac, want[:]) {
		return "entry edited: its keyed MAC does not match"
	}
	c.checked++
	return ""
}
