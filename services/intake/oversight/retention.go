package oversight

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
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
func (o *Oversight) Purge(ctx context.Context, now time.Time) (PurgeReport, error) {
	ctx = auth.WithPrincipal(ctx, auth.System())
	var rep PurgeReport
	cands, err := o.store.ClosedCases(ctx)
	if err != nil {
		return rep, err
	}
	ret := o.pol.Retention
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
		err := o.ring.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			entries, sections, err = o.purgeCase(ctx, tx, c.CaseID, support, attach)
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
		done, err := o.store.Checkpoint(ctx)
		if err != nil {
			return rep, err
		}
		if !done {
			_ = level.Warn(o.log).Log("msg", "purge: WAL checkpoint blocked by readers; old frames remain until the next checkpoint")
		}
	}
	return rep, nil
}

// purgeCase purges one case in tx; a legal hold placed since the scan, or
// a reopened support track, stops it.
func (o *Oversight) purgeCase(ctx context.Context, tx *sql.Tx, caseID string, support, attach bool) (int, int, error) {
	c, err := o.store.CaseByID(ctx, tx, caseID, true)
	if err != nil {
		return 0, 0, err
	}
	w, err := o.store.Workflow(ctx, tx, c)
	if err != nil {
		return 0, 0, err
	}
	if w.LegalHold || w.SupportState != casefile.SupportClosed {
		return 0, 0, nil
	}
	var classes []string
	if support {
		classes = append(classes, casefile.RetentionSupport)
		decided, err := o.store.Decisions(ctx, tx, c.ID)
		if err != nil {
			return 0, 0, err
		}
		if !slices.ContainsFunc(decided, func(d DecisionRecord) bool { return d.Track == "decision" }) {
			classes = append(classes, casefile.RetentionIdentity)
		}
	}
	if attach {
		classes = append(classes, casefile.RetentionAttachment)
	}
	ring, err := o.caseKeys.Load(caseID)
	if err != nil {
		return 0, 0, err
	}
	live := ring.Classes()
	entryIDs, entryClasses, err := o.store.LiveEntryClasses(ctx, tx, caseID)
	if err != nil {
		return 0, 0, err
	}
	var ids []string
	for i, id := range entryIDs {
		if slices.Contains(classes, entryClasses[i]) {
			ids = append(ids, id)
		}
	}
	now := o.now()
	for _, id := range ids {
		if err := o.store.PurgeEntry(ctx, tx, id, now); err != nil {
			return 0, 0, err
		}
	}
	sections, err := o.purgeSections(ctx, tx, c, classes)
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
	// A case the purge reaches is past its service: no provider reads it
	// any more, and referral is told so.
	if _, err := o.cw.RevokeReferralGrants(ctx, tx, c, grantchange.ReasonPurged); err != nil {
		return 0, 0, err
	}
	if err := o.caseKeys.Destroy(caseID, destroy...); err != nil {
		return 0, 0, fmt.Errorf("intake: purge: destroy case keys: %w", err)
	}
	return len(ids), sections, o.cw.Emit(ctx, tx, o.rec.New(ctx, "intake.case.purge", "case", caseID, event.Allowed))
}

// purgeSections deletes the sections of the purged classes and has every
// wrap of the case rewritten without their data keys and MACs.
func (o *Oversight) purgeSections(ctx context.Context, tx *sql.Tx, c store.CaseRow, classes []string) (int, error) {
	secs, err := o.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	var keep []store.SectionRow
	purged := map[seal.SectionID]bool{}
	for _, sec := range secs {
		if slices.Contains(classes, casefile.SectionClass(sec.Header.Section)) {
			purged[sec.Header.ID()] = true
		} else {
			keep = append(keep, sec)
		}
	}
	if len(purged) == 0 {
		return 0, nil
	}
	if err := o.cw.Rewrap(ctx, tx, c, keep, purged); err != nil {
		return 0, err
	}
	for id := range purged {
		if err := o.store.DeleteSection(ctx, tx, c.ID, id.Section, id.Version); err != nil {
			return 0, err
		}
	}
	return len(purged), nil
}
