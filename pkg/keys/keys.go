package keys

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Purpose names a subkey. Each purpose gets an independent key; never reuse
// one for two purposes.
type Purpose string

// Subkey purposes.
const (
	PurposeUserMAC       Purpose = "identity/user-mac/v1"
	PurposeTOTPSecrets   Purpose = "identity/totp-secrets/v1"
	PurposeRefreshTokens Purpose = "identity/refresh-tokens/v1"
	PurposeClientAddress Purpose = "audit/client-address/v1"
	PurposeDBRoles       Purpose = "db/role-passwords/v1"
	PurposeWrap          Purpose = "intake/wrap/v1"
	PurposeSectionMAC    Purpose = "intake/section-mac/v1"
	PurposeBlindIndex    Purpose = "intake/blind-index/v1"
	PurposePseudonym     Purpose = "stats/pseudonym/v1"
	PurposeWebhook       Purpose = "referral/webhook/v1"
	PurposeAuditLeafMAC  Purpose = "audit/leaf-mac/v1"
	// PurposeWebSession encrypts the web pages' session cookies.
	PurposeWebSession Purpose = "web/session-cookie/v1"
	// PurposeIdempotency keys the HMACs of idempotency keys and of the
	// requests they name (pkg/idempotency).
	PurposeIdempotency Purpose = "kit/idempotency/v1"
)

const (
	masterFile = "master.key"
	masterSize = 32
)

// ErrInsideData is returned when the key directory lies inside the data
// directory.
var ErrInsideData = errors.New("keys: the key directory must not be inside the data directory (a backup of the data would carry its keys)")

// Dir is an open key directory.
type Dir struct {
	path    string
	master  []byte
	Created bool // the directory or its master key was created by Open

	mu      sync.Mutex
	subkeys map[Purpose][]byte
	secrets map[string][]byte // an exported directory's (export.go)
}

// Open opens the key directory at path, creating it (mode 0700) and the
// master secret (mode 0600) on first use. dataDir, when not empty, is the
// data directory the keys must not be inside. Symbolic links are resolved
// (also those whose targets do not exist yet), and every file and folder
// under the directory is checked before any key is read (checkTree).
func Open(path, dataDir string) (*Dir, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	var data string
	if dataDir != "" {
		dataAbs, err := filepath.Abs(dataDir)
		if err != nil {
			return nil, fmt.Errorf("keys: %w", err)
		}
		if data, err = resolve(dataAbs); err != nil {
			return nil, err
		}
		k, err := resolve(abs)
		if err != nil {
			return nil, err
		}
		if within(data, k) {
			return nil, ErrInsideData
		}
	}
	d := &Dir{path: abs, subkeys: map[Purpose][]byte{}}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("keys: create %s: %w", path, err)
	}
	if err := checkTree(abs, data); err != nil {
		return nil, err
	}
	// An exported directory (a service's own keys, export.go) has no
	// master secret and never gets one.
	if _, err := os.Stat(filepath.Join(abs, masterFile)); errors.Is(err, fs.ErrNotExist) {
		if ok, err := d.openExported(); err != nil || ok {
			return d, err
		}
	}
	master, created, err := d.ReadOrCreate(masterFile, func() ([]byte, error) {
		b := make([]byte, masterSize)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, err
	}
	if len(master) != masterSize {
		return nil, fmt.Errorf("keys: %s must hold %d bytes", masterFile, masterSize)
	}
	d.master, d.Created = master, created
	return d, nil
}

// Path returns the absolute path of the directory.
func (d *Dir) Path() string { return d.path }

// Subkey returns the 32-byte subkey for purpose, derived with HKDF-SHA256
// from the master secret.
func (d *Dir) Subkey(p Purpose) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if k, ok := d.subkeys[p]; ok {
		return k
	}
	if d.master == nil {
		// Services check Missing before they start; reaching this is a bug.
		panic("keys: this exported key directory holds no key for " + string(p))
	}
	k, err := hkdf.Key(sha256.New, d.master, nil, "nrm:"+string(p), 32)
	if err != nil {
		panic("keys: hkdf: " + err.Error()) // only fails for absurd lengths
	}
	d.subkeys[p] = k
	return k
}

// ReadOrCreate returns the contents of the file name in the directory,
// creating it with gen (mode 0600, base64) when it does not exist.
func (d *Dir) ReadOrCreate(name string, gen func() ([]byte, error)) (b []byte, created bool, err error) {
	if strings.ContainsAny(name, `/\`) || name == "" || name[0] == '.' {
		return nil, false, fmt.Errorf("keys: bad key file name %q", name)
	}
	p := filepath.Join(d.path, name)
	raw, err := os.ReadFile(p)
	if err == nil {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil {
			return nil, false, fmt.Errorf("keys: %s is not base64", name)
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("keys: %s is readable by others (mode %v); chmod 600 it", name, fi.Mode().Perm())
		}
		return b, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("keys: read %s: %w", name, err)
	}
	b, err = gen()
	if err != nil {
		return nil, false, fmt.Errorf("keys: generate %s: %w", name, err)
	}
	// Written whole beside it and linked into place: a process starting
	// at the same moment never reads a file still being written.
	err = writeAtomic(p, []byte(base64.StdEncoding.EncodeToString(b)+"\n"), os.Link)
	if errors.Is(err, fs.ErrExist) { // another process won the race
		return d.ReadOrCreate(name, gen)
	}
	if err != nil {
		return nil, false, fmt.Errorf("keys: create %s: %w", name, err)
	}
	return b, true, nil
}

// Ed25519 returns the Ed25519 private key stored (as its seed) in the file
// name, creating it on first use.
func (d *Dir) Ed25519(name string) (ed25519.PrivateKey, error) {
	seed, _, err := d.ReadOrCreate(name, func() ([]byte, error) {
		s := make([]byte, ed25519.SeedSize)
		_, err := rand.Read(s)
		return s, err
	})
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("keys: %s must hold a %d-byte Ed25519 seed", name, ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
