package referral

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/services/referral/grants"
)

// Sweeper moves referrals past their deadlines: an expired offer goes to
// the next candidate, and a referral with none left goes to the
// coordinators as no_provider. It also retries webhook deliveries
// (grant revocations travel on the outbox: grants.Revoke). All its state is in the database, every step is
// guarded by the status it expects, so any number of sweepers, restarted
// at any time, do each thing once.
type Sweeper struct {
	s        *service
	Interval time.Duration
	Batch    int
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Expired int
	// HandedOver counts the revocations left due from before they
	// travelled on the outbox, now put in it (grants.Handover).
	HandedOver int
	Delivered  int
}

// NewSweeper returns the sweeper of the service configured by cfg.
func NewSweeper(cfg Config) (*Sweeper, error) {
	s, err := newService(cfg)
	if err != nil {
		return nil, err
	}
	return &Sweeper{s: s, Interval: 30 * time.Second, Batch: 100}, nil
}

// Run sweeps every Interval until ctx ends.
func (w *Sweeper) Run(ctx context.Context) error {
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		if _, err := w.SweepOnce(ctx, w.s.now()); err != nil && ctx.Err() == nil {
			_ = w.s.logger.Log("msg", "referral sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

var errRaced = errors.New("referral: another sweeper moved it first")

// SweepOnce does the work due at now.
func (w *Sweeper) SweepOnce(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	now = now.UTC().Truncate(time.Microsecond)
	ctx = serviceContext(ctx)
	ids, err := w.s.store.dueOffers(ctx, w.s.db, now, w.Batch)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		n, err := w.expire(ctx, id, now)
		if errors.Is(err, errRaced) {
			continue
		}
		if err != nil {
			return res, err
		}
		res.Expired += n
	}
	if res.Expired > 0 {
		w.s.wake()
	}
	if res.HandedOver, err = grants.Handover(ctx, w.s.db, w.s.ob, now, w.Batch); err != nil {
		return res, err
	}
	res.Delivered, err = w.s.hooks.Send(ctx, now, w.Batch)
	return res, err
}

// expire closes the offers of one referral whose deadline passed and
// offers it to the next candidates.
func (w *Sweeper) expire(ctx context.Context, id string, now time.Time) (int, error) {
	s := w.s
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.lockPending(ctx, tx, id); err != nil {
			return err
		}
		row, err := s.store.referral(ctx, tx, id)
		if err != nil {
			return err
		}
		cands, err := s.store.candidates(ctx, tx, id)
		if err != nil {
			return err
		}
		for i := range cands {
			c := &cands[i]
			if c.Status != OfferOffered || c.Deadline.After(now) {
				continue
			}
			ok, err := s.store.setOffer(ctx, tx, id, c.OrgID, OfferOffered, OfferExpired, *c.Deadline, "")
			if err != nil {
				return err
			}
			if !ok {
				return errRaced
			}
			c.Status = OfferExpired
			if err := s.revokeGrant(ctx, tx, row, c, grantchange.ReasonExpired, now); err != nil {
				return err
			}
			if err := s.store.UpdateMedian(ctx, tx, c.OrgID); err != nil {
				return err
			}
			f := s.fact(row, facts.ReferralExpired, now)
			f.ResponseSeconds = seconds(c.OfferedAt, *c.Deadline)
			if err := s.facts(ctx, tx, f); err != nil {
				return err
			}
			if err := s.tell(ctx, tx, c.OrgID, row, "expired", nil); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, s.rec.New(ctx, "referral.offer.expire", "referral", id, event.Allowed)); err != nil {
				return err
			}
			n++
		}
		return s.advance(ctx, tx, &row, cands, now)
	})
	return n, err
}
