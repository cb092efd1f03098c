package intake

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/store"
)

// ReadPathsAgree reads caseID as org on d (PostgreSQL) both in one
// statement and in the read transaction SQLite uses, and describes the
// first part of the two snapshots that differs.
func ReadPathsAgree(ctx context.Context, d *db.DB, caseID, org string) error {
	st := store.New(d)
	one, errOne := st.SnapshotOne(ctx, caseID, org)
	tx, errTx := st.SnapshotTx(ctx, caseID, org)
	switch {
	case errOne == nil && errTx == nil:
	case errors.Is(errOne, ErrNotFound) && errors.Is(errTx, ErrNotFound):
		return nil
	default:
		return fmt.Errorf("one statement: %v; transaction: %v", errOne, errTx)
	}
	parts := []struct {
		name     string
		one, txn any
	}{
		{"case row", one.Row, tx.Row}, {"sections", one.Secs, tx.Secs}, {"MACs", one.Macs, tx.Macs},
		{"grants", one.Grants, tx.Grants}, {"consents", one.Consents, tx.Consents},
	}
	for _, p := range parts {
		if !reflect.DeepEqual(p.one, p.txn) {
			return fmt.Errorf("%s differ:\none statement: %+v\ntransaction:  %+v", p.name, p.one, p.txn)
		}
	}
	return nil
}

// RegisterGroup prepares each of rs, as ctxs[i]'s caller, the way Register
// does, and commits them as one group, as registrations arriving together
// are under load. If broken is above 0, that registration is given the
// reference of the one before it, so that its write fails. It returns each
// registration's case or error.
func RegisterGroup(svc Service, ctxs []context.Context, rs []Registration, broken int) ([]Case, []error) {
	return RegisterGroupAfter(svc, ctxs, rs, broken, func() {})
}

// RegisterGroupAfter is RegisterGroup with between run after the
// registrations are prepared (sealed and wrapped) and before they are
// written.
func RegisterGroupAfter(svc Service, ctxs []context.Context, rs []Registration, broken int, between func()) ([]Case, []error) {
	s, ok := svc.(*service)
	if !ok {
		s = svc.(wakeRelay).Service.(idempotent).s
	}
	return s.Cases.RegisterTogether(ctxs, rs, broken, between)
}

// SectionMACs decodes a wrap row's stored section MACs, by "section:version".
func SectionMACs(b []byte) (map[string][]byte, error) {
	macs, err := keyring.DecodeMACs("", b)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for id, mac := range macs {
		out[fmt.Sprintf("%s:%d", id.Section, id.Version)] = mac
	}
	return out, nil
}

// EncodeSectionMACs is the stored form of macs, by "section:version".
func EncodeSectionMACs(macs map[string][]byte) []byte {
	m := map[seal.SectionID][]byte{}
	for k, mac := range macs {
		name, v, _ := strings.Cut(k, ":")
		n, _ := strconv.Atoi(v)
		m[seal.SectionID{Section: name, Version: n}] = mac
	}
	return keyring.EncodeMACs(m)
}
