package intake

import (
	"context"
	"errors"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/cases"
)

// Keyed operations: a request carrying an Idempotency-Key is carried out
// once per caller and key (pkg/idempotency); its outcome is recorded in
// the write's transaction with the ids the answer is rebuilt from.
const (
	opRegister          = "intake.case.register"
	opTransition        = "intake.case.transition"
	opSupportTransition = "intake.support.transition"
	opAddEntry          = "intake.entry.create"
	opBreakGlass        = "intake.break_glass.open"
	opDisclose          = "intake.disclosure"
	opConsent           = "intake.consent.record"
	opTransfer          = "intake.case.transfer"
	opLink              = "intake.notification.link"
	opDuplicate         = "intake.duplicate.decide"
	opGrant             = "intake.grant.create"
	opGuardian          = "intake.guardian.appoint"
	opRoute             = "intake.case.route"
	opHoldPlace         = "intake.legal_hold.place"
	opHoldRelease       = "intake.legal_hold.release"
)

// actionReplay is the audit action of an answer given again to a retried
// request: every replay is audited before it is answered, as a read of the
// case it names, whatever the answer holds.
const actionReplay = "intake.request.replay"

// idempotent makes the creating methods of Service honour a key in the
// context (from the HTTP header, or set by an in-process caller such as
// the web pages); the others pass through.
type idempotent struct {
	Service
	s *service
}

type keyedRequest[T any] struct {
	CaseID string `json:"case_id"`
	Body   T      `json:"body"`
}

func (m idempotent) Register(ctx context.Context, r Registration) (Case, error) {
	return idempotency.Do(ctx, m.s.idem, opRegister, r,
		func(ctx context.Context) (Case, error) { return m.Service.Register(ctx, r) }, m.s.replayRegistration)
}

func (m idempotent) Transition(ctx context.Context, caseID string, t TransitionRequest) (Workflow, error) {
	return idempotency.Do(ctx, m.s.idem, opTransition, keyedRequest[TransitionRequest]{caseID, t},
		func(ctx context.Context) (Workflow, error) { return m.Service.Transition(ctx, caseID, t) }, m.s.replayWorkflow)
}

func (m idempotent) SupportTransition(ctx context.Context, caseID string, t TransitionRequest) (Workflow, error) {
	return idempotency.Do(ctx, m.s.idem, opSupportTransition, keyedRequest[TransitionRequest]{caseID, t},
		func(ctx context.Context) (Workflow, error) { return m.Service.SupportTransition(ctx, caseID, t) }, m.s.replayWorkflow)
}

func (m idempotent) AddEntry(ctx context.Context, caseID string, in EntryInput) (Entry, error) {
	return idempotency.Do(ctx, m.s.idem, opAddEntry, keyedRequest[EntryInput]{caseID, in},
		func(ctx context.Context) (Entry, error) { return m.Service.AddEntry(ctx, caseID, in) }, m.s.replayEntry)
}

func (m idempotent) BreakGlass(ctx context.Context, caseID string, in BreakGlassInput) (BreakGlass, error) {
	return idempotency.Do(ctx, m.s.idem, opBreakGlass, keyedRequest[BreakGlassInput]{caseID, in},
		func(ctx context.Context) (BreakGlass, error) { return m.Service.BreakGlass(ctx, caseID, in) }, m.s.replayBreakGlass)
}

func (m idempotent) Disclose(ctx context.Context, caseID string, in DisclosureInput) (Disclosure, error) {
	return idempotency.Do(ctx, m.s.idem, opDisclose, keyedRequest[DisclosureInput]{caseID, in},
		func(ctx context.Context) (Disclosure, error) { return m.Service.Disclose(ctx, caseID, in) }, m.s.replayDisclosure)
}

func (m idempotent) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (Case, error) {
	return idempotency.Do(ctx, m.s.idem, opConsent, keyedRequest[ConsentInput]{caseID, in},
		func(ctx context.Context) (Case, error) { return m.Service.RecordConsent(ctx, caseID, in) }, m.s.replayConsent)
}

func (m idempotent) Transfer(ctx context.Context, caseID, toOrg string) (Case, error) {
	return idempotency.Do(ctx, m.s.idem, opTransfer, keyedRequest[string]{caseID, toOrg},
		func(ctx context.Context) (Case, error) { return m.Service.Transfer(ctx, caseID, toOrg) }, m.s.replayTransfer)
}

