package outbox

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
)

// DenialRecorder audits authorisation denials of a service into its own
// outbox (it satisfies authz.DenialRecorder).
type DenialRecorder struct {
	DB       *db.DB
	Outbox   *Outbox
	Recorder event.Recorder
}

// NewDenialRecorder returns the denial recorder of service over its database.
func NewDenialRecorder(d *db.DB, service string, rec event.Recorder) *DenialRecorder {
	return &DenialRecorder{DB: d, Outbox: New(service), Recorder: rec}
}

// RecordDenial writes a denied event for object.action in its own
// transaction.
func (r *DenialRecorder) RecordDenial(ctx context.Context, object, action, objectID string) error {
	e := r.Recorder.New(ctx, object+"."+action, object, objectID, event.Denied)
	return r.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := r.Outbox.Audit(ctx, tx, e); err != nil {
			return fmt.Errorf("outbox: record denial: %w", err)
		}
		return nil
	})
}
