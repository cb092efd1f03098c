package intake

import (
	"errors"
	"fmt"
	"slices"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// Retention classes (casefile.RetentionIdentity and the rest).
const (
	retentionIdentity   = casefile.RetentionIdentity
	retentionSupport    = casefile.RetentionSupport
	retentionDecision   = casefile.RetentionDecision
	retentionAttachment = casefile.RetentionAttachment
)

// caseClasses are made when a case is registered (keys.CaseKeys.NewCase).
var caseClasses = casefile.CaseClasses

var sectionClass = casefile.SectionClass

func entryClass(typ string) string {
	switch typ {
	case entryDecision, entryLetter:
		return retentionDecision
	case EntryAttachment:
		return retentionAttachment
	}
	return retentionSupport
}

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
// seal.OpenSections as the service does, for tools and tests that open
// wraps outside it.
func CaseRetention(store *keys.CaseKeys, caseID string) seal.RetentionKeys {
	return &caseRetention{store: store, caseID: caseID}
}

// unlock is the option that opens caseID's locked grant groups.
func (s *service) unlock(caseID string) seal.WrapOption {
	return seal.WithRetentionKeys(&caseRetention{store: s.caseKeys, caseID: caseID})
}

// wrapKeys wraps grants to recipient with each class locked by the case's
// key for it; a case without keys (one registered before they existed)
// gets all its classes at once. ring, when not nil, is the case's keys as
// the caller already holds them (a registration's, just made): they are
// not read again.
func (s *service) wrapKeys(caseID string, ring *keys.CaseRing, recipient seal.Recipient, grants []seal.KeyGrant) ([]byte, error) {
	var classes []string
	for _, g := range grants {
		if !slices.Contains(classes, g.RetentionClass) {
			classes = append(classes, g.RetentionClass)
		}
	}
	var err error
	if ring == nil {
		if ring, err = s.caseKeys.Load(caseID); err != nil {
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
			missing = append(missing, caseClasses...)
		}
		if ring, err = s.caseKeys.Ensure(caseID, missing...); err != nil {
			return nil, err
		}
	}
	return seal.Wrap(recipient, grants, seal.WithRetentionKeys(&caseRetention{store: s.caseKeys, caseID: caseID, ring: ring}))
}
