package entrykeys

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/store"
)

// ErrIntegrity is keyring.ErrIntegrity: a MAC or a wrap that does not
// check.
var ErrIntegrity = keyring.ErrIntegrity

// What the entry keys need from below, each narrowed to the calls made:
// intake passes its *db.DB, *store.Store, *keyring.Ring and
// keyring.ClassKeys.
type (
	// DB runs a transaction.
	DB interface {
		Tx(ctx context.Context, fn func(tx *sql.Tx) error) error
	}
	// Store is the SQL over entries and entry_keys.
	Store interface {
		CaseByID(ctx context.Context, q store.Querier, id string, lock bool) (store.CaseRow, error)
		InsertEntry(ctx context.Context, q store.Querier, e store.NewEntry) error
		InsertEntryKey(ctx context.Context, q store.Querier, entryID, org string, version int, wrap, mac []byte) error
		UpdateEntryKey(ctx context.Context, q store.Querier, k store.EntryKey) error
		ResealEntry(ctx context.Context, q store.Querier, id string, sealed []byte) error
		EntryKeysBehind(ctx context.Context, q store.Querier, caseID, org string, version int) ([]store.EntryKey, error)
		EntryKeysOwned(ctx context.Context, q store.Querier, caseID, org string, all bool) ([]store.EntryKey, error)
		EntryKeyHolders(ctx context.Context, q store.Querier, caseID, entryID string) ([]store.EntryKey, error)
		EntryKeysNotHeldBy(ctx context.Context, q store.Querier, caseID, org, other string) ([]store.EntryKey, error)
		CasesEntryKeysBehind(ctx context.Context, org string, version int) ([]string, error)
	}
	// Ring is the organisations' key ring: the active key a wrap is made
	// to (share-locked in the caller's transaction), the identity of the
	// version a wrap names.
	Ring interface {
		ActiveRecipient(ctx context.Context, tx keyring.Querier, orgID string) (int, seal.Recipient, error)
		Identity(ctx context.Context, q keyring.Querier, orgID string, version int) (*seal.OrgIdentity, error)
	}
	// ClassKeys lock a wrap's data keys under the case's retention class
	// keys (keyring.ClassKeys).
	ClassKeys interface {
		Unlock(caseID string) seal.WrapOption
		Wrap(caseID string, ring *keys.CaseRing, recipient seal.Recipient, grants []seal.KeyGrant) ([]byte, error)
	}
)

// Config is what New needs.
type Config struct {
	DB        DB
	Store     Store
	Ring      Ring
	ClassKeys ClassKeys
	MACKey    []byte // keys.PurposeSectionMAC
}

// Keys seals entries and keeps their keys.
type Keys struct {
	db      DB
	store   Store
	ring    Ring
	classes ClassKeys
	macKey  []byte
}

// New returns the entry keys over cfg.
func New(cfg Config) *Keys {
	return &Keys{db: cfg.DB, store: cfg.Store, ring: cfg.Ring, classes: cfg.ClassKeys, macKey: cfg.MACKey}
}

// Section is the sealed header's section name of an entry.
func Section(id string) string { return "entry/" + id }

// Header is the sealed header of the case's entry id written by
// authorOrg: what its MACs cover.
func Header(caseID, id, authorOrg string) seal.Header {
	return seal.Header{CaseID: caseID, Section: Section(id), AuthorOrg: authorOrg}
}

func keyHeader(k store.EntryKey) seal.Header { return Header(k.CaseID, k.EntryID, k.AuthorOrg) }

// Sealed is an entry just sealed: its header, ciphertext and data key, to
// be wrapped to each organisation that reads it.
type Sealed struct {
	Header seal.Header
	Sealed seal.Sealed
	Key    seal.KeyGrant
}

// Seal seals content (the entry's plaintext, cleared after) under a new
// data key and stores the entry e (its Sealed set here), with no key yet.
func (k *Keys) Seal(ctx context.Context, tx *sql.Tx, e store.NewEntry, content []byte) (Sealed, error) {
	h := Header(e.CaseID, e.ID, e.AuthorOrg)
	sealed, key, err := seal.Seal(h, content)
	clear(content)
	if err != nil {
		return Sealed{}, fmt.Errorf("intake: case %s: seal entry: %w", e.CaseID, err)
	}
	e.Sealed = []byte(sealed)
	if err := k.store.InsertEntry(ctx, tx, e); err != nil {
		return Sealed{}, err
	}
	kg := seal.KeyGrant{KeyRef: seal.KeyRef{CaseID: e.CaseID, Section: h.Section, RetentionClass: e.RetentionClass}, Key: key}
	return Sealed{Header: h, Sealed: sealed, Key: kg}, nil
}

