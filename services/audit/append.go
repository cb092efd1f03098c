package audit

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log/level"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/fault"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// The same rules as the table's CHECK constraints, so a bad event is
// refused before it reaches the database.
var (
	idRe     = regexp.MustCompile(`^[A-Za-z0-9-]{36}$`)
	codeRe   = regexp.MustCompile(`^[A-Za-z0-9._:/-]{0,128}$`)
	actionRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	hashRe   = regexp.MustCompile(`^[0-9a-f]{0,64}$`)
	sourceRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)
)

func validEvent(e event.Audit) bool {
	return e.Validate() == nil && idRe.MatchString(e.ID) && len(e.Action) <= 128 &&
		hashRe.MatchString(e.ClientHash) && sourceRe.MatchString(e.Source) && e.Seq >= 0
}

// Append stores audit events delivered by the outbox relay. Source and Seq
// come from the message, not the payload. It is idempotent by event id: a
// message delivered twice is stored once. A message that is not a
// well-formed audit event is not stored (its sequence number then shows as
// a gap); the others are, and the error wraps ErrInvalidEvent.
func (l *Log) Append(ctx context.Context, msgs []outbox.Message) error {
	if err := fault.Check(fault.AuditStall); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	evs := make([]event.Audit, 0, len(msgs))
	rejected := 0
	for _, m := range msgs {
		e, ok := decodeMessage(m)
		if !ok {
			rejected++
			l.metrics.rejected.Inc()
			continue
		}
		evs = append(evs, e)
	}
	if err := l.appendEvents(ctx, evs); err != nil {
		return err
	}
	if rejected > 0 {
		level.Warn(l.logger).Log("msg", "audit events rejected", "count", rejected)
		return fmt.Errorf("audit: append: %d of %d messages: %w", rejected, len(msgs), ErrInvalidEvent)
	}
	return nil
}

func decodeMessage(m outbox.Message) (event.Audit, bool) {
	var e event.Audit
	if m.Topic != event.TopicAudit || m.Source == ownSource || !sourceRe.MatchString(m.Source) || m.Seq < 1 {
		return e, false
	}
	if err := json.Unmarshal(m.Payload, &e); err != nil {
		return e, false
	}
	e.Source, e.Seq = m.Source, m.Seq
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	if e.ID != m.ID || !validEvent(e) {
		return e, false
	}
	return e, true
}

// appendOwn appends events the audit service writes itself (source
// "audit", numbered from its own sequence).
func (l *Log) appendOwn(ctx context.Context, evs ...event.Audit) error {
	for i := range evs {
		evs[i].Source, evs[i].Seq = ownSource, 0
		if !validEvent(evs[i]) {
			return fmt.Errorf("audit: own event %s: %w", evs[i].Action, ErrInvalidEvent)
		}
	}
	return l.appendEvents(ctx, evs)
}

func (l *Log) appendEvents(ctx context.Context, evs []event.Audit) error {
	added, err := l.appendBatch(ctx, evs)
	if err != nil {
		return err
	}
	if len(added) == 0 {
		return nil
	}
	l.metrics.appended.Add(float64(len(added)))
	for _, e := range added {
		if e.Source == ownSource && (e.Action == ActionDenialSpike || e.Action == ActionBulkRead) {
			l.metrics.alerts.WithLabelValues(alertKind(e.Action)).Inc()
		}
	}
	l.cp.notify()
	return nil
}

type gapRow struct {
	source      string
	first, last int64
	eventID     string
}

// appendBatch writes evs at the end of the log in one transaction and
// returns the entries it added (duplicates are skipped). Appends are
// serialised: a mutex in this process and, on PostgreSQL, a
// transaction-level advisory lock across processes.
func (l *Log) appendBatch(ctx context.Context, evs []event.Audit) ([]Entry, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	entries, err := l.appendLocked(ctx, evs, false)
	if db.IsUniqueViolation(err) {
		// An id already stored under a number above its source's last: not
		// something a relay sends, but it must not hold up the log.
		entries, err = l.appendLocked(ctx, evs, true)
	}
	return entries, err
}

