package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

func (s *Cases) Register(ctx context.Context, r Registration) (Case, error) {
	c, err := s.register(ctx, r)
	s.metrics.Registrations.WithLabelValues(outcome(ctx, err)).Inc()
	return c, err
}

func (s *Cases) register(ctx context.Context, r Registration) (Case, error) {
	reg, err := s.prepareRegistration(ctx, r)
	if err != nil {
		return Case{}, err
	}
	if err := s.writeRegistration(reg); err != nil {
		return Case{}, s.finish(ctx, err, "intake.notification.link", reg.link)
	}
	return View(reg.row, reg.consents, nil, nil), nil
}

// prepareRegistration does everything a registration needs before its
// transaction: checks, the case's keys, sealing and wrapping, events and
// its reference.
func (s *Cases) prepareRegistration(ctx context.Context, r Registration) (*newRegistration, error) {
	p, org, err := s.callerOrg(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.validate(r, r.Draft)
	if err != nil {
		return nil, err
	}
	// The duplicate check is rate-limited per user before any work: over
	// the limit the registration is refused (429) and nothing is written,
	// so the officer simply retries; whether a match exists never shows.
	// Only a registration that probes the index is charged: one with
	// identity data, not a draft, not anonymous (duplicateProbe).
	if !r.Draft && r.Identity != nil && v.Route != casefile.RouteAnonymous {
		if ok, wait := s.dupLimit.Take(p.UserID); !ok {
			return nil, kit.RateLimited(LimitDuplicateChecks, wait)
		}
	}
	// The case's retention-class keys are made first, durably (concurrent
	// registrations share one write): the key store names the case.
	ring, err := s.caseKeys.NewCase(casefile.CaseClasses...)
	if err != nil {
		return nil, fmt.Errorf("intake: case keys: %w", err)
	}
	now := s.now()
	row := store.CaseRow{
		Case: Case{
			ID: ring.CaseID(), Route: v.Route, Status: StatusRegistered, OwnerOrg: p.OrgID, RegisteredBy: p.UserID,
			CreatedAt: now, UpdatedAt: now,
		},
		RegisteringOrg: p.OrgID, RegisteringOrgKind: org.Kind,
	}
	if r.Draft {
		row.Status = StatusDraft
	}
	setAttributes(&row, v)
	// Crypto and encoding happen before the transaction, which then only
	// writes: sections sealed and wrapped to the key last seen active
	// (checked again inside), MACs, blind indexes, consent records.
	version, recipient, err := s.ring.ActiveKeyHint(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealCase(row.ID, ring, p.OrgID, 0, v.sections, version, recipient)
	if err != nil {
		return nil, err
	}
	consents := s.consentRecords(p, v.Consent)
	events := []event.Audit{s.rec.New(ctx, "intake.case.register", "case", row.ID, event.Allowed)}
	var (
		stats []facts.Event
		probe duplicateProbe
	)
	if !r.Draft {
		probe = s.duplicateProbe(row, v.Identity, v.BirthYear)
		events = append(events, s.rec.New(ctx, "intake.duplicate.check", "case", row.ID, event.Allowed))
		stats = append(stats, s.registeredEvent(row))
	}
	// The reference is taken in its own short statement: a number lost to
	// a failed registration leaves a gap, which is allowed, while holding
	// the counter through the whole transaction would queue every
	// registration behind the one before.
	if row.Reference, err = s.refs.Next(now.Year()); err != nil {
		return nil, err
	}
	return &newRegistration{ctx: ctx, row: row, consents: consents, sealed: sealed, org: p.OrgID,
		probe: probe, events: events, stats: stats, link: v.NotificationID}, nil
}

func setAttributes(row *store.CaseRow, v checked) {
	row.Route, row.IdentifiedOn, row.Region, row.Gender, row.AgeGroup = v.Route, v.IdentifiedOn, v.Region, v.Gender, v.AgeGroup
	row.TreatedAsChild, row.BirthYear, row.AgeDisputed = v.child, v.BirthYear, v.AgeDisputed
	row.Nationalities, row.ExploitationTypes, row.ExploitationLocation = v.Nationalities, v.ExploitationTypes, v.ExploitationLocation
	row.Indicators, row.Needs, row.Languages = v.Indicators, v.Needs, v.Languages
	row.Dependants, row.RiskLevel = v.Dependants, v.RiskLevel
	row.Unaccompanied, row.ProtectionStatus = v.Unaccompanied, v.ProtectionStatus
}

// sealedCase is a case's sections sealed under fresh data keys and
// wrapped for their author, ready to write.
type sealedCase struct {
	ring   *keys.CaseRing // the case's keys when the caller holds them, or nil
	secs   []store.SectionRow
	all    map[seal.SectionID]bool
	grants []seal.KeyGrant
	wrap   store.WrapRow // with its SectionMACs
}

// sealCase seals each section of content under its own data key, authored
// by org, and wraps every key to recipient (version of org's key). The
// plaintext is cleared. ring is the case's keys if the caller holds them.
func (s *Cases) sealCase(caseID string, ring *keys.CaseRing, org string, version int, content map[string][]byte, keyVersion int, recipient seal.Recipient) (sealedCase, error) {
	sc := sealedCase{ring: ring}
	if len(content) == 0 {
		return sc, nil
	}
	sc.all = map[seal.SectionID]bool{}
	var held []seal.SectionID
	for _, name := range Sections {
		pt, ok := content[name]
		if !ok {
			continue
		}
		h := seal.Header{CaseID: caseID, Section: name, Version: version, AuthorOrg: org}
		sealed, key, err := seal.Seal(h, pt)
		clear(pt)
		if err != nil {
			return sealedCase{}, fmt.Errorf("intake: case %s: seal: %w", caseID, err)
		}
		sc.secs = append(sc.secs, store.SectionRow{Header: h, Sealed: sealed})
		sc.grants = append(sc.grants, seal.KeyGrant{KeyRef: seal.KeyRef{CaseID: caseID, Section: name, Version: version, RetentionClass: casefile.SectionClass(name)}, Key: key})
		sc.all[h.ID()] = true
		held = append(held, h.ID())
	}
	var err error
	if sc.wrap, err = s.buildWrap(caseID, ring, org, keyVersion, recipient, held, sc.grants); err != nil {
		return sealedCase{}, err
	}
	sc.wrap.SectionMACs = s.sectionMACs(org, sc.wrap.Wrap, sc.secs, sc.all)
	return sc, nil
}

// wrapAgain wraps the keys of sc again, to version of org's key (a
// rotation retired the one they were wrapped to), with new MACs.
func (s *Cases) wrapAgain(sc *sealedCase, caseID, org string, version int, recipient seal.Recipient) error {
	w, err := s.buildWrap(caseID, sc.ring, org, version, recipient, sc.wrap.Held, sc.grants)
	if err != nil {
		return err
	}
	w.SectionMACs = s.sectionMACs(org, w.Wrap, sc.secs, sc.all)
	sc.wrap = w
	return nil
}

// writeSealed writes the sections, org's wrap and its MACs in tx, in place
// of org's earlier ones (a draft submitted). An empty case deletes org's
// wrap. If a rotation retired the key the wrap was made for, the keys are
// wrapped again to the active one, under its share lock. New cases are
// written by writeRegistrations.
func (s *Cases) writeSealed(ctx context.Context, tx store.Querier, caseID, org string, sc sealedCase) error {
	if len(sc.secs) == 0 {
		return s.store.DeleteWrap(ctx, tx, caseID, org)
	}
	now := s.now()
	if err := s.store.InsertSections(ctx, tx, sc.secs, now); err != nil {
		return err
	}
	ok, err := s.store.PutWrapIfActive(ctx, tx, sc.wrap, now)
	if err != nil {
		return err
	}
	if !ok {
		version, recipient, err := s.ring.ActiveRecipient(ctx, tx, org)
		if err != nil {
			return err
		}
		if err := s.wrapAgain(&sc, caseID, org, version, recipient); err != nil {
			return err
		}
		if err := s.store.PutWrap(ctx, tx, sc.wrap, now); err != nil {
			return err
		}
	}
	return s.store.PutMACs(ctx, tx, caseID, org, sc.wrap.SectionMACs)
}

func (s *Cases) UpdateDraft(ctx context.Context, id string, r Registration) (Case, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Case{}, err
	}
	v, err := s.validate(r, true)
	if err != nil {
		return Case{}, err
	}
	if err := s.ring.EnsureOrgKey(ctx, p.OrgID); err != nil {
		return Case{}, err
	}
	var row store.CaseRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if row, err = s.owned(ctx, tx, p, id, "intake.case.update"); err != nil {
			return err
		}
		if row.Status != StatusDraft {
			return ErrNotDraft
		}
		secs, err := s.store.Sections(ctx, tx, id)
		if err != nil {
			return err
		}
		version := 0
		for _, sec := range secs {
			version = max(version, sec.Header.Version+1)
		}
		if err := s.store.DeleteSections(ctx, tx, id); err != nil {
			return err
		}
		// A draft update is rare: it seals in its transaction, where the
		// section version is known.
		keyVersion, recipient, err := s.ring.ActiveKeyHint(ctx, p.OrgID)
		if err != nil {
			return err
		}
		sealed, err := s.sealCase(id, nil, p.OrgID, version, v.sections, keyVersion, recipient)
		if err != nil {
			return err
		}
		if err := s.writeSealed(ctx, tx, id, p.OrgID, sealed); err != nil {
			return err
		}
		if v.NotificationID != "" && v.NotificationID != row.NotificationID {
			if err := s.linkInTx(ctx, tx, &row, v.NotificationID); err != nil {
				return err
			}
		}
		setAttributes(&row, v)
		row.UpdatedAt = s.now()
		if err := s.store.UpdateCase(ctx, tx, &row); err != nil {
			return err
		}
		current, err := s.store.Consents(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.recordConsents(ctx, tx, id, p, v.Consent, current); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.case.update", "case", id, event.Allowed))
	})
	if err != nil {
		return Case{}, s.finish(ctx, err, "intake.case.update", id)
	}
	consents, err := s.store.Consents(ctx, s.db, id)
	if err != nil {
		return Case{}, err
	}
	return View(row, consents, nil, nil), nil
}

