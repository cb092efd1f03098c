package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/group"
	"github.com/nrm-project/nrm/services/intake/store"
)

// newRegistration is a registration ready to write: checked, sealed and
// wrapped, with its events, waiting for its transaction.
type newRegistration struct {
	ctx      context.Context
	row      store.CaseRow
	consents []Consent
	sealed   sealedCase
	org      string // the registering organisation, author of the sections
	probe    duplicateProbe
	events   []event.Audit
	stats    []facts.Event
	link     string // the anonymous notification the case takes over, if any
	err      error  // the outcome of its write
}

const (
	// registrationLanes is how many groups of registrations may be in
	// their transactions at once: one commits while the next is sent.
	registrationLanes = 2
	// maxRegistrationGroup bounds a group: its statement stays well under
	// PostgreSQL's 65,535 parameters, its outbox rows in one statement.
	maxRegistrationGroup = 32
	// registrationTimeout bounds the transaction of a group, which is not
	// tied to any one caller's request.
	registrationTimeout = 30 * time.Second
)

// registrationGroups commits registrations that arrive while others are
// being written in one transaction: group commit. Under load, a
// registration's fixed costs (its transaction, its round trips, the
// parsing and planning of its statements, its flush to disk) are shared
// by the group; alone, a registration is written as before, in its own
// transaction.
type registrationGroups struct {
	lanes [registrationLanes]group.Batches[*newRegistration]
	next  atomic.Uint32 // the lane of the next registration, round robin
}

// writeRegistration writes r, possibly together with other registrations,
// and returns its own outcome: a registration that fails takes no other
// down with it.
func (s *Cases) writeRegistration(r *newRegistration) error {
	if r.link != "" {
		// Linking reads and locks the notification, and may be refused:
		// such a registration is written alone.
		return s.writeAlone(r)
	}
	lane := &s.registrations.lanes[s.registrations.next.Add(1)%registrationLanes]
	if err := lane.Do(r, s.commitRegistrations); err != nil {
		return err
	}
	return r.err
}

// commitRegistrations writes a group in one transaction. If that fails,
// each registration is written again alone, so that one that cannot be
// written (a conflict, a bad row) fails by itself. A registration whose
// caller has gone before its group starts is not written.
func (s *Cases) commitRegistrations(batch []*newRegistration) error {
	live := make([]*newRegistration, 0, len(batch))
	for _, r := range batch {
		if r.err = r.ctx.Err(); r.err == nil {
			live = append(live, r)
		}
	}
	if len(live) > 0 {
		s.metrics.Groups.Observe(float64(len(live)))
	}
	switch len(live) {
	case 0:
		return nil
	case 1:
		live[0].err = s.writeAlone(live[0])
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(live[0].ctx), registrationTimeout)
	defer cancel()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.writeRegistrations(ctx, tx, live...) })
	if err == nil {
		return nil
	}
	if errors.Is(err, db.ErrCommitUnknown) {
		// The group may have committed: writing each again would fail on
		// its ids, or worse. Each caller learns the outcome is unknown and
		// retries with its key.
		for _, r := range live {
			r.err = err
		}
		return nil
	}
	for _, r := range live {
		r.err = s.writeAlone(r)
	}
	return nil
}

// writeAlone writes r in a transaction of its own, under its caller's
// context.
func (s *Cases) writeAlone(r *newRegistration) error {
	return s.db.Tx(r.ctx, func(tx *sql.Tx) error { return s.writeRegistrations(r.ctx, tx, r) })
}

