package stats

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"github.com/nrm-project/nrm/services/stats/catalogue"
	"slices"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// Receive is the outbox relay's receiver for topic "stats". It applies each
// event once (by event id) in one transaction with the aggregates it
// changes. The figures depend only on the set of events received, not on
// their order or on repeats. Malformed events are logged and skipped:
// statistics must not hold up the relay.
func (s *Stats) Receive(ctx context.Context, msgs []outbox.Message) error {
	now := s.now()
	return s.db.Tx(ctx, func(stx *sql.Tx) error {
		tx := wtx{stx, s.db.Engine}
		if err := lockReceiver(ctx, s.db, stx); err != nil {
			return err
		}
		var evs []facts.Event
		for _, m := range msgs {
			if m.Topic != facts.Topic {
				continue
			}
			var e facts.Event
			if err := json.Unmarshal(m.Payload, &e); err != nil {
				level.Warn(s.logger).Log("msg", "stats: undecodable event skipped", "source", m.Source, "seq", m.Seq)
				continue
			}
			if e.ID == "" {
				e.ID = m.ID
			}
			if !wellFormed(e) {
				level.Warn(s.logger).Log("msg", "stats: malformed event skipped", "source", m.Source, "seq", m.Seq)
				continue
			}
			evs = append(evs, e)
		}
		// The batch's ids and case rows are written in a statement each,
		// not one per event.
		ids := make([]string, len(evs))
		for i, e := range evs {
			ids[i] = e.ID
		}
		fresh, err := markReceived(ctx, tx, ids, now)
		if err != nil {
			return err
		}
		// A registration writes its case's row whole (setRegistrations);
		// other events need the row to exist first.
		var keys []string
		for _, e := range evs {
			if fresh[e.ID] && e.Type != facts.Registered {
				keys = append(keys, caseKeys(e)...)
			}
		}
		if err := ensureCases(ctx, tx, keys, s.recordKey, now); err != nil {
			return err
		}
		var batch []facts.Event
		for _, e := range evs {
			if fresh[e.ID] {
				delete(fresh, e.ID) // a repeat within the batch
				batch = append(batch, e)
			}
		}
		d := catalogue.NewDeltas()
		if err := s.apply(ctx, tx, batch, d, now); err != nil {
			return err
		}
		return flush(ctx, tx, d, now)
	})
}

// wellFormed checks that an event holds codes where codes belong.
func wellFormed(e facts.Event) bool {
	if e.CaseKey == "" || !catalogue.IsMonth(e.Month) || (e.IdentifiedMonth != "" && !catalogue.IsMonth(e.IdentifiedMonth)) {
		return false
	}
	fields := []string{e.ID, e.Type, e.CaseKey, e.Region, e.Gender, e.AgeGroup, e.ExploitationLocation, e.Route,
		e.OrgKind, e.LinkedKey, e.Outcome, e.ReferralKey, e.Service, e.ProtectionStatus}
	fields = append(fields, e.ExploitationTypes...)
	fields = append(fields, e.Nationalities...)
	for _, f := range fields {
		if !isCode(f) {
			return false
		}
	}
	return true
}

