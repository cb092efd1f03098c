package seal

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nrm-project/nrm/pkg/internal/wire"
)

// Kind is the kind of age identity a deployment uses. age refuses to mix
// post-quantum and classical recipients in one message, and so does seal.
type Kind uint8

// Identity kinds. KindHybrid is the default.
const (
	KindHybrid Kind = 1 // ML-KEM-768 + X25519, recipients "age1pq1…"
	KindX25519 Kind = 2 // classical X25519, recipients "age1…"
)

// String returns the kind's name as used in configuration.
func (k Kind) String() string {
	switch k {
	case KindHybrid:
		return "hybrid"
	case KindX25519:
		return "x25519"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind parses "hybrid" or "x25519"; the empty string is KindHybrid.
func ParseKind(s string) (Kind, error) {
	switch s {
	case "", "hybrid", "pq":
		return KindHybrid, nil
	case "x25519":
		return KindX25519, nil
	}
	return 0, fmt.Errorf("seal: parse kind: %w", ErrUnknownKind)
}

// stanzaType is the age recipient stanza type each kind writes.
func (k Kind) stanzaType() string {
	if k == KindHybrid {
		return "mlkem768x25519"
	}
	return "X25519"
}

// Errors about identities and recipients.
var (
	ErrUnknownKind  = errors.New("seal: unknown identity kind")
	ErrKindMismatch = errors.New("seal: identity kinds must not be mixed")
	ErrBadRecipient = errors.New("seal: not an age recipient of a supported kind")
	ErrWrappedIdent = errors.New("seal: wrapped identity is corrupt, or bound to another organisation")
	ErrBadKeyLength = errors.New("seal: key must be 32 bytes")
	errNilIdentity  = errors.New("seal: nil identity")
)

const (
	identityFormat   byte = 1
	identityAADLabel      = "nrm/seal/identity"
)

// OrgIdentity is an organisation's age private key. Its String and Format
// methods never print the key.
type OrgIdentity struct {
	kind Kind
	id   age.Identity
	rcpt Recipient
}

// Recipient is an organisation's age public key.
type Recipient struct {
	kind Kind
	r    age.Recipient
	s    string
}

// GenerateIdentity creates a new random identity of the given kind.
func GenerateIdentity(kind Kind) (*OrgIdentity, error) {
	switch kind {
	case KindHybrid:
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			return nil, fmt.Errorf("seal: generate identity: %w", err)
		}
		r := id.Recipient()
		return &OrgIdentity{kind: kind, id: id, rcpt: Recipient{kind: kind, r: r, s: r.String()}}, nil
	case KindX25519:
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return nil, fmt.Errorf("seal: generate identity: %w", err)
		}
		r := id.Recipient()
		return &OrgIdentity{kind: kind, id: id, rcpt: Recipient{kind: kind, r: r, s: r.String()}}, nil
	}
	return nil, fmt.Errorf("seal: generate identity: %w", ErrUnknownKind)
}

// Kind returns the identity's kind.
func (o *OrgIdentity) Kind() Kind { return o.kind }

// Recipient returns the public key, "age1pq1…" or "age1…".
func (o *OrgIdentity) Recipient() string { return o.rcpt.s }

// PublicKey returns the parsed public key.
func (o *OrgIdentity) PublicKey() Recipient { return o.rcpt }

// String never reveals the private key.
func (o *OrgIdentity) String() string { return "seal.OrgIdentity(" + o.kind.String() + ", redacted)" }

// GoString never reveals the private key.
func (o *OrgIdentity) GoString() string { return o.String() }

func (o *OrgIdentity) secret() string {
	switch id := o.id.(type) {
	case *age.HybridIdentity:
		return id.String()
	case *age.X25519Identity:
		return id.String()
	}
	return ""
}

// ParseRecipient parses an age public key of either kind.
func ParseRecipient(s string) (Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "age1pq1"):
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return Recipient{}, fmt.Errorf("seal: parse recipient: %w", ErrBadRecipient)
		}
		return Recipient{kind: KindHybrid, r: r, s: r.String()}, nil
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return Recipient{}, fmt.Errorf("seal: parse recipient: %w", ErrBadRecipient)
		}
		return Recipient{kind: KindX25519, r: r, s: r.String()}, nil
	}
	return Recipient{}, fmt.Errorf("seal: parse recipient: %w", ErrBadRecipient)
}

