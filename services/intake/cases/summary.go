package cases

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Summary is what routing needs to know about a case: codes and counts,
// never section content. Reading it decrypts nothing.
type Summary struct {
	ID             string   `json:"id"`
	OwnerOrg       string   `json:"owner_org"`
	Route          string   `json:"route"`
	Status         string   `json:"status"`
	Region         string   `json:"region"`
	Gender         string   `json:"gender"`
	AgeGroup       string   `json:"age_group"`
	TreatedAsChild bool     `json:"treated_as_child"`
	Needs          []string `json:"needs"`
	Languages      []string `json:"languages"`
	Dependants     int      `json:"dependants"`
}

// SummaryReader reads case summaries for the referral service.
type SummaryReader interface {
	Summary(ctx context.Context, caseID string) (Summary, error)
}

// Summary returns the case's routing attributes to whoever may see the
// case (owner, author, active grantee) and to coordinators, who route
// cases without reading them. Everyone else gets ErrNotFound and a denied
// audit event; every summary read is audited.
func (s *Cases) Summary(ctx context.Context, id string) (Summary, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Summary{}, err
	}
	var row store.CaseRow
	err = s.store.ReadTx(ctx, func(tx *sql.Tx) error {
		if row, err = s.store.CaseByID(ctx, tx, id, false); err != nil {
			if errors.Is(err, ErrNotFound) {
				return errDenied
			}
			return err
		}
		if row.Status == StatusDraft && row.OwnerOrg != p.OrgID {
			return errDenied
		}
		if p.HasRole(auth.RoleCoordinator) || row.OwnerOrg == p.OrgID {
			return nil
		}
		secs, err := s.store.Sections(ctx, tx, id)
		if err != nil {
			return err
		}
		grants, err := s.store.Grants(ctx, tx, id)
		if err != nil {
			return err
		}
		if !s.cw.CanSee(row, secs, s.cw.GrantsFor(p, grants), p.OrgID) {
			return errDenied
		}
		return nil
	})
	if errors.Is(err, errDenied) {
		return Summary{}, s.deny(ctx, "intake.case.summary", id)
	}
	if err != nil {
		return Summary{}, s.readFailed(ctx, id, err)
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.case.summary", "case", id, event.Allowed)); err != nil {
		return Summary{}, err
	}
	return Summary{
		ID: row.ID, OwnerOrg: row.OwnerOrg, Route: row.Route, Status: row.Status, Region: row.Region,
		Gender: row.Gender, AgeGroup: row.AgeGroup, TreatedAsChild: row.TreatedAsChild,
		Needs: slices.Clone(row.Needs), Languages: slices.Clone(row.Languages), Dependants: row.Dependants,
	}, nil
}
