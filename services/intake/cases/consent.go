package cases

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// consentRecords turns consent input into one record per purpose.
func (s *Cases) consentRecords(p auth.Principal, in ConsentInput) []Consent {
	var expires *time.Time
	if in.ExpiresOn != "" {
		t, _ := time.Parse(time.DateOnly, in.ExpiresOn)
		expires = &t
	}
	share := slices.Clone(in.ShareWith)
	if in.DataSharing && len(share) == 0 {
		share = slices.Clone(casefile.DefaultShareWith)
	}
	slices.Sort(share)
	share = slices.Compact(share)
	now := s.now()
	out := make([]Consent, 0, 3)
	for _, c := range []struct {
		purpose string
		granted bool
	}{{casefile.PurposeAssistance, in.Assistance}, {casefile.PurposeNRMSubmission, in.NRMReferral}, {casefile.PurposeDataSharing, in.DataSharing}} {
		if len(in.Purposes) > 0 && !slices.Contains(in.Purposes, c.purpose) {
			continue // not named: its record stands
		}
		r := Consent{
			ID: event.NewOrderedID(), Purpose: c.purpose, Granted: c.granted, ExplainedIn: in.ExplainedIn,
			Interpreter: in.Interpreter, RecordedBy: p.UserID, RecordedOrg: p.OrgID, RecordedAt: now, ExpiresAt: expires,
			ShareWith: []string{},
		}
		if c.purpose == casefile.PurposeDataSharing && c.granted {
			r.ShareWith = share
		}
		out = append(out, r)
	}
	return out
}

// recordConsents appends the records of in. With previous given (a draft
// update), a purpose whose latest record says the same is not repeated.
func (s *Cases) recordConsents(ctx context.Context, tx *sql.Tx, caseID string, p auth.Principal, in ConsentInput, previous []Consent) error {
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

func (s *Cases) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (Case, error) {
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
		revoked, err := s.cw.RevokeUncovered(ctx, tx, row, append(before, records...))
		if err != nil {
			return err
		}
		if err := s.cw.ConsentChanged(ctx, tx, p, row, append(before, records...)); err != nil {
			return err
		}
		// A keyed consent is recorded once; its answer shows the records
		// up to the last one it wrote.
		all := append(before, records...)
		if err := s.idem.Record(ctx, tx, http.StatusCreated, caseID, LastConsentID(all)); err != nil {
			return err
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
	return View(row, consents, nil, nil), nil
}

// linkInTx links the anonymous notification to row (not yet written when
// registering). Only the organisation that owns both may: an id alone
// proves nothing about who holds it.
func (s *Cases) linkInTx(ctx context.Context, tx *sql.Tx, row *store.CaseRow, notificationID string) error {
	if row.Route == casefile.RouteAnonymous || notificationID == row.ID {
		return ErrInvalidState
	}
	n, err := s.store.CaseByID(ctx, tx, notificationID, true)
	if errors.Is(err, ErrNotFound) || err == nil && (n.Route != casefile.RouteAnonymous || n.OwnerOrg != row.OwnerOrg) {
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

func (s *Cases) LinkNotification(ctx context.Context, caseID, notificationID string) error {
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
		if err := s.idem.Record(ctx, tx, http.StatusNoContent, caseID, notificationID); err != nil {
			return err
		}
		return s.store.UpdateCase(ctx, tx, &row)
	})
	return s.finish(ctx, err, "intake.notification.link", caseID)
}

// LastConsentID is the id of the newest of records (in the store's
// order), or "" when there is none: a keyed answer that lists consents
// names the last one it showed.
func LastConsentID(records []Consent) string {
	if len(records) == 0 {
		return ""
	}
	return records[len(records)-1].ID
}

// ConsentsUpTo is records cut after the one whose id is last: the list a
// first answer showed, without the records added since.
func ConsentsUpTo(records []Consent, last string) []Consent {
	for i, r := range records {
		if r.ID == last {
			return records[:i+1]
		}
	}
	return records[:0]
}