func (m idempotent) LinkNotification(ctx context.Context, caseID, notificationID string) error {
	_, err := idempotency.Do(ctx, m.s.idem, opLink, keyedRequest[string]{caseID, notificationID},
		func(ctx context.Context) (struct{}, error) {
			return struct{}{}, m.Service.LinkNotification(ctx, caseID, notificationID)
		}, m.s.replayLink)
	return err
}

// keyedDecision is a decision on a possible duplicate as a keyed request.
type keyedDecision struct {
	DuplicateID string `json:"duplicate_id"`
	SamePerson  bool   `json:"same_person"`
}

func (m idempotent) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (Duplicate, error) {
	return idempotency.Do(ctx, m.s.idem, opDuplicate, keyedDecision{duplicateID, samePerson},
		func(ctx context.Context) (Duplicate, error) {
			return m.Service.ConfirmDuplicate(ctx, duplicateID, samePerson)
		},
		m.s.replayDuplicate)
}

func (m idempotent) GrantPending(ctx context.Context, g GrantRequest) (Grant, error) {
	return idempotency.Do(ctx, m.s.idem, opGrant, g,
		func(ctx context.Context) (Grant, error) { return m.Service.GrantPending(ctx, g) }, m.s.replayGrant)
}

func (m idempotent) AppointGuardian(ctx context.Context, caseID string, in GuardianInput) (Workflow, error) {
	return idempotency.Do(ctx, m.s.idem, opGuardian, keyedRequest[GuardianInput]{caseID, in},
		func(ctx context.Context) (Workflow, error) { return m.Service.AppointGuardian(ctx, caseID, in) }, m.s.replayWorkflow)
}

func (m idempotent) ChangeRoute(ctx context.Context, caseID string, in RouteChange) (Workflow, error) {
	return idempotency.Do(ctx, m.s.idem, opRoute, keyedRequest[RouteChange]{caseID, in},
		func(ctx context.Context) (Workflow, error) { return m.Service.ChangeRoute(ctx, caseID, in) }, m.s.replayWorkflow)
}

func (m idempotent) PlaceLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error) {
	return idempotency.Do(ctx, m.s.idem, opHoldPlace, keyedRequest[LegalHoldInput]{caseID, in},
		func(ctx context.Context) (LegalHold, error) { return m.Service.PlaceLegalHold(ctx, caseID, in) }, m.s.replayLegalHold)
}

func (m idempotent) ReleaseLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error) {
	return idempotency.Do(ctx, m.s.idem, opHoldRelease, keyedRequest[LegalHoldInput]{caseID, in},
		func(ctx context.Context) (LegalHold, error) { return m.Service.ReleaseLegalHold(ctx, caseID, in) }, m.s.replayLegalHold)
}

// replayed audits the replay of an answer about caseID before it is given.
func (s *service) replayed(ctx context.Context, caseID string) error {
	return s.auditAlone(ctx, s.rec.New(ctx, actionReplay, "case", caseID, event.Allowed))
}

// replayRegistration answers a registration again: the case's attributes
// and consents, as the first answer had them (no section content), to the
// organisation that still owns it.
func (s *service) replayRegistration(ctx context.Context, o idempotency.Outcome) (Case, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Case{}, err
	}
	row, err := s.store.CaseByID(ctx, s.db, o.ID(), false)
	if errors.Is(err, ErrNotFound) || err == nil && row.OwnerOrg != p.OrgID {
		return Case{}, s.deny(ctx, actionReplay, o.ID())
	}
	if err != nil {
		return Case{}, err
	}
	consents, err := s.store.Consents(ctx, s.db, row.ID)
	if err != nil {
		return Case{}, err
	}
	if err := s.replayed(ctx, row.ID); err != nil {
		return Case{}, err
	}
	return cases.View(row, consents, nil, nil), nil
}

