package keys

// The batch file of CaseKeys: its format, sealed per case, and its atomic
// creation and replacement on disk.

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nrm-project/nrm/pkg/internal/wire"
)

// loadBatch reads caseID's batch file and opens its record, or every
// record unless only (a rewrite needs them all; a read, one).
func (c *CaseKeys) loadBatch(caseID string, only bool) (map[string]*CaseRing, error) {
	if !validCaseID(caseID) {
		return nil, fmt.Errorf("keys: bad case id %q", caseID)
	}
	raw, err := os.ReadFile(c.batchPath(caseID[:batchIDLen]))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]*CaseRing{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keys: case %s: %w", caseID, err)
	}
	return c.decode(caseID, raw, only)
}

// File: "nrmk" | format(1) | uvarint n | n records, each: uvarint len |
// case id | nonce(24) | uvarint len | XChaCha20-Poly1305(kek, ring, AAD
// case id), ring: uvarint n, then per class: uvarint len | class |
// live(1) | key(32) when live.
func (c *CaseKeys) encode(rings []*CaseRing) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(c.kek)
	if err != nil {
		return nil, err
	}
	out := append([]byte(caseKeyMagic), caseKeyFormat)
	out = wire.AppendUvarint(out, uint64(len(rings)))
	for _, r := range rings {
		body := encodeRing(r)
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out = wire.AppendBytes(out, []byte(r.caseID))
		out = append(out, nonce...)
		out = wire.AppendBytes(out, aead.Seal(nil, nonce, body, aad(r.caseID)))
		clear(body)
	}
	return out, nil
}

func encodeRing(r *CaseRing) []byte {
	classes := make([]string, 0, len(r.keys))
	for class := range r.keys {
		classes = append(classes, class)
	}
	slices.Sort(classes)
	body := wire.AppendUvarint(nil, uint64(len(classes)))
	for _, class := range classes {
		body = wire.AppendBytes(body, []byte(class))
		if k := r.keys[class]; k != nil {
			body = append(append(body, 1), k...)
		} else {
			body = append(body, 0)
		}
	}
	return body
}

func aad(caseID string) []byte { return []byte("nrm/case-keys/v1|" + caseID) }

// decode parses a batch file and opens its records, or only caseID's when
// only: a batch holds up to 256 cases, and a read needs one. A record that
// does not open, or a file that does not parse, fails the load (fail
// closed).
func (c *CaseKeys) decode(caseID string, raw []byte, only bool) (map[string]*CaseRing, error) {
	bad := fmt.Errorf("keys: case %s: %w", caseID, ErrBadCaseKeys)
	aead, err := chacha20poly1305.NewX(c.kek)
	if err != nil {
		return nil, err
	}
	if len(raw) > maxBatchFile || len(raw) < len(caseKeyMagic)+1 ||
		string(raw[:len(caseKeyMagic)]) != caseKeyMagic || raw[len(caseKeyMagic)] != caseKeyFormat {
		return nil, bad
	}
	d := wire.NewReader(raw[len(caseKeyMagic)+1:])
	n := d.Uvarint()
	if n > maxBatchCases*4 {
		return nil, bad
	}
	out := make(map[string]*CaseRing, n)
	for range n {
		rawID := d.Field()
		nonce := d.Take(uint64(aead.NonceSize()))
		sealed := d.Field()
		if d.Err() != nil || len(rawID) != len(caseID) || string(rawID[:batchIDLen]) != caseID[:batchIDLen] {
			return nil, bad
		}
		if only && string(rawID) != caseID {
			continue // parsed, not opened: another case's record
		}
		id := string(rawID)
		if !validCaseID(id) || out[id] != nil {
			return nil, bad
		}
		body, err := aead.Open(nil, nonce, sealed, aad(id))
		if err != nil {
			return nil, bad
		}
		r, ok := decodeRing(id, body)
		clear(body)
		if !ok {
			return nil, bad
		}
		out[id] = r
	}
	if d.Err() != nil || d.Len() != 0 {
		return nil, bad
	}
	return out, nil
}

func decodeRing(caseID string, body []byte) (*CaseRing, bool) {
	d := wire.NewReader(body)
	n := d.Uvarint()
	if n > 64 {
		return nil, false
	}
	r := &CaseRing{caseID: caseID, keys: map[string][]byte{}}
	for range n {
		class := d.String()
		switch live := d.Byte(); {
		case d.Err() != nil || class == "":
			return nil, false
		case live == 0:
			r.keys[class] = nil
		case live == 1:
			r.keys[class] = bytes.Clone(d.Take(caseKeySize))
		default:
			return nil, false
		}
	}
	return r, d.Err() == nil && d.Len() == 0
}

// create writes a new batch file in place (O_EXCL), synced: one journal
// commit, which on a new file carries its directory entry too, so the
// directory sync that follows has little left to do. A crash before the
// sync leaves at worst a torn file of cases the database never saw (their
// keys are written before their transaction commits).
func (c *CaseKeys) create(prefix string, data []byte) error {
	p := c.batchPath(prefix)
	dir := filepath.Dir(p)
	if err := ensureDir(c.root); err != nil {
		return err
	}
	if err := ensureDir(dir); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keys: batch %s: create: %w", prefix, err)
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
		return fmt.Errorf("keys: batch %s: create: %w", prefix, werr)
	}
	return nil
}

// replace rewrites a batch file durably: a synced temporary file renamed
// over it, the directory synced, then the old file's blocks zeroed.
func (c *CaseKeys) replace(prefix string, data []byte) error {
	p := c.batchPath(prefix)
	dir := filepath.Dir(p)
	old, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keys: batch %s: %w", prefix, err)
	}
	if old == nil { // a batch file made by a rewrite: never over one NewCase made
		return c.create(prefix, data)
	}
	defer old.Close()
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("keys: batch %s: %w", prefix, err)
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
		return fmt.Errorf("keys: batch %s: write: %w", prefix, werr)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("keys: batch %s: %w", prefix, err)
	}
	if fi, err := old.Stat(); err == nil && fi.Size() > 0 {
		if _, err := old.WriteAt(make([]byte, fi.Size()), 0); err == nil {
			_ = old.Sync()
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
