package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Entry types of the case record (casefile/workflow.go): a caller adds
// EntryTypes; decision and decision_letter are written by the decision
// track itself.
const (
	EntryNote             = casefile.EntryNote
	EntryCorrection       = casefile.EntryCorrection
	EntryServiceDelivered = casefile.EntryServiceDelivered
	EntrySupportPlan      = casefile.EntrySupportPlan
	EntryInterview        = casefile.EntryInterview
	EntryAttachment       = casefile.EntryAttachment
	EntryAgeAssessment    = casefile.EntryAgeAssessment
	EntryBestInterests    = casefile.EntryBestInterests
	EntryProceedEarly     = casefile.EntryProceedEarly
	entryDecision         = casefile.EntryDecision
	entryLetter           = casefile.EntryLetter
)

// EntryTypes lists the types of POST /api/v1/cases/{id}/entries.
var EntryTypes = casefile.EntryTypes

// sealEntry seals content under a new data key and wraps the key for the
// author's organisation, the owner and every organisation holding, at
// write time, an active grant that covers the entry's class. It returns
// the entry's id.
func (s *service) sealEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, typ string, content any, supersedes string) (string, error) {
	pt, err := json.Marshal(content)
	if err != nil {
		return "", fmt.Errorf("intake: entry: %w", err)
	}
	id := event.NewID()
	e, err := s.entryKeys.Seal(ctx, tx, store.NewEntry{ID: id, CaseID: c.ID, Type: typ, Supersedes: supersedes,
		AuthorUser: p.UserID, AuthorOrg: p.OrgID, RetentionClass: casefile.EntryClass(typ), CreatedAt: s.now()}, pt)
	if err != nil {
		return "", err
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return "", err
	}
	var linkErr error
	class := entryClassOf(typ, supersedes, func(id string) (string, string) {
		t, sup, err := s.store.EntryLink(ctx, tx, c.ID, id)
		if err != nil && linkErr == nil {
			linkErr = err
		}
		return t, sup
	})
	if linkErr != nil {
		return "", linkErr
	}
	readers := []string{p.OrgID, c.OwnerOrg}
	var secs []store.SectionRow
	for _, g := range grants {
		if !grantCovers(g, class) || slices.Contains(readers, g.OrgID) {
			continue
		}
		if secs == nil {
			if secs, err = s.store.Sections(ctx, tx, c.ID); err != nil {
				return "", err
			}
		}
		ok, err := s.wrapStillValid(ctx, tx, c.ID, g.OrgID, secs, grants, g)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", err
		}
		if !ok {
			_ = level.Error(s.log).Log("msg", "an active grantee's wrap does not match the case: no entry key for it", "case", c.ID, "org", g.OrgID)
			continue
		}
		readers = append(readers, g.OrgID)
	}
	slices.Sort(readers)
	for _, org := range slices.Compact(readers) {
		if err := s.entryKeys.Wrap(ctx, tx, e.Header, e.Sealed, e.Key, org); err != nil {
			return "", err
		}
	}
	return id, nil
}

// mayReadEntry: the author and the owner read every entry whose key they
// hold, a grantee those of a class its grants cover (grants as grantsFor
// gives them to the caller).
func mayReadEntry(c store.CaseRow, grants []store.GrantRow, org string, e store.StoredEntry, class string) bool {
	if !e.HasKey {
		return false
	}
	return (e.AuthorOrg == org && authorReads(grants, org)) || c.OwnerOrg == org || orgCoversClass(grants, org, class)
}

// record is the case record as p may read it from stored: every entry,
// superseded ones marked, content only where p's organisation may open
// it. The read must be audited before.
func (s *service) record(ctx context.Context, p auth.Principal, c store.CaseRow, grants []store.GrantRow, stored []store.StoredEntry) ([]Entry, error) {
	superseded, links := map[string]string{}, map[string][2]string{}
	for _, e := range stored {
		links[e.ID] = [2]string{e.Type, e.Supersedes}
		if e.Supersedes != "" {
			superseded[e.Supersedes] = e.ID
		}
	}
	typeOf := func(id string) (string, string) { l := links[id]; return l[0], l[1] }
	out := make([]Entry, 0, len(stored))
	for _, e := range stored {
		e.SupersededBy = superseded[e.ID]
		if mayReadEntry(c, grants, p.OrgID, e, entryClassOf(e.Type, e.Supersedes, typeOf)) {
			pt, err := s.entryKeys.Open(ctx, s.db, p.OrgID, e)
			if err != nil {
				return nil, s.readFailed(ctx, c.ID, err)
			}
			e.Content = pt
		}
		out = append(out, e.Entry)
	}
	return out, nil
}

// shareEntries wraps to org the keys of the case's entries of the given
// types that from holds (a guardian's appointment): server-side, from the
// owner's wraps, as consent revocation does for sections.
func (s *service) shareEntries(ctx context.Context, tx *sql.Tx, caseID, from, org string, types []string) error {
	stored, err := s.store.Entries(ctx, tx, caseID, from)
	if err != nil {
		return err
	}
	for _, e := range stored {
		if !e.HasKey || !slices.Contains(types, e.Type) {
			continue
		}
		if err := s.entryKeys.Pass(ctx, tx, from, org, e); err != nil {
			return err
		}
	}
	return nil
}

// shareCovered wraps to org, from the owner's keys, the keys of the
// case's entries that org's grants now cover and that it does not hold:
// what a grant opens does not depend on whether an entry was written
// before it or after (the decision maker reads the interview recorded
// before the submission, the shelter the support notes written before it
// accepted).
func (s *service) shareCovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, org string, grants []store.GrantRow) error {
	if org == c.OwnerOrg {
		return nil
	}
	held, err := s.store.Entries(ctx, tx, c.ID, org)
	if err != nil {
		return err
	}
	holds := make(map[string]bool, len(held))
	for _, e := range held {
		holds[e.ID] = e.HasKey
	}
	owner, err := s.store.Entries(ctx, tx, c.ID, c.OwnerOrg)
	if err != nil {
		return err
	}
	links := make(map[string]store.StoredEntry, len(owner))
	for _, e := range owner {
		links[e.ID] = e
	}
	link := func(id string) (string, string) { e := links[id]; return e.Type, e.Supersedes }
	for _, e := range owner {
		if !e.HasKey || holds[e.ID] || !orgCoversClass(grants, org, entryClassOf(e.Type, e.Supersedes, link)) {
			continue
		}
		if err := s.entryKeys.Pass(ctx, tx, c.OwnerOrg, org, e); err != nil {
			return err
		}
	}
	return nil
}
