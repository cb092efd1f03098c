package notices

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// Service is every signed-in user's inbox of notifications: what
// other services (and referral itself) told them, their role or their
// organisation. It is its own go-kit service over the referral database,
// which already holds the organisations' webhooks.
type Service interface {
	// Notices lists the caller's notices, unread first, newest first.
	Notices(ctx context.Context, q Query) (Page, error)
	// MarkRead marks notices read for the caller alone. Every id must be
	// one the caller sees; otherwise nothing is marked and the answer is
	// kit.ErrNotFound.
	MarkRead(ctx context.Context, ids []string) (int, error)
}

// Query pages through an inbox.
type Query struct {
	Unread bool `json:"unread,omitempty"` // unread notices only
	Limit  int  `json:"limit,omitempty"`  // 1..MaxPage, default DefaultPage
	Offset int  `json:"offset,omitempty"`
}

// Inbox page sizes, and the most ids one MarkRead takes.
const (
	DefaultPage = 50
	MaxPage     = 200
	MaxMarkRead = 200
)

// Item is one notice as its reader sees it: codes, ids and dates.
type Item struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Detail     string     `json:"detail,omitempty"`
	ObjectType string     `json:"object_type"`
	ObjectID   string     `json:"object_id"`
	Due        string     `json:"due,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
}

// Page is a page of an inbox, with the caller's unread count.
type Page struct {
	Notifications []Item `json:"notifications"`
	Unread        int    `json:"unread"`
	NextOffset    *int   `json:"next_offset,omitempty"`
}

// Config holds the dependencies of the inbox: the referral database,
// which holds the organisations' webhooks, and the key directory for the
// audit records' client-address hashes.
type Config struct {
	DB     *db.DB
	Keys   *keys.Dir
	Logger log.Logger
	Now    func() time.Time
}

// Inbox stores the notices the services emit and serves the inboxes.
type Inbox struct {
	db     *db.DB
	ob     *outbox.Outbox
	rec    event.Recorder
	now    func() time.Time
	logger log.Logger
}

var _ Service = (*Inbox)(nil)

// New returns the notifications service over the referral database.
func New(cfg Config) (*Inbox, error) {
	if cfg.DB == nil || cfg.Keys == nil {
		return nil, fmt.Errorf("referral: notices: DB and Keys are required")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	utc := func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	logger := cfg.Logger
	if logger == nil {
		logger = log.NewNopLogger()
	}
	ob := outbox.New("referral")
	ob.Now = utc
	return &Inbox{db: cfg.DB, ob: ob, now: utc, logger: logger,
		rec: event.Recorder{ClientKey: cfg.Keys.Subkey(keys.PurposeClientAddress), Now: utc}}, nil
}

// Receive is the outbox handler of notice.Topic: it stores each notice
// once by id (delivery is at least once) and queues its webhook. A notice
// that fails its contract is logged and dropped, never stored: retrying
// it would block the outbox for ever.
func (s *Inbox) Receive(ctx context.Context, msgs []outbox.Message) error {
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, m := range msgs {
			var n notice.Notice
			if err := json.Unmarshal(m.Payload, &n); err != nil {
				level.Error(s.logger).Log("msg", "notice dropped: undecodable", "source", m.Source, "seq", m.Seq)
				continue
			}
			if err := n.Validate(); err != nil {
				level.Error(s.logger).Log("msg", "notice dropped", "source", m.Source, "seq", m.Seq, "err", err)
				continue
			}
			if _, err := Put(ctx, tx, n, true, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Inbox) Notices(ctx context.Context, q Query) (Page, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Page{}, err
	}
	if p.IsService() || p.UserID == "" {
		return Page{}, kit.ErrForbidden
	}
	if q.Limit == 0 {
		q.Limit = DefaultPage
	}
	var bad []string
	if q.Limit < 1 || q.Limit > MaxPage {
		bad = append(bad, fmt.Sprintf("limit: between 1 and %d", MaxPage))
	}
	if q.Offset < 0 {
		bad = append(bad, "offset: not negative")
	}
	if len(bad) > 0 {
		return Page{}, kit.Validation(strings.Join(bad, "; "))
	}
	page, err := list(ctx, s.db, p, q)
	if err != nil {
		return Page{}, fmt.Errorf("%w: %w", kit.ErrUnavailable, err)
	}
	return page, nil
}

func (s *Inbox) MarkRead(ctx context.Context, ids []string) (int, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return 0, err
	}
	if p.IsService() || p.UserID == "" {
		return 0, kit.ErrForbidden
	}
	if err := validateIDs(ids); err != nil {
		return 0, err
	}
	now, marked := s.now(), 0
	var hidden string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		seen, err := visibleIDs(ctx, tx, p, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !seen[id] {
				hidden = id
				return kit.ErrNotFound
			}
		}
		events := make([]event.Audit, 0, len(ids))
		for _, id := range ids {
			ok, err := markRead(ctx, tx, id, p.UserID, now)
			if err != nil {
				return err
			}
			if ok {
				marked++
				events = append(events, s.rec.New(ctx, "referral.notification.read", "notification", id, event.Allowed))
			}
		}
		if len(events) == 0 {
			return nil
		}
		if err := s.ob.Audit(ctx, tx, events...); err != nil {
			return fmt.Errorf("referral: audit: %w: %w", kit.ErrUnavailable, err)
		}
		return nil
	})
	if errors.Is(err, kit.ErrNotFound) {
		// Another's notice, or none: the same answer, and the attempt on record.
		return 0, s.deny(ctx, hidden)
	}
	if err != nil && !errors.Is(err, kit.ErrUnavailable) {
		err = fmt.Errorf("%w: %w", kit.ErrUnavailable, err)
	}
	return marked, err
}

func (s *Inbox) deny(ctx context.Context, id string) error {
	e := s.rec.New(ctx, "referral.notification.read", "notification", id, event.Denied)
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.ob.Audit(ctx, tx, e) }); err != nil {
		return fmt.Errorf("referral: audit: %w: %w", kit.ErrUnavailable, err)
	}
	return kit.ErrNotFound
}

// validateIDs: one to MaxMarkRead ids, each an id (not free text),
// no repeats.
func validateIDs(ids []string) error {
	if len(ids) == 0 || len(ids) > MaxMarkRead {
		return kit.Validation(fmt.Sprintf("ids: between 1 and %d notice ids", MaxMarkRead))
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if len(id) != 36 || !idChars(id) {
			return kit.Validation(fmt.Sprintf("ids[%d]: not a notice id", i))
		}
		if seen[id] {
			return kit.Validation(fmt.Sprintf("ids[%d]: repeated", i))
		}
		seen[id] = true
	}
	return nil
}

func idChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-') {
			return false
		}
	}
	return true
}

// Retention is how long a notice is kept after it was raised: long
// enough to be read after any absence, short enough that the inboxes do
// not keep a history of every case for ever.
const Retention = 180 * 24 * time.Hour

// Expire deletes the notices raised before now - Retention, with
// their read marks, and returns how many.
func (s *Inbox) Expire(ctx context.Context, now time.Time) (int, error) {
	before := now.UTC().Add(-Retention)
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = expire(ctx, tx, before)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("referral: expire notices: %w", err)
	}
	return int(n), nil
}
