package intake

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/nrm-project/nrm/pkg/db"
)

// ReadPathsAgree reads caseID as org on d (PostgreSQL) both in one
// statement and in the read transaction SQLite uses, and describes the
// first part of the two snapshots that differs.
func ReadPathsAgree(ctx context.Context, d *db.DB, caseID, org string) error {
	st := &store{db: d}
	one, errOne := st.caseSnapshotOne(ctx, caseID, org)
	tx, errTx := st.caseSnapshotTx(ctx, caseID, org)
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
		{"case row", one.row, tx.row}, {"sections", one.secs, tx.secs}, {"MACs", one.macs, tx.macs},
		{"grants", one.grants, tx.grants}, {"consents", one.consents, tx.consents},
	}
	for _, p := range parts {
		if !reflect.DeepEqual(p.one, p.txn) {
			return fmt.Errorf("%s differ:\none statement: %+v\ntransaction:  %+v", p.name, p.one, p.txn)
		}
	}
	return nil
}
