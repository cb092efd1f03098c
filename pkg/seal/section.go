package seal

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nrm-project/nrm/pkg/internal/wire"
)

// Header names a sealed section. It is sealed inside the plaintext and is
// also the additional data, so a section moved to another case, section,
// version or author does not open.
type Header struct {
	CaseID    string
	Section   string // identity, narrative, health, legal, or an entry kind
	Version   int
	AuthorOrg string
}

// SectionID identifies a section version within the system.
type SectionID struct {
	CaseID  string
	Section string
	Version int
}

// ID returns the section's identifier.
func (h Header) ID() SectionID { return SectionID{h.CaseID, h.Section, h.Version} }

func (h Header) valid() bool {
	return h.CaseID != "" && h.Section != "" && h.Version >= 0 && h.Version <= maxVersion && h.AuthorOrg != ""
}

// DataKey is a section's random XChaCha20-Poly1305 key. Its String method
// never prints the key.
type DataKey [32]byte

// String never reveals the key.
func (DataKey) String() string { return "seal.DataKey(redacted)" }

// GoString never reveals the key.
func (k DataKey) GoString() string { return k.String() }

// Sealed is a sealed section: version(1) | nonce(24) | ciphertext+tag.
type Sealed []byte

// Errors about sections.
var (
	ErrBadHeader = errors.New("seal: header needs case, section, author and a version >= 0")
	ErrOpen      = errors.New("seal: section does not open with this header and key")
)

const (
	sectionFormat   byte = 1
	sectionAADLabel      = "nrm/seal/section"
	sectionOverhead      = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead
)

// Seal encrypts plaintext under a new random data key.
func Seal(h Header, plaintext []byte) (Sealed, DataKey, error) {
	var k DataKey
	if _, err := rand.Read(k[:]); err != nil {
		return nil, DataKey{}, fmt.Errorf("seal: seal section: %w", err)
	}
	s, err := sealWith(h, plaintext, k)
	if err != nil {
		return nil, DataKey{}, err
	}
	return s, k, nil
}

func sealWith(h Header, plaintext []byte, k DataKey) (Sealed, error) {
	if !h.valid() {
		return nil, fmt.Errorf("seal: seal section: %w", ErrBadHeader)
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, fmt.Errorf("seal: seal section: %w", err)
	}
	hdr := appendHeader(nil, h)
	inner := make([]byte, 0, len(hdr)+len(plaintext))
	inner = append(append(inner, hdr...), plaintext...)
	defer clear(inner)

	out := make([]byte, 1+chacha20poly1305.NonceSizeX, sectionOverhead+len(inner))
	out[0] = sectionFormat
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal: seal section: %w", err)
	}
	return aead.Seal(out, out[1:], inner, sectionAAD(out[0], hdr)), nil
}

// Open decrypts s. It returns the whole plaintext or an error, never a part.
func Open(h Header, s Sealed, k DataKey) ([]byte, error) {
	if !h.valid() {
		return nil, fmt.Errorf("seal: open section: %w", ErrBadHeader)
	}
	if len(s) < sectionOverhead || s[0] != sectionFormat {
		return nil, fmt.Errorf("seal: open section: %w", ErrOpen)
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, fmt.Errorf("seal: open section: %w", err)
	}
	hdr := appendHeader(nil, h)
	inner, err := aead.Open(nil, s[1:1+chacha20poly1305.NonceSizeX], s[1+chacha20poly1305.NonceSizeX:], sectionAAD(s[0], hdr))
	if err != nil {
		return nil, fmt.Errorf("seal: open section: %w", ErrOpen)
	}
	// The AAD already binds the header; the inner copy is checked too, so a
	// sealing bug that let them diverge would be caught here.
	if len(inner) < len(hdr) || subtle.ConstantTimeCompare(inner[:len(hdr)], hdr) != 1 {
		clear(inner)
		return nil, fmt.Errorf("seal: open section: %w", ErrOpen)
	}
	return bytes.Clone(inner[len(hdr):]), nil
}

// Reseal opens s with the old key and seals it again under a new random data
// key (keys rekey). The old key and sealed bytes must then be destroyed.
func Reseal(h Header, s Sealed, old DataKey) (Sealed, DataKey, error) {
	pt, err := Open(h, s, old)
	if err != nil {
		return nil, DataKey{}, fmt.Errorf("seal: reseal: %w", err)
	}
	defer clear(pt)
	ns, nk, err := Seal(h, pt)
	if err != nil {
		return nil, DataKey{}, fmt.Errorf("seal: reseal: %w", err)
	}
	return ns, nk, nil
}

func sectionAAD(version byte, hdr []byte) []byte {
	b := wire.AppendString(nil, sectionAADLabel)
	b = append(b, version)
	return append(b, hdr...)
}

func appendHeader(b []byte, h Header) []byte {
	b = wire.AppendString(b, h.CaseID)
	b = wire.AppendString(b, h.Section)
	b = wire.AppendUvarint(b, uint64(h.Version))
	return wire.AppendString(b, h.AuthorOrg)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != chacha20poly1305.KeySize {
		return nil, ErrBadKeyLength
	}
	return chacha20poly1305.NewX(key)
}
