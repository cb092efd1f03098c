package intake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
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
	cands, err := s.store.ClosedCases(ctx)
	if err != nil {
		return rep, err
	}
	ret := s.pol.Retention
	for _, c := range cands {
		if c.Held {
			rep.Held++
			continue
		}
		support := !now.Before(c.ClosedAt.AddDate(ret.SupportYearsAfterClosure, 0, 0))
		attach := !now.Before(c.ClosedAt.AddDate(ret.AttachmentYearsAfterClosure, 0, 0))
		if !support && !attach {
			continue
		}
		var entries, sections int
		err := s.ring.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			entries, sections, err = s.purgeCase(ctx, tx, c.CaseID, support, attach)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("intake: purge case %s: %w", c.CaseID, err)
		}
		if entries+sections > 0 {
			rep.Cases++
			rep.Entries += entries
			rep.Sections += sections
		}
	}
	if rep.Cases > 0 {
		done, err := s.store.Checkpoint(ctx)
		if err != nil {
			return rep, err
		}
		if !done {
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
	entryIDs, entryClasses, err := s.store.LiveEntryClasses(ctx, tx, caseID)
	if err != nil {
		return 0, 0, err
	}
	var ids []string
	for i, id := range entryIDs {
		if slices.Contains(classes, entryClasses[i]) {
			ids = append(ids, id)
		}
	}
	now := s.now()
	for _, id := range ids {
		if err := s.store.PurgeEntry(ctx, tx, id, now); err != nil {
			return 0, 0, err
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
		if err := s.store.DeleteSection(ctx, tx, c.ID, id.Section, id.Version); err != nil {
			return 0, err
		}
	}
	return len(purged), nil
}