// writeRegistrations writes new cases in tx: reads first (the active keys,
// share-locked, and the duplicate lookup), then every row of every case
// and their events, which PostgreSQL receives in one statement (see
// store.Writes).
func (s *Cases) writeRegistrations(ctx context.Context, tx *sql.Tx, rs ...*newRegistration) error {
	if len(rs) == 1 && rs[0].link != "" {
		if err := s.linkInTx(ctx, tx, &rs[0].row, rs[0].link); err != nil {
			return err
		}
	}
	if err := s.lockActiveKeys(ctx, tx, rs); err != nil {
		return err
	}
	probes := make([]duplicateProbe, len(rs))
	for i, r := range rs {
		probes[i] = r.probe
	}
	found, err := s.matchProbes(ctx, tx, probes...)
	if err != nil {
		return err
	}
	var (
		cases    = make([]*store.CaseRow, len(rs))
		consents = make([]store.CaseConsents, len(rs))
		dups     = make([]probeMatches, len(rs))
		secs     []store.SectionRow
		wraps    []store.WrapRow
		stats    []facts.Event
		events   []event.Audit
	)
	for i, r := range rs {
		cases[i], consents[i], dups[i] = &r.row, store.CaseConsents{CaseID: r.row.ID, Records: r.consents}, probeMatches{r.probe, found[i]}
		if len(r.sealed.secs) > 0 {
			secs = append(secs, r.sealed.secs...)
			wraps = append(wraps, r.sealed.wrap)
		}
		stats = append(stats, r.stats...)
		events = append(events, r.events...)
	}
	now := s.now()
	w := s.store.WritesFor(tx)
	if err := s.store.InsertCases(ctx, w, cases...); err != nil {
		return err
	}
	if err := s.store.InsertConsentSets(ctx, w, consents...); err != nil {
		return err
	}
	if err := s.store.InsertSections(ctx, w, secs, now); err != nil {
		return err
	}
	if err := s.store.InsertWraps(ctx, w, now, wraps...); err != nil {
		return err
	}
	if err := s.storeNewDuplicates(ctx, w, dups...); err != nil {
		return err
	}
	// Each keyed registration records its outcome under its own caller's
	// key, in the group's transaction.
	for _, r := range rs {
		if err := s.idem.Record(r.ctx, w, http.StatusCreated, r.row.ID); err != nil {
			return err
		}
	}
	if err := s.emit(ctx, w.Final(), stats, events...); err != nil {
		return err
	}
	return w.Flush(ctx)
}

// lockActiveKeys share-locks, until tx ends, the active key of each
// organisation that wraps a case of rs: a rotation waits for these
// registrations and then wraps their cases again with the rest. A case
// wrapped before a rotation retired the key it used is wrapped again here,
// to the active key.
func (s *Cases) lockActiveKeys(ctx context.Context, tx *sql.Tx, rs []*newRegistration) error {
	seen := map[string]bool{}
	var orgs []string
	for _, r := range rs {
		if len(r.sealed.secs) > 0 && !seen[r.org] {
			seen[r.org] = true
			orgs = append(orgs, r.org)
		}
	}
	if len(orgs) == 0 {
		return nil
	}
	active, err := s.ring.ActiveKeys(ctx, tx, orgs)
	if err != nil {
		return err
	}
	for _, r := range rs {
		k, ok := active[r.org]
		if len(r.sealed.secs) == 0 || ok && k.Version == r.sealed.wrap.KeyVersion {
			continue
		}
		if !ok {
			return fmt.Errorf("intake: key ring: no active key: %w", ErrUnavailable)
		}
		recipient, err := s.ring.ActiveRecipientOf(r.org, k)
		if err != nil {
			return err
		}
		if err := s.wrapAgain(&r.sealed, r.row.ID, r.org, k.Version, recipient); err != nil {
			return err
		}
	}
	return nil
}

// RegisterTogether prepares each of rs, as ctxs[i]'s caller, the way
// Register does, and commits them as one group, as registrations arriving
// together are under load: the group commit that concurrency reaches only
// by chance, reached on purpose (the tests of the group's failures). If
// broken is above 0, that registration is given the reference of the one
// before it, so that its write fails; between runs after the
// registrations are prepared and before they are written. It returns each
// registration's case or error.
func (s *Cases) RegisterTogether(ctxs []context.Context, rs []Registration, broken int, between func()) ([]Case, []error) {
	cases, errs := make([]Case, len(rs)), make([]error, len(rs))
	group := make([]*newRegistration, len(rs))
	for i, r := range rs {
		reg, err := s.prepareRegistration(ctxs[i], r)
		if err != nil {
			errs[i] = err
			return cases, errs
		}
		group[i] = reg
	}
	if broken > 0 {
		group[broken].row.Reference = group[broken-1].row.Reference
	}
	between()
	if err := s.commitRegistrations(group); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return cases, errs
	}
	for i, reg := range group {
		if errs[i] = reg.err; reg.err == nil {
			cases[i] = View(reg.row, reg.consents, nil, nil)
		}
	}
	return cases, errs
}
