package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"

	"github.com/nrm-project/nrm/pkg/group"
)

// PurposeCaseKeys encrypts the case key records at rest.
const PurposeCaseKeys Purpose = "intake/case-keys/v1"

// Errors of the case key store.
var (
	// ErrCaseKeyDestroyed: the class's key was destroyed (its data purged).
	ErrCaseKeyDestroyed = errors.New("keys: case key destroyed")
	// ErrNoCaseKey: no key was ever made for the case and class; data
	// locked by one is unreadable (a lost or foreign key directory).
	ErrNoCaseKey = errors.New("keys: no case key for this class")
	// ErrBadCaseKeys: a case key file does not open with this master key.
	ErrBadCaseKeys = errors.New("keys: case key file is corrupt or not for this case")
)

const (
	caseKeysDir   = "cases"
	caseKeyMagic  = "nrmk"
	caseKeyFormat = 2
	caseKeySize   = 32
	batchIDLen    = 8 // hex digits: the first field of the case id
	maxBatchFile  = 1 << 20
	maxBatchCases = 256
)

// CaseKeys keeps, for each case, a random 32-byte key per retention class
// in the key directory, never in the database: destroying one makes what
// it locks unreadable from every database copy, backups included. A
// destroyed class leaves a tombstone, so "purged" and "missing" differ.
//
// Cases created together share a batch file, cases/<2 hex>/<8 hex>, named
// by the first field of their ids (NewCase chooses the ids), so that one
// synced write serves every registration waiting at that moment and the
// spareCases after it (casespares.go). Each
// record in it is sealed on its own with a master subkey and bound to its
// case id. Writes are durable before they return (file and directory
// synced); a rewrite (Destroy, Ensure) takes a lock on the directory that
// other processes respect, replaces the file atomically and zeroes the
// old one.
type CaseKeys struct {
	root string
	kek  []byte

	locks [64]sync.Mutex // per shard directory (cases/<2 hex>), in this process

	// batches groups the cases registered at the same moment into one
	// synced file.
	batches group.Batches[*newCase]

	spares spares // rings written ahead of need (casespares.go)
}

// CaseKeys returns the directory's case key store.
func (d *Dir) CaseKeys() *CaseKeys {
	return &CaseKeys{root: filepath.Join(d.path, caseKeysDir), kek: d.Subkey(PurposeCaseKeys),
		batches: group.Batches[*newCase]{Max: maxBatchCases}}
}

// CaseRing is one case's retention-class keys as loaded.
type CaseRing struct {
	caseID string
	keys   map[string][]byte // nil value: destroyed
}

// CaseID returns the case the ring belongs to.
func (r *CaseRing) CaseID() string { return r.caseID }

// Key returns the class's key, or an error wrapping ErrCaseKeyDestroyed or
// ErrNoCaseKey.
func (r *CaseRing) Key(class string) ([]byte, error) {
	k, ok := r.keys[class]
	switch {
	case !ok:
		return nil, fmt.Errorf("keys: case %s class %q: %w", r.caseID, class, ErrNoCaseKey)
	case k == nil:
		return nil, fmt.Errorf("keys: case %s class %q: %w", r.caseID, class, ErrCaseKeyDestroyed)
	}
	return k, nil
}