// isCode matches [A-Za-z0-9._:-]{0,128}.
func isCode(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// caseKeys returns the cases an event concerns, none when no table uses
// it.
func caseKeys(e facts.Event) []string {
	switch e.Type {
	case facts.Linked:
		if e.LinkedKey == "" || e.LinkedKey == e.CaseKey {
			return nil
		}
		return []string{e.CaseKey, e.LinkedKey}
	case facts.Registered, facts.Decided, facts.Withdrawn, facts.Overdue, facts.GuardianAppointed, facts.ReferralCreated,
		facts.ReferralAccepted, facts.ReferralDeclined, facts.ReferralExpired, facts.ReferralNoProvider:
		return []string{e.CaseKey}
	default:
		// consent, submitted, transferred, referral_closed: no table uses them.
		// Consent is deliberately not a filter: the tables rest on the
		// mechanism's reporting duty.
		return nil
	}
}

// apply stores the facts of a batch of fresh events and adds to d the
// difference they make to the contributions of the linked cases they
// touch. Contributions are a sum over components, and a batch's links only
// join components it touches, so the components of all its cases are read
// once before and once after the writes instead of around every event.
// The case rows of its events other than registrations exist already
// (ensureCases).
func (s *Stats) apply(ctx context.Context, tx wtx, evs []facts.Event, d *catalogue.Deltas, now time.Time) error {
	var keys []string
	for _, e := range evs {
		keys = append(keys, caseKeys(e)...)
	}
	if len(keys) == 0 {
		return nil
	}
	comp, err := componentKeys(ctx, tx, keys)
	if err != nil {
		return err
	}
	before, err := loadComponent(ctx, tx, comp)
	if err != nil {
		return err
	}
	var registered, others []facts.Event
	for _, e := range evs {
		switch {
		case len(caseKeys(e)) == 0:
		case e.Type == facts.Registered:
			registered = append(registered, e)
		case e.Type == facts.Linked:
			if err := insertLink(ctx, tx, e.CaseKey, e.LinkedKey); err != nil {
				return err
			}
		default:
			others = append(others, e)
		}
	}
	if err := setRegistrations(ctx, tx, registered, s.recordKey, now); err != nil {
		return err
	}
	if err := insertEvents(ctx, tx, others, s.recordKey); err != nil {
		return err
	}
	after, err := loadComponent(ctx, tx, comp)
	if err != nil {
		return err
	}
	d.Diff(catalogue.Contributions(before, s.policy.GuardianTargetDays), catalogue.Contributions(after, s.policy.GuardianTargetDays))
	return nil
}

// flush writes the accumulated changes, in a stable order so that
// concurrent writers on PostgreSQL take row locks in the same order, and
// records under a new data version which cases they concern.
func flush(ctx context.Context, tx wtx, d *catalogue.Deltas, now time.Time) error {
	if err := flushChanges(ctx, tx, d.Changed(), now); err != nil {
		return err
	}
	byCell, byValue := d.ByPeriod()
	ids := make([]catalogue.CellID, 0, len(byCell))
	for id, x := range byCell {
		if x.N != 0 || x.Key != 0 {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b catalogue.CellID) int {
		return compareStrings(a.Table+"\x00"+a.Period+"\x00"+a.Cell, b.Table+"\x00"+b.Period+"\x00"+b.Cell)
	})
	cells := make([][]any, 0, len(ids))
	for _, id := range ids {
		x := byCell[id]
		cells = append(cells, []any{id.Table, id.Period, id.Cell, x.N, int64(x.Key)})
	}
	if err := addCells(ctx, tx, cells); err != nil {
		return err
	}
	hist := make([]catalogue.HistID, 0, len(byValue))
	for id, n := range byValue {
		if n != 0 {
			hist = append(hist, id)
		}
	}
	slices.SortFunc(hist, func(a, b catalogue.HistID) int {
		return cmp.Or(compareStrings(a.Table+"\x00"+a.Period+"\x00"+a.Cell, b.Table+"\x00"+b.Period+"\x00"+b.Cell),
			cmp.Compare(a.Value, b.Value))
	})
	values := make([][]any, 0, len(hist))
	for _, id := range hist {
		values = append(values, []any{id.Table, id.Period, id.Cell, id.Value, byValue[id]})
	}
	return addCellValues(ctx, tx, values)
}

// flushChanges bumps the data version, stamped with the time (what
// releases are as of), and records under it which cases changed: one
// change set per table and month, appended.
func flushChanges(ctx context.Context, tx wtx, changed map[catalogue.ChangeID]bool, now time.Time) error {
	if len(changed) == 0 {
		return nil
	}
	version, err := nextDataVersion(ctx, tx.Tx, now)
	if err != nil {
		return err
	}
	type setID struct{ Table, Month string }
	sets := map[setID][]string{}
	for id := range changed {
		k := setID{id.Table, id.Month}
		sets[k] = append(sets[k], id.Subject)
	}
	ids := make([]setID, 0, len(sets))
	for k := range sets {
		ids = append(ids, k)
	}
	slices.SortFunc(ids, func(a, b setID) int {
		return cmp.Or(compareStrings(a.Table, b.Table), compareStrings(a.Month, b.Month))
	})
	rows := make([][]any, len(ids))
	for i, k := range ids {
		subjects := sets[k]
		slices.Sort(subjects)
		rows[i] = []any{k.Table, k.Month, version, strings.Join(subjects, ",")}
	}
	return insertChangeSets(ctx, tx, rows)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