// ParseRecipientKind parses an age public key and refuses one of another
// kind than the deployment's.
func ParseRecipientKind(kind Kind, s string) (Recipient, error) {
	r, err := ParseRecipient(s)
	if err != nil {
		return Recipient{}, err
	}
	if r.kind != kind {
		return Recipient{}, fmt.Errorf("seal: parse recipient: %w", ErrKindMismatch)
	}
	return r, nil
}

// Kind returns the recipient's kind; zero for the zero Recipient.
func (r Recipient) Kind() Kind { return r.kind }

// String returns the public key.
func (r Recipient) String() string { return r.s }

// WrapIdentity encrypts id for storage with XChaCha20-Poly1305 under
// wrapKey (the master subkey keys.PurposeWrap). The additional data binds the
// format version, the kind and orgID, so a wrapped identity copied to
// another organisation's row does not unwrap.
//
// Layout: version(1) | kind(1) | nonce(24) | ciphertext+tag.
func WrapIdentity(wrapKey []byte, orgID string, id *OrgIdentity) ([]byte, error) {
	if id == nil || id.id == nil {
		return nil, fmt.Errorf("seal: wrap identity: %w", errNilIdentity)
	}
	aead, err := newAEAD(wrapKey)
	if err != nil {
		return nil, fmt.Errorf("seal: wrap identity: %w", err)
	}
	out := make([]byte, 2+chacha20poly1305.NonceSizeX, 2+chacha20poly1305.NonceSizeX+len(id.secret())+aead.Overhead())
	out[0], out[1] = identityFormat, byte(id.kind)
	if _, err := rand.Read(out[2:]); err != nil {
		return nil, fmt.Errorf("seal: wrap identity: %w", err)
	}
	nonce := out[2 : 2+chacha20poly1305.NonceSizeX]
	return aead.Seal(out, nonce, []byte(id.secret()), identityAAD(out[0], id.kind, orgID)), nil
}

// UnwrapIdentity reverses WrapIdentity for the same orgID.
func UnwrapIdentity(wrapKey []byte, orgID string, blob []byte) (*OrgIdentity, error) {
	aead, err := newAEAD(wrapKey)
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap identity: %w", err)
	}
	if len(blob) < 2+chacha20poly1305.NonceSizeX+aead.Overhead() || blob[0] != identityFormat {
		return nil, fmt.Errorf("seal: unwrap identity: %w", ErrWrappedIdent)
	}
	kind := Kind(blob[1])
	if kind != KindHybrid && kind != KindX25519 {
		return nil, fmt.Errorf("seal: unwrap identity: %w", ErrWrappedIdent)
	}
	nonce := blob[2 : 2+chacha20poly1305.NonceSizeX]
	secret, err := aead.Open(nil, nonce, blob[2+chacha20poly1305.NonceSizeX:], identityAAD(blob[0], kind, orgID))
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap identity: %w", ErrWrappedIdent)
	}
	defer clear(secret)
	return parseIdentity(kind, string(secret))
}

func parseIdentity(kind Kind, s string) (*OrgIdentity, error) {
	switch kind {
	case KindHybrid:
		id, err := age.ParseHybridIdentity(s)
		if err != nil {
			return nil, fmt.Errorf("seal: unwrap identity: %w", ErrWrappedIdent)
		}
		r := id.Recipient()
		return &OrgIdentity{kind: kind, id: id, rcpt: Recipient{kind: kind, r: r, s: r.String()}}, nil
	case KindX25519:
		id, err := age.ParseX25519Identity(s)
		if err != nil {
			return nil, fmt.Errorf("seal: unwrap identity: %w", ErrWrappedIdent)
		}
		r := id.Recipient()
		return &OrgIdentity{kind: kind, id: id, rcpt: Recipient{kind: kind, r: r, s: r.String()}}, nil
	}
	return nil, fmt.Errorf("seal: unwrap identity: %w", ErrUnknownKind)
}

func identityAAD(version byte, kind Kind, orgID string) []byte {
	var b []byte
	b = wire.AppendString(b, identityAADLabel)
	b = append(b, version, byte(kind))
	return wire.AppendString(b, orgID)
}