// Classes returns the live classes, sorted.
func (r *CaseRing) Classes() []string {
	var out []string
	for c, k := range r.keys {
		if k != nil {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// newCase is a registration waiting for its batch to be written.
type newCase struct {
	ring    *CaseRing
	classes []string
}

// NewCase makes the keys of a new case, chooses its id (a random version 4
// UUID whose first field names its batch file) and returns once they are
// durably written: at once when a ring written ahead of need is left for
// these classes, otherwise after a write that concurrent calls share
// (group commit) and that makes spares for the calls after them.
func (c *CaseKeys) NewCase(classes ...string) (*CaseRing, error) {
	for _, class := range classes {
		if err := validClass(class); err != nil {
			return nil, err
		}
	}
	if ring := c.spares.take(classes); ring != nil {
		return ring, nil
	}
	ring, err := newRing(classes)
	if err != nil {
		return nil, err
	}
	return ring, c.batches.Do(&newCase{ring: ring, classes: classes}, c.writeBatch)
}

// newRing returns an unnamed ring with a fresh key per class.
func newRing(classes []string) (*CaseRing, error) {
	ring := &CaseRing{keys: make(map[string][]byte, len(classes))}
	for _, class := range classes {
		k := make([]byte, caseKeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("keys: new case: %w", err)
		}
		ring.keys[class] = k
	}
	return ring, nil
}

// writeBatch names the cases of one batch, and spares for the first one's
// classes, and creates their file (O_EXCL: a batch id already taken, here
// or by another process, is drawn again). The spares are handed out once
// the file is durable.
func (c *CaseKeys) writeBatch(batch []*newCase) error {
	rings := make([]*CaseRing, 0, len(batch)+spareCases)
	for _, nc := range batch {
		rings = append(rings, nc.ring)
	}
	spares := make([]*CaseRing, spareCases)
	for i := range spares {
		r, err := newRing(batch[0].classes)
		if err != nil {
			return err
		}
		spares[i] = r
		rings = append(rings, r)
	}
	for attempt := 0; ; attempt++ {
		var b [16]byte
		if _, err := rand.Read(b[:4]); err != nil {
			return fmt.Errorf("keys: new case: %w", err)
		}
		prefix := hex.EncodeToString(b[:4])
		for _, r := range rings {
			if _, err := rand.Read(b[4:]); err != nil {
				return fmt.Errorf("keys: new case: %w", err)
			}
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			h := hex.EncodeToString(b[:])
			r.caseID = h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		}
		data, err := c.encode(rings)
		if err != nil {
			return err
		}
		err = c.create(prefix, data)
		if errors.Is(err, fs.ErrExist) && attempt < 8 {
			continue
		}
		if err == nil {
			c.spares.add(batch[0].classes, spares)
		}
		return err
	}
}

// Load reads the case's keys; a case without a record has an empty ring.
func (c *CaseKeys) Load(caseID string) (*CaseRing, error) {
	rings, err := c.loadBatch(caseID, true)
	if err != nil {
		return nil, err
	}
	if r, ok := rings[caseID]; ok {
		return r, nil
	}
	return &CaseRing{caseID: caseID, keys: map[string][]byte{}}, nil
}

// Ensure returns the case's ring with a key for each of classes, adding
// the missing ones (a rewrite of its batch file). Asking for a destroyed
// class is an error: purged data is not sealed again under the same case.
func (c *CaseKeys) Ensure(caseID string, classes ...string) (*CaseRing, error) {
	var out *CaseRing
	err := c.rewrite(caseID, func(r *CaseRing) (bool, error) {
		changed := false
		for _, class := range classes {
			if err := validClass(class); err != nil {
				return false, err
			}
			k, ok := r.keys[class]
			if ok && k == nil {
				return false, fmt.Errorf("keys: case %s class %q: %w", caseID, class, ErrCaseKeyDestroyed)
			}
			if !ok {
				k = make([]byte, caseKeySize)
				if _, err := rand.Read(k); err != nil {
					return false, err
				}
				r.keys[class], changed = k, true
			}
		}
		out = r
		return changed, nil
	})
	return out, err
}

// Destroy replaces the classes' keys by tombstones. The old file is
// overwritten with zeros through an open descriptor after the new one
// took its place, which removes it from ordinary file systems; copy-on-
// write and flash storage may keep old blocks (see docs/keys.md).
func (c *CaseKeys) Destroy(caseID string, classes ...string) error {
	return c.rewrite(caseID, func(r *CaseRing) (bool, error) {
		changed := false
		for _, class := range classes {
			if err := validClass(class); err != nil {
				return false, err
			}
			if k, ok := r.keys[class]; !ok || k != nil {
				clear(k)
				r.keys[class], changed = nil, true
			}
		}
		return changed, nil
	})
}

// rewrite applies change to the case's ring (a new one if it has none)
// and, if it changed, writes the batch file again, under the batch's lock
// in this process and the directory's lock across processes.
func (c *CaseKeys) rewrite(caseID string, change func(*CaseRing) (bool, error)) error {
	if !validCaseID(caseID) {
		return fmt.Errorf("keys: bad case id %q", caseID)
	}
	// 256 shard directories onto 64 locks: the first hex digit, and the
	// top two bits of the second.
	mu := &c.locks[int(hexNibble(caseID[0]))*4+int(hexNibble(caseID[1]))/4]
	mu.Lock()
	defer mu.Unlock()
	dir := filepath.Join(c.root, caseID[:2])
	if err := ensureDir(c.root); err != nil {
		return err
	}
	if err := ensureDir(dir); err != nil {
		return err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return fmt.Errorf("keys: case %s: lock: %w", caseID, err)
	}
	defer unlock()
	for attempt := 0; ; attempt++ {
		err := c.rewriteLocked(caseID, change)
		if !errors.Is(err, fs.ErrExist) || attempt > 2 {
			return err
		}
		// NewCase created the batch file meanwhile: merge into it.
	}
}

func (c *CaseKeys) rewriteLocked(caseID string, change func(*CaseRing) (bool, error)) error {
	rings, err := c.loadBatch(caseID, false)
	if err != nil {
		return err
	}
	r, ok := rings[caseID]
	if !ok {
		r = &CaseRing{caseID: caseID, keys: map[string][]byte{}}
		rings[caseID] = r
	}
	changed, err := change(r)
	if err != nil || !changed {
		return err
	}
	list := make([]*CaseRing, 0, len(rings))
	for _, r := range rings {
		list = append(list, r)
	}
	slices.SortFunc(list, func(a, b *CaseRing) int { return bytes.Compare([]byte(a.caseID), []byte(b.caseID)) })
	data, err := c.encode(list)
	if err != nil {
		return err
	}
	return c.replace(caseID[:batchIDLen], data)
}

func hexNibble(b byte) byte {
	switch {
	case b >= '0' && b <= '9':
		return b - '0'
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10
	}
	return 0
}

func (c *CaseKeys) batchPath(prefix string) string {
	return filepath.Join(c.root, prefix[:2], prefix)
}

// validCaseID accepts a lower-case UUID, whose first field names the batch.
func validCaseID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, r := range id {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
				return false
			}
		}
	}
	return true
}

func validClass(class string) error {
	if class == "" || len(class) > 64 {
		return fmt.Errorf("keys: bad retention class %q", class)
	}
	return nil
}
