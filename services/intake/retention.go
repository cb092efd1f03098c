package intake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Retention (workflow policy, "retention"). Counted from the closure of
// the support track, unless a legal hold stands:
//   - the support class (narrative, health and legal sections, support
//     entries) after support_years_after_closure, and the identity class
//     with it when the case has no decision;
//   - the attachment class after attachment_years_after_closure;
//   - the decision record is kept: the decisions rows (codes), the
//     decision class (sealed reasons and letters) and the identity section
//     they concern.
//
// A purge destroys the case's keys of the purged classes in the key
// directory (keys.CaseKeys), empties the entries and deletes their
// entry_keys rows, deletes the purged sections and rebuilds every wrap of
// the case without their data keys (SQLite: secure delete and a WAL
// checkpoint). Every data key sits in its wrap inside a group locked by
// its class key, so a copy of the database taken before the purge holds
// the purged content and wraps but no key that opens them. The keys are
// destroyed before the transaction commits: a failure in between leaves
// data that is unreadable, and the next run deletes it.

// PurgeReport counts what Admin.Purge destroyed.
type PurgeReport struct {
	Cases    int `json:"cases"`    // cases with something purged
	Entries  int `json:"entries"`  // entries whose content and keys were destroyed
	Sections int `json:"sections"` // sections deleted
	Held     int `json:"held"`     // closed cases kept because of a legal hold
}

// Purge destroys what the retention policy says has expired at now, case
// by case, each in one transaction with its audit event
// (intake.case.purge). nrm cases purge runs it; it is safe to run again.
func (a *Admin) Purge(ctx context.Context, now time.Time) (PurgeReport, error) {
	s := a.s
	ctx = auth.WithPrincipal(ctx, auth.System())
	var rep PurgeReport
	rows, err := s.db.QueryContext(ctx, `SELECT w.case_id, w.legal_hold, d.decided_at FROM case_workflow w
		JOIN decisions d ON d.case_id = w.case_id AND d.track = 'support' AND d.to_state = 'closed'
		WHERE w.support_state = 'closed' ORDER BY w.case_id, d.decided_at`)
	if err != nil {
		return rep, fmt.Errorf("intake: purge: %w", err)
	}
	type candidate struct {
		id     string
		held   bool
		closed time.Time
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.held, &c.closed); err != nil {
			rows.Close()
			return rep, fmt.Errorf("intake: purge: %w", err)
		}
		// The latest closure counts: rows come oldest first per case.
		if n := len(cands); n > 0 && cands[n-1].id == c.id {
			cands[n-1] = c
			continue
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("intake: purge: %w", err)
	}
	ret := s.pol.Retention
	for _, c := range cands {
		if c.held {
			rep.Held++
			continue
		}
		support := !now.Before(c.closed.AddDate(ret.SupportYearsAfterClosure, 0, 0))
		attach := !now.Before(c.closed.AddDate(ret.AttachmentYearsAfterClosure, 0, 0))
		if !support && !attach {
			continue
		}
		var entries, sections int
		err := s.ring.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			entries, sections, err = s.purgeCase(ctx, tx, c.id, support, attach)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("intake: purge case %s: %w", c.id, err)
		}
		if entries+sections > 0 {
			rep.Cases++
			rep.Entries += entries
			rep.Sections += sections
		}
	}
	if rep.Cases > 0 && s.db.Engine == db.SQLite {
		var busy, frames, done int
		if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
			return rep, fmt.Errorf("intake: purge: checkpoint: %w", err)
		}
		if busy != 0 {
			_ = level.Warn(s.log).Log("msg", "purge: WAL checkpoint blocked by readers; old frames remain until the next checkpoint")
		}
	}
	return rep, nil
}

