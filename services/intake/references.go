package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/group"
)

// references hands out case reference numbers, per year. Registrations
// that ask while a number is being taken wait, and the next caller takes
// numbers for all of them with one statement: the year's counter row is
// locked once per group instead of once per registration, and no number is
// taken for nobody.
type references struct {
	db      *db.DB
	batches group.Batches[*referenceRequest]
}

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
func (r *references) Next(year int) (string, error) {
	req := &referenceRequest{year: year}
	if err := r.batches.Do(req, r.serve); err != nil {
		return "", err
	}
	return req.ref, req.err
}

// serve takes numbers for a batch, one statement per year, in arrival order.
func (r *references) serve(batch []*referenceRequest) error {
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
	for _, y := range years {
		reqs := byYear[y]
		last, err := r.take(ctx, y, len(reqs))
		for i, q := range reqs {
			if err != nil {
				q.err = err
				continue
			}
			n := last - int64(len(reqs)-1-i)
			q.ref = fmt.Sprintf("NRM-%04d-%06d", y, n)
		}
	}
	return nil
}

// take advances year's counter by n in a statement of its own and returns
// its new value. On PostgreSQL that statement's commit does not wait for
// the disk, so the counter row is not held through a flush: a case using
// one of the numbers commits synchronously later in the same write-ahead
// log, which makes the counter durable first; if the server fails before,
// no stored case has the number (and the reference column is unique).
func (r *references) take(ctx context.Context, year, n int) (int64, error) {
	q := `INSERT INTO reference_seq (year, last) VALUES ($1, $2)
		ON CONFLICT (year) DO UPDATE SET last = reference_seq.last + $2 RETURNING last`
	if r.db.Engine == db.Postgres {
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
