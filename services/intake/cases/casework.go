package cases

import (
	"context"
	"database/sql"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// The case work cases runs on, under the names the service's code uses.

func (s *Cases) callerOrg(ctx context.Context) (auth.Principal, OrgInfo, error) {
	return s.cw.CallerOrg(ctx)
}

func (s *Cases) owned(ctx context.Context, tx *sql.Tx, p auth.Principal, id, action string) (store.CaseRow, error) {
	return s.cw.Owned(ctx, tx, p, id, action)
}

func (s *Cases) finish(ctx context.Context, err error, action, id string) error {
	return s.cw.Finish(ctx, err, action, id)
}

func (s *Cases) deny(ctx context.Context, action, id string) error { return s.cw.Deny(ctx, action, id) }

func (s *Cases) readFailed(ctx context.Context, id string, err error) error {
	return s.cw.ReadFailed(ctx, id, err)
}

func (s *Cases) audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	return s.cw.Audit(ctx, tx, events...)
}

func (s *Cases) auditAlone(ctx context.Context, events ...event.Audit) error {
	return s.cw.AuditAlone(ctx, events...)
}

func (s *Cases) emit(ctx context.Context, tx outbox.Execer, stats []facts.Event, audits ...event.Audit) error {
	return s.cw.Emit(ctx, tx, stats, audits...)
}

func (s *Cases) stats(ctx context.Context, tx *sql.Tx, events ...facts.Event) error {
	return s.cw.Stats(ctx, tx, events...)
}

func (s *Cases) statsEvent(typ, caseID string) facts.Event { return s.cw.StatsEvent(typ, caseID) }

func (s *Cases) pseudonym(caseID string) string { return s.cw.Pseudonym(caseID) }

func (s *Cases) buildWrap(caseID string, ring *keys.CaseRing, org string, version int, recipient seal.Recipient, held []seal.SectionID, grants []seal.KeyGrant) (store.WrapRow, error) {
	return s.cw.BuildWrap(caseID, ring, org, version, recipient, held, grants)
}

func (s *Cases) sectionMACs(org string, wrap []byte, secs []store.SectionRow, readable map[seal.SectionID]bool) map[seal.SectionID][]byte {
	return s.cw.SectionMACs(org, wrap, secs, readable)
}

func (s *Cases) emitNotices(ctx context.Context, tx outbox.Execer, ns ...notice.Notice) error {
	return s.cw.EmitNotices(ctx, tx, ns...)
}

func (s *Cases) countDenial(code string) { s.cw.CountDenial(code) }

// auditID keeps an id out of the event unless it is one intake issues: a
// malformed id might be anything a caller typed.
func auditID(id string) string {
	if casefile.ValidID(id) {
		return id
	}
	return ""
}