// replayWorkflow answers a transition again with the case's tracks as
// they stand (the first answer was the tracks just after the move): a
// read, audited as one by Workflow, and the replay audited once the read
// was allowed (a user who lost access has a denied read, no replay).
func (s *service) replayWorkflow(ctx context.Context, o idempotency.Outcome) (Workflow, error) {
	wf, err := s.Workflow(ctx, o.ID())
	if err != nil {
		return Workflow{}, err
	}
	return wf, s.replayed(ctx, o.ID())
}

// replayEntry answers an entry's creation again: the entry without its
// content, as the first answer, to its author.
func (s *service) replayEntry(ctx context.Context, o idempotency.Outcome) (Entry, error) {
	p, err := auth.Required(ctx)
	if err != nil || len(o.IDs) != 2 {
		return Entry{}, errors.Join(err, kit.ErrNotFound)
	}
	caseID, id := o.IDs[0], o.IDs[1]
	e, err := s.store.AuthoredEntry(ctx, caseID, id, p.UserID)
	if errors.Is(err, ErrNotFound) {
		return Entry{}, s.deny(ctx, actionReplay, caseID)
	}
	if err != nil {
		return Entry{}, err
	}
	return e, s.replayed(ctx, caseID)
}

// replayBreakGlass answers an opening again, to the user who opened it.
func (s *service) replayBreakGlass(ctx context.Context, o idempotency.Outcome) (BreakGlass, error) {
	p, err := auth.Required(ctx)
	if err != nil || len(o.IDs) != 2 {
		return BreakGlass{}, errors.Join(err, kit.ErrNotFound)
	}
	b, err := s.store.BreakGlassByID(ctx, s.db, o.IDs[1], p.UserID, false)
	if errors.Is(err, ErrNotFound) {
		return BreakGlass{}, s.deny(ctx, actionReplay, o.IDs[0])
	}
	if err != nil {
		return BreakGlass{}, err
	}
	return b, s.replayed(ctx, b.CaseID)
}

// replayDisclosure answers a disclosure again, to its organisation.
func (s *service) replayDisclosure(ctx context.Context, o idempotency.Outcome) (Disclosure, error) {
	p, err := auth.Required(ctx)
	if err != nil || len(o.IDs) != 2 {
		return Disclosure{}, errors.Join(err, kit.ErrNotFound)
	}
	ds, err := s.store.Disclosures(ctx, s.db, o.IDs[0])
	if err != nil {
		return Disclosure{}, err
	}
	for _, d := range ds {
		if d.ID == o.IDs[1] && d.OrgID == p.OrgID {
			return d, s.replayed(ctx, d.CaseID)
		}
	}
	return Disclosure{}, s.deny(ctx, actionReplay, o.IDs[0])
}

// replayCase answers again with the case's attributes and its consent
// records up to the one the first answer showed last (lastConsent), no
// section content, to the organisation that owns the case now: owner;
// with unchangedSince, only while the case's last change is that one.
func (s *service) replayCase(ctx context.Context, caseID, owner, lastConsent string, unchangedSince *time.Time) (Case, error) {
	row, err := s.store.CaseByID(ctx, s.db, caseID, false)
	if errors.Is(err, ErrNotFound) || err == nil && (row.OwnerOrg != owner || unchangedSince != nil && !row.UpdatedAt.Equal(*unchangedSince)) {
		return Case{}, s.deny(ctx, actionReplay, caseID)
	}
	if err != nil {
		return Case{}, err
	}
	consents, err := s.store.Consents(ctx, s.db, row.ID)
	if err != nil {
		return Case{}, err
	}
	if err := s.replayed(ctx, row.ID); err != nil {
		return Case{}, err
	}
	return cases.View(row, cases.ConsentsUpTo(consents, lastConsent), nil, nil), nil
}

// replayConsent answers a consent record again, to the owner organisation.
func (s *service) replayConsent(ctx context.Context, o idempotency.Outcome) (Case, error) {
	p, err := auth.Required(ctx)
	if err != nil || len(o.IDs) != 2 {
		return Case{}, errors.Join(err, kit.ErrNotFound)
	}
	return s.replayCase(ctx, o.IDs[0], p.OrgID, o.IDs[1], nil)
}

