package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/group"
)

// References hands out case reference numbers, per year. Registrations
// that ask while a number is being taken wait, and the next caller takes
// numbers for all of them with one statement: the year's counter row is
// locked once per group instead of once per registration.
//
// A group of more than one means registrations arrive faster than a
// statement takes: the counter is then advanced by refReserve more than
// the group needs, and the next groups are served from those numbers
// without a statement. Registrations that come one at a time reserve
// nothing, so their numbers stay dense. Numbers still reserved when the
// process stops are given back if no other process has taken numbers
// since (Release); otherwise, or after a crash, they are skipped, as a
// registration that fails after taking its number leaves a gap.
type References struct {
	db      *db.DB
	batches group.Batches[*referenceRequest]

	mu    sync.Mutex
	spare map[int]numberRange // per year, taken and not handed out
}

// refReserve is how many numbers a group under load takes beyond its own:
// at most that many are skipped if the process dies.
const refReserve = 16

// numberRange is the numbers from next up to and without end (the zero
// value is empty).
type numberRange struct{ next, end int64 }

type referenceRequest struct {
	year int
	ref  string
	err  error
}

// referenceTimeout bounds one statement taking numbers for a group; it is
// not tied to any one caller's request.
const referenceTimeout = 10 * time.Second

// Next returns the next reference of year. A number lost to a
// registration that fails later leaves a gap, which is allowed.
func (r *References) Next(year int) (string, error) {
	req := &referenceRequest{year: year}
	if err := r.batches.Do(req, r.serve); err != nil {
		return "", err
	}
	return req.ref, req.err
}

// serve hands out numbers to a batch in arrival order, per year: reserved
// numbers first, then numbers taken in one statement.
func (r *References) serve(batch []*referenceRequest) error {
	ctx, cancel := context.WithTimeout(context.Background(), referenceTimeout)
	defer cancel()
	byYear := map[int][]*referenceRequest{}
	var years []int
	for _, q := range batch {
		if _, ok := byYear[q.year]; !ok {
			years = append(years, q.year)
		}
		byYear[q.year] = append(byYear[q.year], q)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, y := range years {
		reqs := byYear[y]
		sp := r.spare[y]
		for len(reqs) > 0 && sp.next < sp.end {
			reqs[0].ref = reference(y, sp.next)
			sp.next++
			reqs = reqs[1:]
		}
		r.setSpare(y, sp)
		if len(reqs) == 0 {
			continue
		}
		extra := 0
		if len(batch) > 1 {
			extra = refReserve
		}
		last, err := r.take(ctx, y, len(reqs)+extra, extra > 0)
		if err != nil {
			for _, q := range reqs {
				q.err = err
			}
			continue
		}
		first := last - int64(extra+len(reqs)) + 1
		for i, q := range reqs {
			q.ref = reference(y, first+int64(i))
		}
		r.setSpare(y, numberRange{first + int64(len(reqs)), last + 1})
	}
	return nil
}

func (r *References) setSpare(year int, sp numberRange) {
	if sp.next >= sp.end {
		delete(r.spare, year)
		return
	}
	if r.spare == nil {
		r.spare = map[int]numberRange{}
	}
	r.spare[year] = sp
}

func reference(year int, n int64) string { return fmt.Sprintf("NRM-%04d-%06d", year, n) }

// Release gives back the reserved numbers of each year whose counter
// still ends with them; the rest stay skipped. For a stopping process.
func (r *References) Release(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for y, sp := range r.spare {
		if _, err := r.db.ExecContext(ctx, `UPDATE reference_seq SET last = $2 WHERE year = $1 AND last = $3`,
			y, sp.next-1, sp.end-1); err != nil {
			return fmt.Errorf("intake: release references: %w", err)
		}
		delete(r.spare, y)
	}
	return nil
}

// take advances year's counter by n in a statement of its own and returns
// its new value. On PostgreSQL that statement's commit does not wait for
// the disk unless durable, so the counter row is not held through a flush:
// a case using one of the numbers commits synchronously later in the same
// write-ahead log, which makes the counter durable first; if the server
// fails before, no stored case has the number (and the reference column is
// unique). Numbers reserved for later groups are taken durably: a counter
// lost in a crash must not hand them out a second time.
func (r *References) take(ctx context.Context, year, n int, durable bool) (int64, error) {
	q := `INSERT INTO reference_seq (year, last) VALUES ($1, $2)
		ON CONFLICT (year) DO UPDATE SET last = reference_seq.last + $2 RETURNING last`
	if r.db.Engine == db.Postgres && !durable {
		// set_config(..., true) lasts until the end of the statement's own
		// (implicit) transaction, so it still applies to its commit.
		q = `INSERT INTO reference_seq (year, last)
		SELECT CAST($1 AS INTEGER), CAST($2 AS BIGINT) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async
		ON CONFLICT (year) DO UPDATE SET last = reference_seq.last + $2 RETURNING last`
	}
	var last int64
	if err := r.db.QueryRowContext(ctx, q, year, n).Scan(&last); err != nil {
		return 0, fmt.Errorf("intake: reference: %w", err)
	}
	return last, nil
}

// NewReferences returns the reference counter over d.
func NewReferences(d *db.DB) *References { return &References{db: d} }
