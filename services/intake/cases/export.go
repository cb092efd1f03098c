package cases

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// ExportSections reads the case as Get does and returns the named
// sections the caller may read.
func (s *Cases) ExportSections(ctx context.Context, caseID string, names []string) (map[string]json.RawMessage, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	if !casefile.ValidID(caseID) {
		return nil, s.deny(ctx, "intake.case.export", caseID)
	}
	if err := s.cw.RefuseDuringBreakGlass(ctx, s.db, p, caseID); err != nil {
		return nil, s.finish(ctx, err, "intake.case.export", caseID)
	}
	c, err := s.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	// The export takes the sections out of intake: recorded, and told to
	// a child's guardian, before anything leaves.
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.case.export", "case", caseID, event.Allowed))
	}); err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(names))
	for _, n := range names {
		if b, ok := c.Sections[n]; ok {
			out[n] = b
		}
	}
	return out, nil
}
