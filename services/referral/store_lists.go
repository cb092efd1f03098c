package referral

import (
	"context"
	"fmt"
	"time"
)

// The statements behind the lists: the provider's inbox, what an
// organisation sent, the coordinators' board and the notifications.

// referrals runs a query selecting referralColumns.
func (st *store) referrals(ctx context.Context, q queryer, query string, args ...any) ([]referralRow, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("referral: list: %w", err)
	}
	defer rows.Close()
	var out []referralRow
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, fmt.Errorf("referral: list: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// inbox lists orgID's open offers, soonest deadline first, then the
// referrals it accepted and still works on.
func (st *store) inbox(ctx context.Context, q queryer, orgID string, limit int) ([]referralRow, error) {
	return st.referrals(ctx, q, `SELECT `+prefixed("r.", referralColumns)+` FROM referrals r
		JOIN referral_candidates c ON c.referral_id = r.id
		WHERE c.org_id = $1 AND (c.status = 'offered' OR c.status = 'accepted' AND r.status IN ('accepted', 'arrived'))
		ORDER BY CASE WHEN c.status = 'offered' THEN 0 ELSE 1 END, c.deadline_at, r.created_at LIMIT $2`, orgID, limit)
}

// sentBy lists the referrals orgID sent, newest first.
func (st *store) sentBy(ctx context.Context, q queryer, orgID string, limit int) ([]referralRow, error) {
	return st.referrals(ctx, q, `SELECT `+referralColumns+` FROM referrals WHERE sender_org = $1
		ORDER BY created_at DESC, id LIMIT $2`, orgID, limit)
}

// withoutProvider lists the referrals no candidate was left for, the
// latest first.
func (st *store) withoutProvider(ctx context.Context, q queryer, limit int) ([]referralRow, error) {
	return st.referrals(ctx, q, `SELECT `+referralColumns+` FROM referrals WHERE status = 'no_provider'
		ORDER BY updated_at DESC, id LIMIT $1`, limit)
}

// expiringBy lists the pending referrals with an offer due by soon,
// oldest first.
func (st *store) expiringBy(ctx context.Context, q queryer, soon time.Time, limit int) ([]referralRow, error) {
	return st.referrals(ctx, q, `SELECT `+referralColumns+` FROM referrals WHERE status = 'pending' AND id IN
		(SELECT referral_id FROM referral_candidates WHERE status = 'offered' AND deadline_at <= $1)
		ORDER BY created_at, id LIMIT $2`, soon, limit)
}

// emergencies lists the emergency referrals still pending or accepted,
// oldest first.
func (st *store) emergencies(ctx context.Context, q queryer, limit int) ([]referralRow, error) {
	return st.referrals(ctx, q, `SELECT `+referralColumns+` FROM referrals WHERE urgency = 'emergency'
		AND status IN ('pending', 'accepted') ORDER BY created_at, id LIMIT $1`, limit)
}

// unmetNeeds counts the referrals without a provider by region and
// service.
func (st *store) unmetNeeds(ctx context.Context, q queryer) ([]UnmetNeed, error) {
	rows, err := q.QueryContext(ctx, `SELECT region, service, COUNT(*) FROM referrals WHERE status = 'no_provider'
		GROUP BY region, service ORDER BY region, service`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []UnmetNeed{}
	for rows.Next() {
		var u UnmetNeed
		if err := rows.Scan(&u.Region, &u.Service, &u.Count); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

const notificationColumns = `seq, referral_id, event, created_at`

func scanNotification(sc interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	err := sc.Scan(&n.Seq, &n.ReferralID, &n.Event, &n.CreatedAt)
	n.CreatedAt = n.CreatedAt.UTC()
	return n, err
}

// notifications returns orgID's notifications after seq after, in order.
func (st *store) notifications(ctx context.Context, q queryer, orgID string, after int64, limit int) ([]Notification, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, orgID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// prefixed qualifies each column of cols with prefix ("r.").
func prefixed(prefix, cols string) string {
	out := make([]byte, 0, len(cols)*2)
	word := true
	for i := 0; i < len(cols); i++ {
		ch := cols[i]
		if word && ch != ' ' && ch != '\n' && ch != '\t' && ch != ',' {
			out = append(out, prefix...)
			word = false
		}
		if ch == ',' {
			word = true
		}
		out = append(out, ch)
	}
	return string(out)
}