// Wrap wraps one entry key to org's active identity with the MAC binding
// the entry, its ciphertext, the wrap and the organisation.
func (k *Keys) Wrap(ctx context.Context, tx *sql.Tx, h seal.Header, sealed seal.Sealed, kg seal.KeyGrant, org string) error {
	version, recipient, err := k.ring.ActiveRecipient(ctx, tx, org)
	if err != nil {
		return err
	}
	wrap, err := k.classes.Wrap(h.CaseID, nil, recipient, []seal.KeyGrant{kg})
	if err != nil {
		return fmt.Errorf("intake: case %s: wrap entry key: %w", h.CaseID, err)
	}
	mac := seal.SectionMAC(k.macKey, h, sealed, wrap, org)
	return k.store.InsertEntryKey(ctx, tx, h.Section[len("entry/"):], org, version, wrap, mac)
}

// Open checks the entry's MAC and opens it with org's identity.
func (k *Keys) Open(ctx context.Context, q keyring.Querier, org string, e store.StoredEntry) ([]byte, error) {
	id, err := k.ring.Identity(ctx, q, org, e.KeyVersion)
	if err != nil {
		return nil, err
	}
	h := Header(e.CaseID, e.ID, e.AuthorOrg)
	pts, err := seal.OpenSections(id, org, k.macKey, e.Wrap, []seal.StoredSection{{Header: h, Sealed: e.Sealed, MAC: e.Mac}}, k.classes.Unlock(e.CaseID))
	if err != nil {
		return nil, fmt.Errorf("intake: open entry: %w: %w", ErrIntegrity, err)
	}
	return pts[h.ID()], nil
}

// Pass wraps to org the key of entry e that from holds, after checking
// from's MAC over it.
func (k *Keys) Pass(ctx context.Context, tx *sql.Tx, from, org string, e store.StoredEntry) error {
	id, err := k.ring.Identity(ctx, tx, from, e.KeyVersion)
	if err != nil {
		return err
	}
	h := Header(e.CaseID, e.ID, e.AuthorOrg)
	if err := seal.CheckSectionMAC(k.macKey, h, e.Sealed, e.Wrap, from, e.Mac); err != nil {
		return fmt.Errorf("intake: case %s: %w: %w", e.CaseID, ErrIntegrity, err)
	}
	kgs, err := seal.Unwrap(id, e.Wrap, k.classes.Unlock(e.CaseID))
	if err != nil || len(kgs) != 1 {
		return fmt.Errorf("intake: case %s: entry key: %w", e.CaseID, ErrIntegrity)
	}
	return k.Wrap(ctx, tx, h, e.Sealed, kgs[0], org)
}

// HandOver wraps to next, the case's new owner, the key of every entry
// prev holds and next does not.
func (k *Keys) HandOver(ctx context.Context, tx *sql.Tx, caseID, prev, next string) error {
	ks, err := k.store.EntryKeysNotHeldBy(ctx, tx, caseID, prev, next)
	if err != nil {
		return err
	}
	for _, ek := range ks {
		_, kg, err := k.open(ctx, tx, ek)
		if err != nil {
			return err
		}
		if err := k.Wrap(ctx, tx, keyHeader(ek), ek.Sealed, kg, next); err != nil {
			return err
		}
	}
	return nil
}

// open checks ek's MAC and unwraps its one data key with the identity
// version it names.
func (k *Keys) open(ctx context.Context, q keyring.Querier, ek store.EntryKey) (*seal.OrgIdentity, seal.KeyGrant, error) {
	if err := seal.CheckSectionMAC(k.macKey, keyHeader(ek), ek.Sealed, ek.Wrap, ek.OrgID, ek.Mac); err != nil {
		return nil, seal.KeyGrant{}, fmt.Errorf("intake: case %s: entry key: %w: %w", ek.CaseID, ErrIntegrity, err)
	}
	id, err := k.ring.Identity(ctx, q, ek.OrgID, ek.Version)
	if err != nil {
		return nil, seal.KeyGrant{}, err
	}
	kgs, err := seal.Unwrap(id, ek.Wrap, k.classes.Unlock(ek.CaseID))
	if err != nil || len(kgs) != 1 {
		return nil, seal.KeyGrant{}, fmt.Errorf("intake: case %s: entry key: %w", ek.CaseID, ErrIntegrity)
	}
	return id, kgs[0], nil
}
