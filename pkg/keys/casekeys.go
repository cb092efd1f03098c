package keys

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// PurposeCaseKeys encrypts the case key files at rest.
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
	caseKeyFormat = 1
	caseKeySize   = 32
	maxCaseKeyLen = 4096
)

// CaseKeys keeps one small file per case in the key directory
// (cases/<2 hex>/<case id>) holding a random 32-byte key per retention
// class, sealed with a master subkey and bound to the case id. The
// database never holds these keys, so destroying one here makes what it
// locks unreadable from every database copy, backups included. A
// destroyed class leaves a tombstone, so "purged" and "missing" differ.
//
// Writes are durable before they return (file and directory synced).
// Changes to one case are serialised in this process; across processes
// the caller serialises them (intake holds the case's row lock).
type CaseKeys struct {
	root  string
	kek   []byte
	locks [64]sync.Mutex
}

// CaseKeys returns the directory's case key store.
func (d *Dir) CaseKeys() *CaseKeys {
	return &CaseKeys{root: filepath.Join(d.path, caseKeysDir), kek: d.Subkey(PurposeCaseKeys)}
}

// CaseRing is one case's retention-class keys as loaded.
type CaseRing struct {
	caseID string
	keys   map[string][]byte // nil value: destroyed
	onDisk bool
}

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

// Load reads the case's keys; a case without a file has an empty ring.
func (c *CaseKeys) Load(caseID string) (*CaseRing, error) {
	p, err := c.path(caseID)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &CaseRing{caseID: caseID, keys: map[string][]byte{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keys: case %s: %w", caseID, err)
	}
	return c.open(caseID, raw)
}

// Ensure returns the case's ring with a key for each of classes, creating
// the missing ones. Asking for a destroyed class is an error: purged data
// is not sealed again under the same case.
func (c *CaseKeys) Ensure(caseID string, classes ...string) (*CaseRing, error) {
	mu := c.lock(caseID)
	mu.Lock()
	defer mu.Unlock()
	for {
		ring, err := c.Load(caseID)
		if err != nil {
			return nil, err
		}
		changed := false
		for _, class := range classes {
			if err := validClass(class); err != nil {
				return nil, err
			}
			k, ok := ring.keys[class]
			if ok && k == nil {
				return nil, fmt.Errorf("keys: case %s class %q: %w", caseID, class, ErrCaseKeyDestroyed)
			}
			if !ok {
				k = make([]byte, caseKeySize)
				if _, err := rand.Read(k); err != nil {
					return nil, fmt.Errorf("keys: case %s: %w", caseID, err)
				}
				ring.keys[class], changed = k, true
			}
		}
		if !changed {
			return ring, nil
		}
		if ring.onDisk {
			err = c.write(ring)
		} else if err = c.create(ring); errors.Is(err, fs.ErrExist) {
			continue // another process made the file first: merge into it
		}
		if err != nil {
			return nil, err
		}
		ring.onDisk = true
		return ring, nil
	}
}

// Destroy replaces the classes' keys by tombstones. The old file is
// overwritten with zeros through an open descriptor after the new one
// took its place, which removes it from ordinary file systems; copy-on-
// write and flash storage may keep old blocks (see docs/keys.md).
func (c *CaseKeys) Destroy(caseID string, classes ...string) error {
	mu := c.lock(caseID)
	mu.Lock()
	defer mu.Unlock()
	ring, err := c.Load(caseID)
	if err != nil {
		return err
	}
	changed := false
	for _, class := range classes {
		if err := validClass(class); err != nil {
			return err
		}
		if k, ok := ring.keys[class]; !ok || k != nil {
			clear(k)
			ring.keys[class], changed = nil, true
		}
	}
	if !changed {
		return nil
	}
	return c.write(ring)
}

func (c *CaseKeys) lock(caseID string) *sync.Mutex {
	h := sha256.Sum256([]byte(caseID))
	return &c.locks[int(h[0])%len(c.locks)]
}

func (c *CaseKeys) path(caseID string) (string, error) {
	if !validCaseID(caseID) {
		return "", fmt.Errorf("keys: bad case id %q", caseID)
	}
	return filepath.Join(c.root, caseID[:2], caseID), nil
}

func validCaseID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
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

func (c *CaseKeys) aad(caseID string) []byte { return []byte("nrm/case-keys/v1|" + caseID) }

// File: "nrmk" | format(1) | nonce(24) | XChaCha20-Poly1305(kek, body,
// AAD case id), body: uvarint n, then per class: uvarint len | class |
// live(1) | key(32) when live.
func (c *CaseKeys) seal(r *CaseRing) ([]byte, error) {
	classes := make([]string, 0, len(r.keys))
	for class := range r.keys {
		classes = append(classes, class)
	}
	slices.Sort(classes)
	body := binary.AppendUvarint(nil, uint64(len(classes)))
	for _, class := range classes {
		body = binary.AppendUvarint(body, uint64(len(class)))
		body = append(body, class...)
		if k := r.keys[class]; k != nil {
			body = append(append(body, 1), k...)
		} else {
			body = append(body, 0)
		}
	}
	defer clear(body)
	aead, err := chacha20poly1305.NewX(c.kek)
	if err != nil {
		return nil, err
	}
	out := append([]byte(caseKeyMagic), caseKeyFormat)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, body, c.aad(r.caseID)), nil
}

