package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// The case work every intake service shares: who the caller is, the owner's
// hold on a case in a change, the answer to a refusal, who sees a case at
// all, a read that failed, and the grants a submission, a transfer and a
// consent withdrawal make or end. The cases service reaches them through
// Casework (cases_casework.go).

// callerOrg returns the caller and their organisation; a caller without
// one (the command line) may not touch cases.
func (s *service) callerOrg(ctx context.Context) (auth.Principal, OrgInfo, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return p, OrgInfo{}, err
	}
	if p.OrgID == "" {
		return p, OrgInfo{}, kit.ErrForbidden
	}
	o, err := s.orgs.Org(ctx, p.OrgID)
	if errors.Is(err, kit.ErrNotFound) {
		return p, OrgInfo{}, kit.ErrForbidden
	}
	if err != nil {
		return p, OrgInfo{}, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
	}
	return p, o, nil
}

// owned loads the case for a change by its owner organisation, locked
// until tx ends; anyone else gets a recorded denial (ErrNotFound).
func (s *service) owned(ctx context.Context, tx *sql.Tx, p auth.Principal, id, action string) (store.CaseRow, error) {
	c, err := s.store.CaseByID(ctx, tx, id, true)
	if errors.Is(err, ErrNotFound) || err == nil && c.OwnerOrg != p.OrgID {
		return store.CaseRow{}, errDenied
	}
	return c, err
}

// errDenied marks a denial inside a transaction; the caller records it
// outside (the transaction rolls back) and answers ErrNotFound.
var errDenied = casefile.ErrDenied

// auditedRefusals are the refusals to a signed-in user that finish audits
// as denials, by their code.
var auditedRefusals = map[string]error{
	CodeBreakGlassActive:      ErrBreakGlassActive,
	CodeBreakGlassReadOnly:    ErrBreakGlassReadOnly,
	CodeBestInterestsRecorder: ErrBestInterestsRecorder,
}

// finish turns errDenied into a recorded denial, and audits the
// refusals of auditedRefusals.
func (s *service) finish(ctx context.Context, err error, action, id string) error {
	if errors.Is(err, errDenied) {
		return s.deny(ctx, action, id)
	}
	for code, refusal := range auditedRefusals {
		if errors.Is(err, refusal) {
			s.metrics.denials.WithLabelValues(code).Inc()
			if aerr := s.auditAlone(ctx, s.rec.New(ctx, action, "case", auditID(id), event.Denied)); aerr != nil {
				return aerr
			}
			break
		}
	}
	return err
}

// canSee reports whether org may see the case at all: its owner, an
// author of a section, or the holder of an active grant. A pending
// grantee sees nothing until it accepts.
func canSee(c store.CaseRow, secs []store.SectionRow, grants []store.GrantRow, org string) bool {
	if org == "" {
		return false
	}
	if c.OwnerOrg == org {
		return true
	}
	if c.Status == StatusDraft {
		return false
	}
	for _, sec := range secs {
		if sec.Header.AuthorOrg == org && authorReads(grants, org) {
			return true
		}
	}
	for _, g := range grants {
		if g.OrgID == org && g.Status == GrantActive {
			return true
		}
	}
	return false
}

// readFailed logs and audits a read that could not complete; an integrity
// failure is answered as such, anything else as unavailable.
func (s *service) readFailed(ctx context.Context, id string, err error) error {
	_ = level.Error(s.log).Log("msg", "case read failed", "case", id, "err", err)
	if errors.Is(err, ErrIntegrity) {
		_ = s.auditAlone(ctx, s.rec.New(ctx, "intake.case.integrity", "case", id, event.Failed))
		return ErrIntegrity
	}
	if errors.Is(err, ErrUnavailable) {
		return ErrUnavailable
	}
	return fmt.Errorf("intake: read case %s: %w", id, err)
}

// grantActive grants names to each organisation at once (a decision or
// a transfer), wrapping the keys from the caller's own organisation.
func (s *service) grantActive(ctx context.Context, tx *sql.Tx, c store.CaseRow, secs []store.SectionRow, user, source string, to []OrgInfo, names []string, purpose string) error {
	now := s.now()
	// A decision grant is the authority's relation to the case even when
	// the case holds no section to share: without it the case would never
	// reach a decision maker.
	if len(names) == 0 && purpose != "decision" {
		return nil
	}
	for _, o := range to {
		if o.ID == source {
			continue
		}
		g := store.GrantRow{Grant: Grant{
			ID: event.NewID(), CaseID: c.ID, OrgID: o.ID, Sections: names, Status: GrantActive,
			Purpose: purpose, GrantedBy: user, CreatedAt: now, UpdatedAt: now,
		}}
		if err := s.store.InsertGrant(ctx, tx, g); err != nil {
			return err
		}
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, o := range to {
		if o.ID == source || len(names) == 0 {
			continue
		}
		if err := s.rebuildWrap(ctx, tx, c, secs, grants, o.ID, source); err != nil {
			return err
		}
		if err := s.shareCovered(ctx, tx, c, o.ID, grants); err != nil {
			return err
		}
	}
	return nil
}

// revokeUncovered revokes the referral grants of an adult's case that the
// current data_sharing consent no longer covers (consent withdrawal), as
// every revocation does (revokeReaderFor): the grantee's wrap rebuilt from
// the owner's keys, what it lost re-keyed, its entry keys dropped. A
// grantee the directory no longer knows is not covered.
func (s *service) revokeUncovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, records []Consent) ([]string, error) {
	if c.TreatedAsChild {
		return nil, nil
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	var (
		revoked   []string
		uncovered = map[string]bool{} // grant ids
		orgs      []string            // their organisations, in grant order
		covers    = map[string]bool{} // by organisation, asked once each
	)
	for _, g := range grants {
		if g.Purpose != purposeReferral || g.Status == GrantRevoked {
			continue
		}
		covered, asked := covers[g.OrgID]
		if !asked {
			o, err := s.orgs.Org(ctx, g.OrgID)
			switch {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				return nil, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
			default:
				covered = casefile.SharingCovers(records, o.Kind, s.now())
			}
			covers[g.OrgID] = covered
		}
		if covered {
			continue
		}
		if !slices.Contains(orgs, g.OrgID) {
			orgs = append(orgs, g.OrgID)
		}
		uncovered[g.ID] = true
		revoked = append(revoked, g.ID)
	}
	for _, org := range orgs {
		match := func(g store.GrantRow) bool { return uncovered[g.ID] }
		if err := s.revokeReaderFor(ctx, tx, c, org, c.OwnerOrg, grantchange.ReasonConsentWithdrawn, match); err != nil {
			return nil, err
		}
	}
	return revoked, nil
}
