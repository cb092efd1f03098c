package keyring

import (
	"errors"
	"fmt"
	"slices"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// ClassKeys are the cases' retention class keys (keys.CaseKeys) as
// seal uses them: a wrap locks each class's data keys under the case's
// key for that class, so destroying the class key purges them.
type ClassKeys struct {
	store *keys.CaseKeys
}

// NewClassKeys serves the class keys kept in store.
func NewClassKeys(store *keys.CaseKeys) ClassKeys { return ClassKeys{store: store} }

// caseRetention serves one case's class keys to seal, loading the case's
// key file on the first locked group: a destroyed key reads as purged
// (seal leaves those grants out), a missing one fails the unwrap.
type caseRetention struct {
	store  *keys.CaseKeys
	caseID string
	ring   *keys.CaseRing
}

func (r *caseRetention) RetentionKey(class string) ([]byte, error) {
	if r.ring == nil {
		ring, err := r.store.Load(r.caseID)
		if err != nil {
			return nil, err
		}
		r.ring = ring
	}
	k, err := r.ring.Key(class)
	if errors.Is(err, keys.ErrCaseKeyDestroyed) {
		return nil, fmt.Errorf("%w: %w", seal.ErrPurged, err)
	}
	return k, err
}

// CaseRetention serves caseID's class keys from store to seal.Unwrap and
// seal.OpenSections as intake does, for tools and tests that open wraps
// outside it.
func CaseRetention(store *keys.CaseKeys, caseID string) seal.RetentionKeys {
	return &caseRetention{store: store, caseID: caseID}
}

// Unlock is the option that opens caseID's locked grant groups.
func (c ClassKeys) Unlock(caseID string) seal.WrapOption {
	return seal.WithRetentionKeys(&caseRetention{store: c.store, caseID: caseID})
}

// Wrap wraps grants to recipient with each class locked by the case's key
// for it; a case without keys (one registered before they existed) gets
// all its classes at once. ring, when not nil, is the case's keys as the
// caller already holds them (a registration's, just made): they are not
// read again.
func (c ClassKeys) Wrap(caseID string, ring *keys.CaseRing, recipient seal.Recipient, grants []seal.KeyGrant) ([]byte, error) {
	var classes []string
	for _, g := range grants {
		if !slices.Contains(classes, g.RetentionClass) {
			classes = append(classes, g.RetentionClass)
		}
	}
	var err error
	if ring == nil {
		if ring, err = c.store.Load(caseID); err != nil {
			return nil, err
		}
	}
	var missing []string
	for _, class := range classes {
		if _, err := ring.Key(class); errors.Is(err, keys.ErrNoCaseKey) {
			missing = append(missing, class)
		}
	}
	if len(missing) > 0 {
		if len(ring.Classes()) == 0 {
			missing = append(missing, casefile.CaseClasses...)
		}
		if ring, err = c.store.Ensure(caseID, missing...); err != nil {
			return nil, err
		}
	}
	return seal.Wrap(recipient, grants, seal.WithRetentionKeys(&caseRetention{store: c.store, caseID: caseID, ring: ring}))
}
