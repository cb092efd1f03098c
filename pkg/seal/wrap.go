package seal

import (
	"bytes"
	"errors"
	"fmt"

	"filippo.io/age"
)

// KeyRef names a data key: the section version it seals and the retention
// class whose purge destroys it.
type KeyRef struct {
	CaseID         string
	Section        string
	Version        int
	RetentionClass string
}

// ID returns the section the key seals.
func (r KeyRef) ID() SectionID { return SectionID{r.CaseID, r.Section, r.Version} }

// KeyGrant is a data key granted to an organisation.
type KeyGrant struct {
	KeyRef
	Key DataKey
}

// Errors about wraps.
var (
	ErrNoGrants     = errors.New("seal: a wrap needs at least one grant")
	ErrBadGrant     = errors.New("seal: grant needs case, section and a version >= 0, each section once")
	ErrNotForYou    = errors.New("seal: wrap is not addressed to this identity")
	ErrBadWrap      = errors.New("seal: wrap payload is malformed")
	ErrRetentionKey = errors.New("seal: wrap is locked by retention keys that were not supplied")
	ErrPurged       = errors.New("seal: retention class purged")
	errNilRecipient = errors.New("seal: zero recipient")
)

const (
	wrapMagic        = "nrmw"
	retentionAADText = "nrm/seal/retention"

	wrapFormat     byte = 1
	maxWrapPayload      = 1 << 20
	maxGrants           = 4096
	grantLocked    byte = 1
	grantPlain     byte = 0
)

// RetentionKeys holds one 32-byte key per retention class, kept in the key
// directory and never in the database. Purging a class deletes its key; a
// RetentionKey for a purged class returns an error wrapping ErrPurged.
type RetentionKeys interface {
	RetentionKey(class string) ([]byte, error)
}

// WrapOption adjusts Wrap and Unwrap.
type WrapOption func(*wrapConfig)

type wrapConfig struct{ rk RetentionKeys }

// WithRetentionKeys locks each retention class's data keys under that
// class's key inside the age payload, so that deleting the class key makes
// the data unreadable from every copy of the database, backups included.
func WithRetentionKeys(rk RetentionKeys) WrapOption { return func(c *wrapConfig) { c.rk = rk } }

func config(opts []WrapOption) wrapConfig {
	var c wrapConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Wrap encrypts the granted data keys in one age message to recipient.
//
// Payload (inside age): "nrmw" | version(1) | uvarint groups | per retention
// class: class | locked(1) | body, where body is uvarint grants followed by
// (case, section, uvarint version, key[32]) per grant, or, when locked,
// nonce(24) | XChaCha20-Poly1305(class key, that body, AAD class).
func Wrap(recipient Recipient, grants []KeyGrant, opts ...WrapOption) ([]byte, error) {
	if recipient.r == nil {
		return nil, fmt.Errorf("seal: wrap: %w", errNilRecipient)
	}
	payload, err := encodeGrants(grants, config(opts))
	if err != nil {
		return nil, fmt.Errorf("seal: wrap: %w", err)
	}
	defer clear(payload)
	out, err := ageEncrypt(recipient, payload)
	if err != nil {
		return nil, fmt.Errorf("seal: wrap: %w", err)
	}
	return out, nil
}

// Unwrap decrypts a wrap with id: one age decryption, whatever the number of
// grants. Grants of purged retention classes are left out.
func Unwrap(id *OrgIdentity, wrap []byte, opts ...WrapOption) ([]KeyGrant, error) {
	payload, err := ageDecrypt(id, wrap)
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap: %w", err)
	}
	defer clear(payload)
	groups, err := decodeGroups(payload)
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap: %w", err)
	}
	grants, err := openGroups(groups, config(opts))
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap: %w", err)
	}
	return grants, nil
}

// Rewrap re-encrypts the same payload to newRecipient (keys rotate). The
// kinds must match. Locked groups are carried over without their class keys.
// The section and wrap MACs cover the wrap's hash and must be recomputed.
func Rewrap(oldID *OrgIdentity, newRecipient Recipient, wrap []byte) ([]byte, error) {
	if oldID == nil || newRecipient.r == nil {
		return nil, fmt.Errorf("seal: rewrap: %w", errNilRecipient)
	}
	if oldID.kind != newRecipient.kind {
		return nil, fmt.Errorf("seal: rewrap: %w", ErrKindMismatch)
	}
	payload, err := ageDecrypt(oldID, wrap)
	if err != nil {
		return nil, fmt.Errorf("seal: rewrap: %w", err)
	}
	defer clear(payload)
	if _, err := decodeGroups(payload); err != nil {
		return nil, fmt.Errorf("seal: rewrap: %w", err)
	}
	out, err := ageEncrypt(newRecipient, payload)
	if err != nil {
		return nil, fmt.Errorf("seal: rewrap: %w", err)
	}
	return out, nil
}

func ageEncrypt(r Recipient, payload []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r.r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(payload); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
