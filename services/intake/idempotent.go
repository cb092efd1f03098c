package intake

import (
	"context"
	"errors"

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

// replayed audits the replay of an answer about caseID before it is given.
func (s *service) replayed(ctx context.Context, caseID string) error {
	return s.auditAlone(ctx, s.rec.New(ctx, actionReplay, "case", caseID, event.Allowed))
}

// replayRegistration answers a registration again: the case's attributes
// and consents, as the first answer had them (no section content), to the
// organisation that still owns it.
func (s *service) replayRegistration(ctx context.Context, o idempotency.Outcome) (Case, error) {
	p, err := principal(ctx)
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
// read, audited as one by Workflow.
func (s *service) replayWorkflow(ctx context.Context, o idempotency.Outcome) (Workflow, error) {
	if err := s.replayed(ctx, o.ID()); err != nil {
		return Workflow{}, err
	}
	return s.Workflow(ctx, o.ID())
}

// replayEntry answers an entry's creation again: the entry without its
// content, as the first answer, to its author.
func (s *service) replayEntry(ctx context.Context, o idempotency.Outcome) (Entry, error) {
	p, err := principal(ctx)
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
	p, err := principal(ctx)
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
	p, err := principal(ctx)
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