// View is the case as a reader sees it.
func View(c store.CaseRow, consents []Consent, sections map[string][]byte, withheld []string) Case {
	out := c.Case
	out.Consents = consents
	if len(sections) > 0 {
		out.Sections = make(map[string]json.RawMessage, len(sections))
		for name, b := range sections {
			out.Sections[name] = json.RawMessage(b)
		}
	}
	out.Withheld = withheld
	return out
}

func (s *Cases) registeredEvent(c store.CaseRow) facts.Event {
	e := s.statsEvent(facts.Registered, c.ID)
	child := c.TreatedAsChild
	if len(c.IdentifiedOn) >= 7 {
		e.IdentifiedMonth = c.IdentifiedOn[:7]
	}
	e.Region, e.Gender, e.AgeGroup, e.TreatedAsChild = c.Region, c.Gender, c.AgeGroup, &child
	e.Nationalities, e.ExploitationTypes, e.ExploitationLocation = c.Nationalities, c.ExploitationTypes, c.ExploitationLocation
	e.Indicators, e.Needs, e.Route, e.OrgKind = c.Indicators, c.Needs, c.Route, c.RegisteringOrgKind
	e.Unaccompanied, e.ProtectionStatus = c.Unaccompanied, c.ProtectionStatus
	return e
}
