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
)

// Retention (workflow policy, "retention"). Counted from the closure of
// the support track, unless a legal hold stands:
//   - support entries (notes, services, plans, interviews, corrections,
//     assessments, break-glass reasons) after support_years_after_closure;
//   - attachments after attachment_years_after_closure;
//   - the narrative, health and legal sections with the support entries,
//     and the identity section too when the case has no decision;
//   - the decision record is kept: the decisions rows (codes), the sealed
//     reasons and letters, and the identity section they concern.
//
// A purge empties the entry's ciphertext, deletes its entry_keys rows and
// the purged sections, and rebuilds every wrap of the case without the
// purged data keys (SQLite: secure delete and a WAL checkpoint). What it
// does not do: data keys live only in the database, wrapped to the
// organisations' identities, which are wrapped by the master key in the
// key directory. A database backup taken before the purge still holds the
// wraps and identities, so whoever holds that backup and the master key
// can still read the purged content. Backups must therefore expire within
// the retention period's margin; destroying keys in the key directory per
// retention class (seal.WithRetentionKeys) is the remedy, not built yet.

// PurgeReport counts what Admin.Purge destroyed.
type PurgeReport struct {
	Cases    int `json:"cases"`    // cases with something purged
	Entries  int `json:"entries"`  // entries whose content and keys were destroyed
	Sections int `json:"sections"` // sections deleted
	Held     int `json:"held"`     // closed cases kept because of a legal hold
}

// purgedSections are the registration sections purged with the support
// record; identity goes too when no decision was recorded.
var purgedSections = []string{SectionNarrative, SectionHealth, SectionLegal}

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
	ret := s.policy().Retention
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
		err := s.keyRingTx(ctx, func(tx *sql.Tx) error {
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
	c, err := s.store.caseByID(ctx, tx, caseID, true)
	if err != nil {
		return 0, 0, err
	}
	w, err := s.store.workflow(ctx, tx, c)
	if err != nil {
		return 0, 0, err
	}
	if w.LegalHold || w.SupportState != SupportClosed {
		return 0, 0, nil
	}
	var types []string
	if support {
		types = append(types, EntryNote, EntryCorrection, EntryServiceDelivered, EntrySupportPlan, EntryInterview,
			EntryAgeAssessment, EntryBestInterests, entryBreakGlass)
	}
	if attach {
		types = append(types, EntryAttachment)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, type FROM entries WHERE case_id = $1 AND purged_at IS NULL`, caseID)
	if err != nil {
		return 0, 0, fmt.Errorf("intake: purge entries: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id, typ string
		if err := rows.Scan(&id, &typ); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("intake: purge entries: %w", err)
		}
		if slices.Contains(types, typ) {
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
	sections := 0
	if support {
		if sections, err = s.purgeSections(ctx, tx, c); err != nil {
			return 0, 0, err
		}
	}
	if len(ids)+sections == 0 {
		return 0, 0, nil
	}
	return len(ids), sections, s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.case.purge", "case", caseID, event.Allowed))
}

// purgeSections deletes the purged sections and their MACs and rewrites
// every wrap of the case without their data keys.
func (s *service) purgeSections(ctx context.Context, tx *sql.Tx, c caseRow) (int, error) {
	names := slices.Clone(purgedSections)
	decided, err := s.store.decisions(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	if !slices.ContainsFunc(decided, func(d DecisionRecord) bool { return d.Track == "decision" }) {
		names = append(names, SectionIdentity)
	}
	secs, err := s.store.sections(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	var keep []sectionRow
	purged := map[seal.SectionID]bool{}
	for _, sec := range secs {
		if slices.Contains(names, sec.Header.Section) {
			purged[sec.Header.ID()] = true
		} else {
			keep = append(keep, sec)
		}
	}
	if len(purged) == 0 {
		return 0, nil
	}
	wraps, err := s.store.wrapsOfCase(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	grants, err := s.store.grants(ctx, tx, c.ID)
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
		if _, err := tx.ExecContext(ctx, `DELETE FROM section_macs WHERE case_id = $1 AND section = $2 AND version = $3`,
			c.ID, id.Section, id.Version); err != nil {
			return 0, fmt.Errorf("intake: purge section MACs: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sections WHERE case_id = $1 AND section = $2 AND version = $3`,
			c.ID, id.Section, id.Version); err != nil {
			return 0, fmt.Errorf("intake: purge section: %w", err)
		}
	}
	return len(purged), nil
}