func (c *CaseKeys) open(caseID string, raw []byte) (*CaseRing, error) {
	aead, err := chacha20poly1305.NewX(c.kek)
	if err != nil {
		return nil, err
	}
	hdr := len(caseKeyMagic) + 1
	if len(raw) > maxCaseKeyLen || len(raw) < hdr+aead.NonceSize()+aead.Overhead() ||
		!bytes.Equal(raw[:len(caseKeyMagic)], []byte(caseKeyMagic)) || raw[len(caseKeyMagic)] != caseKeyFormat {
		return nil, fmt.Errorf("keys: case %s: %w", caseID, ErrBadCaseKeys)
	}
	body, err := aead.Open(nil, raw[hdr:hdr+aead.NonceSize()], raw[hdr+aead.NonceSize():], c.aad(caseID))
	if err != nil {
		return nil, fmt.Errorf("keys: case %s: %w", caseID, ErrBadCaseKeys)
	}
	defer clear(body)
	ring := &CaseRing{caseID: caseID, keys: map[string][]byte{}, onDisk: true}
	bad := fmt.Errorf("keys: case %s: %w", caseID, ErrBadCaseKeys)
	n, m := binary.Uvarint(body)
	if m <= 0 || n > 64 {
		return nil, bad
	}
	b := body[m:]
	for range n {
		l, m := binary.Uvarint(b)
		if m <= 0 || l == 0 || uint64(len(b)-m) < l+1 {
			return nil, bad
		}
		class := string(b[m : m+int(l)])
		b = b[m+int(l):]
		live := b[0]
		b = b[1:]
		switch {
		case live == 0:
			ring.keys[class] = nil
		case live == 1 && len(b) >= caseKeySize:
			ring.keys[class] = bytes.Clone(b[:caseKeySize])
			b = b[caseKeySize:]
		default:
			return nil, bad
		}
	}
	if len(b) != 0 {
		return nil, bad
	}
	return ring, nil
}

// create writes a new case's file in place (O_EXCL), synced: one journal
// commit, which on a new file carries its directory entry too, so the
// directory sync that follows has little left to do. A crash before the
// sync leaves at worst a torn file of a case the database never saw (its
// keys are made before its transaction commits).
func (c *CaseKeys) create(r *CaseRing) error {
	p, err := c.path(r.caseID)
	if err != nil {
		return err
	}
	data, err := c.seal(r)
	if err != nil {
		return fmt.Errorf("keys: case %s: %w", r.caseID, err)
	}
	dir := filepath.Dir(p)
	if err := ensureDir(c.root); err != nil {
		return err
	}
	if err := ensureDir(dir); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keys: case %s: create: %w", r.caseID, err)
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = syncDir(dir)
	}
	if werr != nil {
		_ = os.Remove(p)
		return fmt.Errorf("keys: case %s: create: %w", r.caseID, werr)
	}
	return nil
}

// write replaces the case's file durably: a synced temporary file renamed
// over it, the directory synced, then the old file's blocks zeroed.
func (c *CaseKeys) write(r *CaseRing) error {
	p, err := c.path(r.caseID)
	if err != nil {
		return err
	}
	data, err := c.seal(r)
	if err != nil {
		return fmt.Errorf("keys: case %s: %w", r.caseID, err)
	}
	dir := filepath.Dir(p)
	if err := ensureDir(c.root); err != nil {
		return err
	}
	if err := ensureDir(dir); err != nil {
		return err
	}
	old, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keys: case %s: %w", r.caseID, err)
	}
	if old != nil {
		defer old.Close()
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("keys: case %s: %w", r.caseID, err)
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("keys: case %s: write: %w", r.caseID, werr)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("keys: case %s: %w", r.caseID, err)
	}
	if old != nil {
		if fi, err := old.Stat(); err == nil && fi.Size() > 0 {
			if _, err := old.WriteAt(make([]byte, fi.Size()), 0); err == nil {
				_ = old.Sync()
			}
		}
	}
	return nil
}

func ensureDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("keys: %w", err)
	}
	return syncDir(filepath.Dir(dir))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
