package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/nrm-project/nrm/pkg/internal/wire"
)

// ErrMAC means a stored section or wrap was not written by this deployment
// (or was moved); nothing was decrypted.
var ErrMAC = errors.New("seal: MAC check failed")

const (
	sectionMACLabel = "nrm/seal/section-mac/v1"
	wrapMACLabel    = "nrm/seal/wrap-mac/v1"
)

// SectionMAC is HMAC-SHA256 under macKey (keys.PurposeSectionMAC) over the
// header, SHA-256 of the ciphertext, SHA-256 of the reading organisation's
// wrap, and that organisation. Anyone holding an organisation's public key
// can write a valid age wrap; only the server can write this MAC.
func SectionMAC(macKey []byte, h Header, ciphertext, wrap []byte, orgID string) []byte {
	return sectionMAC(macKey, h, ciphertext, sha256.Sum256(wrap), orgID)
}

func sectionMAC(macKey []byte, h Header, ciphertext []byte, wrapHash [sha256.Size]byte, orgID string) []byte {
	m := hmac.New(sha256.New, macKey)
	m.Write(sectionMACInput(h, ciphertext, wrapHash, orgID))
	return m.Sum(nil)
}

// CheckSectionMAC compares mac with SectionMAC in constant time.
func CheckSectionMAC(macKey []byte, h Header, ciphertext, wrap []byte, orgID string, mac []byte) error {
	return checkSectionMAC(macKey, h, ciphertext, sha256.Sum256(wrap), orgID, mac)
}

func checkSectionMAC(macKey []byte, h Header, ciphertext []byte, wrapHash [sha256.Size]byte, orgID string, mac []byte) error {
	if len(macKey) == 0 || !hmac.Equal(mac, sectionMAC(macKey, h, ciphertext, wrapHash, orgID)) {
		return fmt.Errorf("seal: check section MAC: %w", ErrMAC)
	}
	return nil
}

func sectionMACInput(h Header, ciphertext []byte, wh [sha256.Size]byte, orgID string) []byte {
	ch := sha256.Sum256(ciphertext)
	b := wire.AppendString(nil, sectionMACLabel)
	b = appendHeader(b, h)
	b = append(b, ch[:]...)
	b = append(b, wh[:]...)
	return wire.AppendString(b, orgID)
}

// WrapMAC is HMAC-SHA256 under macKey over (case, organisation, SHA-256 of
// the wrap), for checking a wrap on its own, for example before Rewrap.
func WrapMAC(macKey []byte, caseID, orgID string, wrap []byte) []byte {
	wh := sha256.Sum256(wrap)
	b := wire.AppendString(nil, wrapMACLabel)
	b = wire.AppendString(b, caseID)
	b = wire.AppendString(b, orgID)
	m := hmac.New(sha256.New, macKey)
	m.Write(append(b, wh[:]...))
	return m.Sum(nil)
}

// CheckWrapMAC compares mac with WrapMAC in constant time.
func CheckWrapMAC(macKey []byte, caseID, orgID string, wrap, mac []byte) error {
	if len(macKey) == 0 || !hmac.Equal(mac, WrapMAC(macKey, caseID, orgID, wrap)) {
		return fmt.Errorf("seal: check wrap MAC: %w", ErrMAC)
	}
	return nil
}

// StoredSection is a section as the store returns it, with the MAC written
// for the reading organisation's wrap.
type StoredSection struct {
	Header Header
	Sealed Sealed
	MAC    []byte
}

// ErrNoGrant means the wrap holds no key for a requested section.
var ErrNoGrant = errors.New("seal: no key granted for a requested section")

// OpenSections reads sections for organisation orgID: it checks every MAC
// first, then decrypts the wrap once, then opens each section. It returns
// every plaintext or none.
func OpenSections(id *OrgIdentity, orgID string, macKey, wrap []byte, sections []StoredSection, opts ...WrapOption) (map[SectionID][]byte, error) {
	if len(sections) == 0 {
		return map[SectionID][]byte{}, nil // nothing to check, so nothing to decrypt
	}
	wrapHash := sha256.Sum256(wrap) // once for all the sections
	for _, s := range sections {
		if err := checkSectionMAC(macKey, s.Header, s.Sealed, wrapHash, orgID, s.MAC); err != nil {
			return nil, fmt.Errorf("seal: open sections: %w", err)
		}
	}
	grants, err := Unwrap(id, wrap, opts...)
	if err != nil {
		return nil, fmt.Errorf("seal: open sections: %w", err)
	}
	keys := make(map[SectionID]DataKey, len(grants))
	for _, g := range grants {
		keys[g.ID()] = g.Key
	}
	out := make(map[SectionID][]byte, len(sections))
	fail := func(err error) (map[SectionID][]byte, error) {
		for _, pt := range out {
			clear(pt)
		}
		return nil, fmt.Errorf("seal: open sections: %w", err)
	}
	for _, s := range sections {
		k, ok := keys[s.Header.ID()]
		if !ok {
			return fail(ErrNoGrant)
		}
		pt, err := Open(s.Header, s.Sealed, k)
		if err != nil {
			return fail(err)
		}
		out[s.Header.ID()] = pt
	}
	return out, nil
}