// appendLocked is appendBatch under l.mu. Ids are looked up only for
// events that may be stored already (numbers up to their source's last,
// and the audit service's own), unless checkAll: a relay numbers each
// message once, so an event above its source's last number is new.
func (l *Log) appendLocked(ctx context.Context, evs []event.Audit, checkAll bool) ([]Entry, error) {
	var (
		entries []Entry
		gaps    []gapRow
		written writtenTree
	)
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		entries, gaps = nil, nil
		if err := lockAppends(ctx, tx, l.db.Engine); err != nil {
			return err
		}
		n, err := treeSize(ctx, tx)
		if err != nil {
			return err
		}
		stored, err := l.storedFrontier(ctx, tx, n)
		if err != nil {
			return err
		}
		ownSeq, err := lastSeq(ctx, tx, ownSource)
		if err != nil {
			return err
		}
		last := map[string]int64{}
		var ids []string
		for _, e := range evs {
			if e.Source == ownSource {
				ids = append(ids, e.ID)
				continue
			}
			ls, ok := last[e.Source]
			if !ok {
				if ls, err = lastSeq(ctx, tx, e.Source); err != nil {
					return err
				}
				last[e.Source] = ls
			}
			if checkAll || e.Seq <= ls {
				ids = append(ids, e.ID)
			}
		}
		existing, err := existingIDs(ctx, tx, ids)
		if err != nil {
			return err
		}
		// Numbers are checked in order per source.
		batch := slices.Clone(evs)
		slices.SortStableFunc(batch, func(a, b event.Audit) int {
			if c := strings.Compare(a.Source, b.Source); c != 0 {
				return c
			}
			return cmp.Compare(a.Seq, b.Seq)
		})
		seen := map[string]bool{}
		add := func(e event.Audit) {
			entries = append(entries, Entry{Index: n + int64(len(entries)), Audit: e})
		}
		for _, e := range batch {
			if existing[e.ID] || seen[e.ID] {
				l.metrics.duplicates.Inc()
				continue
			}
			seen[e.ID] = true
			if e.Source == ownSource {
				ownSeq++
				e.Seq = ownSeq
				add(e)
				continue
			}
			seqKey := e.Source + ":" + strconv.FormatInt(e.Seq, 10)
			ls := last[e.Source]
			if e.Seq <= ls {
				// A late delivery filling a gap, or a second event under a used number.
				used := seen[seqKey]
				if !used {
					if used, err = seqExists(ctx, tx, e.Source, e.Seq); err != nil {
						return err
					}
				}
				if used {
					l.metrics.rejected.Inc()
					continue
				}
			} else if e.Seq > ls+1 {
				ownSeq++
				g := event.Audit{
					ID: event.NewID(), Time: l.now(), Action: "audit.gap_detected",
					ObjectType: "source", ObjectID: fmt.Sprintf("%s:%d-%d", e.Source, ls+1, e.Seq-1),
					Outcome: event.Failed, Source: ownSource, Seq: ownSeq,
				}
				add(g)
				gaps = append(gaps, gapRow{source: e.Source, first: ls + 1, last: e.Seq - 1, eventID: g.ID})
			}
			seen[seqKey] = true
			last[e.Source] = max(ls, e.Seq)
			add(e)
		}
		if len(entries) == 0 {
			return nil
		}
		// Alerts the batch raises are appended with it, in the same
		// transaction (alertwindow.go).
		evs := make([]event.Audit, len(entries))
		for i, en := range entries {
			evs[i] = en.Audit
		}
		alerts, err := l.alerts.detect(ctx, tx, l.db.Engine, evs, l.now())
		if err != nil {
			return err
		}
		for _, a := range alerts {
			ownSeq++
			a.Source, a.Seq = ownSource, ownSeq
			add(a)
		}
		r := &overlayReader{ctx: ctx, tx: tx, stored: stored, overlay: map[int64]tlog.Hash{}}
		first := tlog.StoredHashIndex(0, n)
		var hashes []tlog.Hash
		for _, en := range entries {
			hs, err := tlog.StoredHashesForRecordHash(en.Index, LeafHash(en.Audit), r)
			if err != nil {
				return fmt.Errorf("audit: append: stored hashes: %w", err)
			}
			for j, h := range hs {
				r.overlay[first+int64(len(hashes)+j)] = h
			}
			hashes = append(hashes, hs...)
		}
		if !l.macsFrom {
			// The first append with MACs records where they begin, in the
			// key directory, beyond the reach of a database writer.
			if _, err := macsFrom(l.cfg.Keys, n); err != nil {
				return err
			}
			l.macsFrom = true
		}
		if err := insertEntries(ctx, tx, l.db.Engine, entries); err != nil {
			return err
		}
		if err := insertMACs(ctx, tx, l.db.Engine, l.macKey, entries); err != nil {
			return err
		}
		if err := insertHashes(ctx, tx, l.db.Engine, first, hashes); err != nil {
			return err
		}
		if err := insertGaps(ctx, tx, gaps, l.now()); err != nil {
			return err
		}
		size := n + int64(len(entries))
		hs, err := r.ReadHashes(frontier(size))
		if err != nil {
			return fmt.Errorf("audit: append: frontier: %w", err)
		}
		written = writtenTree{size: size, hashes: hs}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if written.size > 0 {
		l.written = written
	}
	for _, g := range gaps {
		l.metrics.gaps.Inc()
		l.metrics.alerts.WithLabelValues("gap").Inc()
		level.Warn(l.logger).Log("msg", "sequence gap", "source", g.source, "first_seq", g.first, "last_seq", g.last)
	}
	return entries, nil
}

// overlayReader reads stored hashes from this batch, then from the
// stored tree's frontier read at its start, then from the database.
type overlayReader struct {
	ctx     context.Context
	tx      *sql.Tx
	stored  map[int64]tlog.Hash
	overlay map[int64]tlog.Hash
}

func (r *overlayReader) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	var missing []int64
	var at []int
	for i, x := range idx {
		if h, ok := r.overlay[x]; ok {
			out[i] = h
		} else if h, ok := r.stored[x]; ok {
			out[i] = h
		} else {
			missing = append(missing, x)
			at = append(at, i)
		}
	}
	if len(missing) > 0 {
		hs, err := readHashes(r.ctx, r.tx, missing)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			out[at[j]] = h
		}
	}
	return out, nil
}
