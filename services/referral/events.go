package referral

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/referral/webhooks"
)

// audit appends audit events in tx; failing to means the change fails.
func (s *service) audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	if err := s.ob.Audit(ctx, tx, events...); err != nil {
		return fmt.Errorf("referral: audit: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// deny records a denied action and returns answer (a 404 or 403), or
// ErrUnavailable when the denial could not be recorded.
func (s *service) deny(ctx context.Context, action, objectType, objectID string, answer error) error {
	e := s.rec.New(ctx, action, objectType, objectID, event.Denied)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.audit(ctx, tx, e) })
	if err != nil {
		return err
	}
	return answer
}

// pseudonym is the statistics key of an id: never the id itself.
func (s *service) pseudonym(id string) string {
	m := hmac.New(sha256.New, s.pseudo)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// fact builds a de-identified statistics event about a referral.
func (s *service) fact(r referralRow, typ string, at time.Time) facts.Event {
	child := r.TreatedAsChild
	return facts.Event{
		ID: event.NewID(), Type: typ, CaseKey: s.pseudonym(r.CaseID), ReferralKey: s.pseudonym(r.ID),
		Month: at.Format("2006-01"), Region: r.Region, AgeGroup: r.AgeGroup, TreatedAsChild: &child,
		Service: r.Service, Urgency: r.Urgency, GroupSize: r.GroupSize,
	}
}

func (s *service) facts(ctx context.Context, tx *sql.Tx, events ...facts.Event) error {
	ps := make([]any, len(events))
	for i, e := range events {
		ps[i] = e
	}
	if err := s.ob.Append(ctx, tx, facts.Topic, ps...); err != nil {
		return fmt.Errorf("referral: facts: %w: %w", ErrUnavailable, err)
	}
	return nil
}

func seconds(from *time.Time, to time.Time) *int64 {
	if from == nil {
		return nil
	}
	d := int64(to.Sub(*from).Seconds())
	return &d
}

// tell notifies an organisation in the app and, when it has a webhook,
// queues a signed delivery in the same transaction.
func (s *service) tell(ctx context.Context, tx *sql.Tx, orgID string, r referralRow, ev string, deadline *time.Time) error {
	now := s.now()
	if err := s.store.notify(ctx, tx, orgID, r.ID, ev, now); err != nil {
		return err
	}
	// The organisation's users see it in their inbox too; the webhook is queued below.
	if err := s.notify(ctx, tx, notice.Notice{ID: event.NewID(), Org: orgID, Kind: notice.KindReferralPrefix + ev,
		ObjectType: notice.ObjectReferral, ObjectID: r.ID, CreatedAt: now}, false); err != nil {
		return err
	}
	return webhooks.Tell(ctx, tx, orgID, webhooks.Body{ReferralID: r.ID, Event: ev, Service: r.Service, Urgency: r.Urgency,
		Deadline: deadline, SentAt: now}, now)
}

// NewDenialRecorder returns the authz.DenialRecorder of the referral
// service, writing each denial to a signed-in user into its outbox.
func NewDenialRecorder(d *db.DB, k *keys.Dir) authz.DenialRecorder {
	return outbox.NewDenialRecorder(d, "referral", event.Recorder{ClientKey: k.Subkey(keys.PurposeClientAddress)})
}

// serviceContext is the context of the sweeper's own work.
func serviceContext(ctx context.Context) context.Context {
	return auth.WithPrincipal(ctx, auth.ServicePrincipal("referral"))
}