// purgeCase purges one case in tx; a legal hold placed since the scan, or
// a reopened support track, stops it.
func (s *service) purgeCase(ctx context.Context, tx *sql.Tx, caseID string, support, attach bool) (int, int, error) {
	c, err := s.store.CaseByID(ctx, tx, caseID, true)
	if err != nil {
		return 0, 0, err
	}
	w, err := s.store.Workflow(ctx, tx, c)
	if err != nil {
		return 0, 0, err
	}
	if w.LegalHold || w.SupportState != SupportClosed {
		return 0, 0, nil
	}
	var classes []string
	if support {
		classes = append(classes, retentionSupport)
		decided, err := s.store.Decisions(ctx, tx, c.ID)
		if err != nil {
			return 0, 0, err
		}
		if !slices.ContainsFunc(decided, func(d DecisionRecord) bool { return d.Track == "decision" }) {
			classes = append(classes, retentionIdentity)
		}
	}
	if attach {
		classes = append(classes, retentionAttachment)
	}
	ring, err := s.caseKeys.Load(caseID)
	if err != nil {
		return 0, 0, err
	}
	live := ring.Classes()
	rows, err := tx.QueryContext(ctx, `SELECT id, retention_class FROM entries WHERE case_id = $1 AND purged_at IS NULL`, caseID)
	if err != nil {
		return 0, 0, fmt.Errorf("intake: purge entries: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id, class string
		if err := rows.Scan(&id, &class); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("intake: purge entries: %w", err)
		}
		if slices.Contains(classes, class) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("intake: purge entries: %w", err)
	}
	now := s.now()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM entry_keys WHERE entry_id = $1`, id); err != nil {
			return 0, 0, fmt.Errorf("intake: purge entry keys: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET sealed = $2, purged_at = $3 WHERE id = $1`, id, []byte{}, now); err != nil {
			return 0, 0, fmt.Errorf("intake: purge entry: %w", err)
		}
	}
	sections, err := s.purgeSections(ctx, tx, c, classes)
	if err != nil {
		return 0, 0, err
	}
	var destroy []string
	for _, class := range classes {
		if slices.Contains(live, class) {
			destroy = append(destroy, class)
		}
	}
	if len(ids)+sections+len(destroy) == 0 {
		return 0, 0, nil
	}
	if err := s.caseKeys.Destroy(caseID, destroy...); err != nil {
		return 0, 0, fmt.Errorf("intake: purge: destroy case keys: %w", err)
	}
	return len(ids), sections, s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.case.purge", "case", caseID, event.Allowed))
}

// purgeSections deletes the sections of the purged classes and rewrites
// every wrap of the case without their data keys and MACs.
func (s *service) purgeSections(ctx context.Context, tx *sql.Tx, c store.CaseRow, classes []string) (int, error) {
	secs, err := s.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	var keep []store.SectionRow
	purged := map[seal.SectionID]bool{}
	for _, sec := range secs {
		if slices.Contains(classes, sectionClass(sec.Header.Section)) {
			purged[sec.Header.ID()] = true
		} else {
			keep = append(keep, sec)
		}
	}
	if len(purged) == 0 {
		return 0, nil
	}
	wraps, err := s.store.WrapsOfCase(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	for _, w := range wraps {
		keys, err := s.openOwnKeys(ctx, tx, c.ID, w.OrgID)
		if err != nil {
			return 0, err
		}
		held := map[seal.SectionID]bool{}
		for _, id := range w.Held {
			if !purged[id] {
				held[id] = true
			}
		}
		readable := readableFor(keep, grants, w.OrgID)
		for id := range readable {
			if !held[id] {
				delete(readable, id)
			}
		}
		if err := s.writeWrap(ctx, tx, c.ID, w.OrgID, keep, held, readable, keys); err != nil {
			return 0, err
		}
	}
	for id := range purged {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sections WHERE case_id = $1 AND section = $2 AND version = $3`,
			c.ID, id.Section, id.Version); err != nil {
			return 0, fmt.Errorf("intake: purge section: %w", err)
		}
	}
	return len(purged), nil
}
