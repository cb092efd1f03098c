package referral

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/referral/notices"
)

// NewNotices returns the inbox over the referral database of cfg.
func NewNotices(cfg Config) (*notices.Inbox, error) {
	return notices.New(notices.Config{DB: cfg.DB, Keys: cfg.Keys, Logger: cfg.Logger, Now: cfg.Now})
}

// notify stores a notice referral itself raises, in tx (the change's own
// transaction): the owner of the inbox needs no outbox to reach itself.
func (s *service) notify(ctx context.Context, tx *sql.Tx, n notice.Notice, webhook bool) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now()
	}
	if err := n.Validate(); err != nil {
		return fmt.Errorf("referral: %w", err)
	}
	_, err := notices.Put(ctx, tx, n, webhook, s.now())
	return err
}

// boardNotice tells the national desk of a new item on its board: a
// referral that found no provider, at creation or when its offers ran out.
func boardNotice(r referralRow, at time.Time) notice.Notice {
	return notice.Notice{ID: notice.ID(notice.KindBoardNoProvider, r.ID), Role: notice.RoleNationalDesk,
		Kind: notice.KindBoardNoProvider, Detail: r.Service, ObjectType: notice.ObjectReferral, ObjectID: r.ID, CreatedAt: at}
}
