package notices

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/referral/webhooks"
)

// querier runs queries in a transaction or on the database.
type querier = webhooks.Querier

// noticeWebhookBody is what an organisation's webhook receives for a
// notice: the same codes and ids as the inbox, signed like referral events.
type noticeWebhookBody struct {
	NoticeID   string    `json:"notice_id"`
	Event      string    `json:"event"` // the notice kind
	Detail     string    `json:"detail,omitempty"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Due        string    `json:"due,omitempty"`
	SentAt     time.Time `json:"sent_at"`
}

// Put stores n once (by id) in tx and, when it is new, addressed to
// an organisation with a webhook, and webhook is set, queues a signed
// delivery. It reports whether n was new.
func Put(ctx context.Context, tx querier, n notice.Notice, webhook bool, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO notices (id, org_id, role, user_id, kind, detail, object_type, object_id,
		due, created_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
		n.ID, n.Org, n.Role, n.User, n.Kind, n.Detail, n.ObjectType, n.ObjectID, n.Due, n.CreatedAt.UTC(), now)
	if err != nil {
		return false, fmt.Errorf("referral: store notice: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return false, err // already received: at-least-once delivery
	}
	if !webhook || n.Org == "" {
		return true, nil
	}
	b, _ := json.Marshal(noticeWebhookBody{NoticeID: n.ID, Event: n.Kind, Detail: n.Detail, ObjectType: n.ObjectType,
		ObjectID: n.ObjectID, Due: n.Due, SentAt: now})
	if err := webhooks.Queue(ctx, tx, n.Org, b, now); err != nil {
		return false, err
	}
	return true, nil
}

// visible is the condition (over table alias n) under which a user sees a
// notice: addressed to them in their organisation, to their organisation,
// to one of their roles there, or to the national desk when they are on
// it. It appends its arguments to args.
func visible(p auth.Principal, args *[]any) string {
	add := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	user, org := add(p.UserID), add(p.OrgID)
	roles := make([]string, 0, len(p.Roles))
	for _, r := range p.Roles {
		roles = append(roles, add(r))
	}
	in := "''" // no roles: matches no role-addressed notice
	if len(roles) > 0 {
		in = strings.Join(roles, ", ")
	}
	return `((n.user_id = ` + user + ` AND n.org_id = ` + org + `)
		OR (n.user_id = '' AND n.org_id = ` + org + ` AND n.org_id <> '' AND (n.role = '' OR n.role IN (` + in + `)))
		OR (n.user_id = '' AND n.org_id = '' AND n.role = '` + notice.RoleNationalDesk + `' AND n.role IN (` + in + `)))`
}

const noticeColumns = `n.id, n.kind, n.detail, n.object_type, n.object_id, n.due, n.created_at, r.read_at`

// inbox lists what p sees, unread first, newest first within each.
func list(ctx context.Context, q querier, p auth.Principal, in Query) (Page, error) {
	args := []any{}
	cond := visible(p, &args)
	read := fmt.Sprintf(`LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.user_id = $%d`, len(args)+1)
	args = append(args, p.UserID)
	filter := ""
	if in.Unread {
		filter = ` AND r.read_at IS NULL`
	}
	page := Page{Notifications: []Item{}}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notices n `+read+` WHERE `+cond+` AND r.read_at IS NULL`,
		args...).Scan(&page.Unread); err != nil {
		return Page{}, fmt.Errorf("referral: notices: %w", err)
	}
	n := len(args)
	rows, err := q.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices n `+read+` WHERE `+cond+filter+`
		ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, n.created_at DESC, n.id DESC
		LIMIT `+fmt.Sprintf("$%d OFFSET $%d", n+1, n+2), append(args, in.Limit+1, in.Offset)...)
	if err != nil {
		return Page{}, fmt.Errorf("referral: notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var readAt sql.NullTime
		if err := rows.Scan(&it.ID, &it.Kind, &it.Detail, &it.ObjectType, &it.ObjectID, &it.Due, &it.CreatedAt, &readAt); err != nil {
			return Page{}, fmt.Errorf("referral: notices: %w", err)
		}
		it.CreatedAt = it.CreatedAt.UTC()
		if readAt.Valid {
			t := readAt.Time.UTC()
			it.ReadAt = &t
		}
		page.Notifications = append(page.Notifications, it)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("referral: notices: %w", err)
	}
	if len(page.Notifications) > in.Limit {
		page.Notifications = page.Notifications[:in.Limit]
		next := in.Offset + in.Limit
		page.NextOffset = &next
	}
	return page, nil
}

// visibleIDs returns which of ids p sees.
func visibleIDs(ctx context.Context, q querier, p auth.Principal, ids []string) (map[string]bool, error) {
	args := []any{}
	cond := visible(p, &args)
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := q.QueryContext(ctx, `SELECT n.id FROM notices n WHERE n.id IN (`+strings.Join(marks, ", ")+`) AND `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("referral: notices: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("referral: notices: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// markRead records that user read id (once; a second mark keeps the
// first time) and reports whether it was unread.
func markRead(ctx context.Context, tx querier, id, user string, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES ($1, $2, $3)
		ON CONFLICT (notice_id, user_id) DO NOTHING`, id, user, at)
	if err != nil {
		return false, fmt.Errorf("referral: mark notice read: %w", err)
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

// expire deletes the notices raised before before, their read marks
// first, and returns how many notices it deleted.
func expire(ctx context.Context, tx querier, before time.Time) (int64, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM notice_reads WHERE notice_id IN
		(SELECT id FROM notices WHERE created_at < $1)`, before); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM notices WHERE created_at < $1`, before)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
