package intake

import (
	"context"
	"time"
)

// A revocation intake decides (consent withdrawal, transfer, purge, the
// end of a service) is told to referral through the outbox in the change's
// transaction; once the change has committed, the relay is woken
// (Config.WakeRelay) so it reaches referral at once, as referral does
// after a decline. A wake with nothing new to deliver costs one poll.

// wakeRelay wakes the relay after the calls that may revoke referral grants.
type wakeRelay struct {
	Service
	wake func()
}

func (w wakeRelay) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (Case, error) {
	c, err := w.Service.RecordConsent(ctx, caseID, in)
	if err == nil {
		w.wake()
	}
	return c, err
}

func (w wakeRelay) Transfer(ctx context.Context, caseID, toOrg string) (Case, error) {
	c, err := w.Service.Transfer(ctx, caseID, toOrg)
	if err == nil {
		w.wake()
	}
	return c, err
}

// Purge destroys what the retention policy says has expired at now
// (oversight.Oversight.Purge). nrm cases purge runs it; it is safe to run
// again.
func (a *Admin) Purge(ctx context.Context, now time.Time) (PurgeReport, error) {
	rep, err := a.s.Oversight.Purge(ctx, now)
	if rep.Cases > 0 {
		a.s.wake()
	}
	return rep, err
}

// EndGrants revokes every grant whose follow-up window has passed at now
// (grants.Grants.EndGrants) and returns how many. Run it with the
// break-glass expiry (nrm serve).
func (a *Admin) EndGrants(ctx context.Context, now time.Time) (int, error) {
	n, err := a.s.Grants.EndGrants(ctx, now)
	if n > 0 {
		a.s.wake()
	}
	return n, err
}
