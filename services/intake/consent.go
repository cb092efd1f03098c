package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// consentRecords turns consent input into one record per purpose.
func (s *service) consentRecords(p auth.Principal, in ConsentInput) []Consent {
	var expires *time.Time
	if in.ExpiresOn != "" {
		t, _ := time.Parse(time.DateOnly, in.ExpiresOn)
		expires = &t
	}
	share := slices.Clone(in.ShareWith)
	if in.DataSharing && len(share) == 0 {
		share = slices.Clone(DefaultShareWith)
	}
	slices.Sort(share)
	share = slices.Compact(share)
	now := s.now()
	out := make([]Consent, 0, 3)
	for _, c := range []struct {
		purpose string
		granted bool
	}{{PurposeAssistance, in.Assistance}, {PurposeNRMSubmission, in.NRMReferral}, {PurposeDataSharing, in.DataSharing}} {
		if len(in.Purposes) > 0 && !slices.Contains(in.Purposes, c.purpose) {
			continue // not named: its record stands
		}
		r := Consent{
			ID: event.NewOrderedID(), Purpose: c.purpose, Granted: c.granted, ExplainedIn: in.ExplainedIn,
			Interpreter: in.Interpreter, RecordedBy: p.UserID, RecordedOrg: p.OrgID, RecordedAt: now, ExpiresAt: expires,
			ShareWith: []string{},
		}
		if c.purpose == PurposeDataSharing && c.granted {
			r.ShareWith = share
		}
		out = append(out, r)
	}
	return out
}

// recordConsents appends the records of in. With previous given (a draft
// update), a purpose whose latest record says the same is not repeated.
func (s *service) recordConsents(ctx context.Context, tx *sql.Tx, caseID string, p auth.Principal, in ConsentInput, previous []Consent) error {
	var records []Consent
	for _, r := range s.consentRecords(p, in) {
		if last, ok := latest(previous, r.Purpose); ok && sameConsent(last, r) {
			continue
		}
		records = append(records, r)
	}
	return s.store.InsertConsents(ctx, tx, caseID, records)
}

func sameConsent(a, b Consent) bool {
	return a.Granted == b.Granted && slices.Equal(a.ShareWith, b.ShareWith) && a.ExplainedIn == b.ExplainedIn &&
		a.Interpreter == b.Interpreter && (a.ExpiresAt == nil) == (b.ExpiresAt == nil) &&
		(a.ExpiresAt == nil || a.ExpiresAt.Equal(*b.ExpiresAt))
}

// latest, consentCurrent and sharingCovers are the domain's rules of
// consent (casefile/consent.go).
var (
	latest         = casefile.LatestConsent
	consentCurrent = casefile.CurrentConsent
	sharingCovers  = casefile.SharingCovers
)

func (s *service) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (Case, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Case{}, err
	}
	if err := validateConsentInput(in); err != nil {
		return Case{}, err
	}
	var row store.CaseRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if row, err = s.owned(ctx, tx, p, caseID, "intake.consent.record"); err != nil {
			return err
		}
		before, err := s.store.Consents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		records := s.consentRecords(p, in)
		var changes []facts.Event
		for _, r := range records {
			if err := s.store.InsertConsent(ctx, tx, caseID, r); err != nil {
				return err
			}
			_, was := consentCurrent(before, r.Purpose, s.now())
			if was != r.Granted {
				e := s.statsEvent(facts.Consent, caseID)
				granted := r.Granted
				e.Purpose, e.Granted = r.Purpose, &granted
				changes = append(changes, e)
			}
		}
		revoked, err := s.revokeUncovered(ctx, tx, row, append(before, records...))
		if err != nil {
			return err
		}
		for _, hook := range s.onConsent {
			if err := hook(ctx, tx, p, row, append(before, records...)); err != nil {
				return err
			}
		}
		events := []event.Audit{s.rec.New(ctx, "intake.consent.record", "case", caseID, event.Allowed)}
		for _, g := range revoked {
			events = append(events, s.rec.New(ctx, "intake.grant.revoke", "grant", g, event.Allowed))
		}
		if err := s.stats(ctx, tx, changes...); err != nil {
			return err
		}
		return s.audit(ctx, tx, events...)
	})
	if err != nil {
		return Case{}, s.finish(ctx, err, "intake.consent.record", caseID)
	}
	consents, err := s.store.Consents(ctx, s.db, caseID)
	if err != nil {
		return Case{}, err
	}
	return view(row, consents, nil, nil), nil
}

// revokeUncovered revokes the referral grants of an adult's case that the
// current data_sharing consent no longer covers (consent withdrawal), and
// rebuilds the grantees' wraps from the owner's keys.
func (s *service) revokeUncovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, records []Consent) ([]string, error) {
	if c.TreatedAsChild {
		return nil, nil
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	var revoked []string
	touched := map[string]bool{}
	for i, g := range grants {
		if g.Purpose != "referral" || g.Status == GrantRevoked {
			continue
		}
		o, err := s.orgs.Org(ctx, g.OrgID)
		if err != nil {
			return nil, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
		}
		if sharingCovers(records, o.Kind, s.now()) {
			continue
		}
		if err := s.store.SetGrantStatus(ctx, tx, g.ID, GrantRevoked, s.now()); err != nil {
			return nil, err
		}
		grants[i].Status = GrantRevoked
		if err := s.tellReferral(ctx, tx, g, grantchange.ReasonConsentWithdrawn); err != nil {
			return nil, err
		}
		revoked = append(revoked, g.ID)
		touched[g.OrgID] = true
	}
	if len(touched) == 0 {
		return nil, nil
	}
	secs, err := s.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	for org := range touched {
		if err := s.rebuildWrap(ctx, tx, c, secs, grants, org, c.OwnerOrg); err != nil {
			return nil, err
		}
	}
	return revoked, nil
}

// linkInTx links the anonymous notification to row (not yet written when
// registering). Only the organisation that owns both may: an id alone
// proves nothing about who holds it.
func (s *service) linkInTx(ctx context.Context, tx *sql.Tx, row *store.CaseRow, notificationID string) error {
	if row.Route == RouteAnonymous || notificationID == row.ID {
		return ErrInvalidState
	}
	n, err := s.store.CaseByID(ctx, tx, notificationID, true)
	if errors.Is(err, ErrNotFound) || err == nil && (n.Route != RouteAnonymous || n.OwnerOrg != row.OwnerOrg) {
		return errDenied
	}
	if err != nil {
		return err
	}
	if n.LinkedCaseID != "" || row.NotificationID != "" {
		return ErrInvalidState
	}
	n.LinkedCaseID, n.UpdatedAt = row.ID, s.now()
	if err := s.store.UpdateCase(ctx, tx, &n); err != nil {
		return err
	}
	row.NotificationID = notificationID
	e := s.statsEvent(facts.Linked, row.ID)
	e.LinkedKey = s.pseudonym(notificationID)
	if err := s.stats(ctx, tx, e); err != nil {
		return err
	}
	return s.audit(ctx, tx, s.rec.New(ctx, "intake.notification.link", "case", notificationID, event.Allowed))
}

func (s *service) LinkNotification(ctx context.Context, caseID, notificationID string) error {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		row, err := s.owned(ctx, tx, p, caseID, "intake.notification.link")
		if err != nil {
			return err
		}
		if err := s.linkInTx(ctx, tx, &row, notificationID); err != nil {
			return err
		}
		row.UpdatedAt = s.now()
		return s.store.UpdateCase(ctx, tx, &row)
	})
	return s.finish(ctx, err, "intake.notification.link", caseID)
}