// replayTransfer answers a transfer again, to the user of the previous
// owner who made it (the record is theirs alone), while the case is still
// with the organisation it went to and unchanged since (the transfer was
// its last change): what the first answer showed, no more. The user lost
// access with the transfer: once the new owner changed the case, the
// answer would show them that later state, and is refused instead.
func (s *service) replayTransfer(ctx context.Context, o idempotency.Outcome) (Case, error) {
	if len(o.IDs) != 4 {
		// A record without the transfer's time (written before it was
		// kept) cannot tell whether the case changed since.
		return Case{}, s.deny(ctx, actionReplay, o.ID())
	}
	at, err := time.Parse(time.RFC3339Nano, o.IDs[3])
	if err != nil {
		return Case{}, s.deny(ctx, actionReplay, o.ID())
	}
	return s.replayCase(ctx, o.IDs[0], o.IDs[1], o.IDs[2], &at)
}

// replayLink answers a link again (no content), to the organisation that
// owns the case while the link stands.
func (s *service) replayLink(ctx context.Context, o idempotency.Outcome) (struct{}, error) {
	p, err := auth.Required(ctx)
	if err != nil || len(o.IDs) != 2 {
		return struct{}{}, errors.Join(err, kit.ErrNotFound)
	}
	row, err := s.store.CaseByID(ctx, s.db, o.IDs[0], false)
	if errors.Is(err, ErrNotFound) || err == nil && (row.OwnerOrg != p.OrgID || row.NotificationID != o.IDs[1]) {
		return struct{}{}, s.deny(ctx, actionReplay, o.IDs[0])
	}
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.replayed(ctx, row.ID)
}

// replayDuplicate answers a decision on a possible duplicate again, to
// the user who made it, as the list shows it.
func (s *service) replayDuplicate(ctx context.Context, o idempotency.Outcome) (Duplicate, error) {
	d, err := s.Cases.DecidedDuplicate(ctx, o.ID())
	if errors.Is(err, ErrNotFound) {
		s.metrics.denials.WithLabelValues(kit.CodeNotFound).Inc()
		if err := s.auditAlone(ctx, s.rec.New(ctx, actionReplay, "duplicate", auditID(o.ID()), event.Denied)); err != nil {
			return Duplicate{}, err
		}
		return Duplicate{}, ErrNotFound
	}
	if err != nil {
		return Duplicate{}, err
	}
	return d, s.auditAlone(ctx, s.rec.New(ctx, actionReplay, "duplicate", d.ID, event.Allowed))
}

// replayGrant answers a grant again, as it stands, to the user who made
// it while their organisation owns the case.
func (s *service) replayGrant(ctx context.Context, o idempotency.Outcome) (Grant, error) {
	p, err := auth.Required(ctx)
	if err != nil || len(o.IDs) != 2 {
		return Grant{}, errors.Join(err, kit.ErrNotFound)
	}
	caseID, id := o.IDs[0], o.IDs[1]
	row, err := s.store.CaseByID(ctx, s.db, caseID, false)
	if errors.Is(err, ErrNotFound) || err == nil && row.OwnerOrg != p.OrgID {
		return Grant{}, s.deny(ctx, actionReplay, caseID)
	}
	if err != nil {
		return Grant{}, err
	}
	gs, err := s.store.Grants(ctx, s.db, caseID)
	if err != nil {
		return Grant{}, err
	}
	for _, g := range gs {
		if g.ID == id && g.GrantedBy == p.UserID {
			return g.Grant, s.replayed(ctx, caseID)
		}
	}
	return Grant{}, s.deny(ctx, actionReplay, caseID)
}

// replayLegalHold answers a hold placed or released again, to the user
// who did it.
func (s *service) replayLegalHold(ctx context.Context, o idempotency.Outcome) (LegalHold, error) {
	p, err := auth.Required(ctx)
	if err != nil || len(o.IDs) != 2 {
		return LegalHold{}, errors.Join(err, kit.ErrNotFound)
	}
	h, err := s.store.LegalHold(ctx, s.db, o.IDs[0], o.IDs[1], p.UserID)
	if errors.Is(err, ErrNotFound) {
		return LegalHold{}, s.deny(ctx, actionReplay, o.IDs[0])
	}
	if err != nil {
		return LegalHold{}, err
	}
	return LegalHold{CaseID: h.CaseID, LegalHold: h.Action == "place", ReasonCode: h.ReasonCode, At: h.At}, s.replayed(ctx, h.CaseID)
}
