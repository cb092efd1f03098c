package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
)

// EnrolmentTicket is a single-use ticket, shown once to the administrator
// who issued it, that the user needs (with their password) to see a
// pending second-factor secret. It is handed over in person.
type EnrolmentTicket struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
}

const (
	// EnrolmentTicketTTL is how long an enrolment ticket works.
	EnrolmentTicketTTL = 72 * time.Hour
	// RecoverySeparation is how long after one administrator issued a
	// password reset (or an enrolment ticket) for a user that the same
	// administrator may not issue the other: both together are the whole
	// account, so a second administrator must hand out the second.
	RecoverySeparation = 7 * 24 * time.Hour

	actionTicketIssue = "identity.enrolment_ticket.issue"
	// CodeSecondAdminRequired: the caller issued the other half of this
	// account's recovery recently; another administrator must do this.
	CodeSecondAdminRequired = "second_admin_required"
	// CodeNotPending: the user's second factor is not waiting for enrolment.
	CodeNotPending = "second_factor_not_pending"
)

// Recovery errors.
var (
	ErrSecondAdminRequired = kit.NewError(http.StatusForbidden, CodeSecondAdminRequired,
		"you recently issued the other half of this account's recovery (password reset or enrolment ticket); "+
			"another administrator must issue this one")
	ErrNotPending = kit.NewError(http.StatusConflict, CodeNotPending,
		"this user's second factor is enrolled; reset it first")
)

func (s *service) IssueEnrolmentTicket(ctx context.Context, id string) (EnrolmentTicket, error) {
	p, err := s.admin(ctx, actionTicketIssue)
	if err != nil {
		return EnrolmentTicket{}, err
	}
	u, err := s.target(ctx, p, actionTicketIssue, id)
	if err != nil {
		return EnrolmentTicket{}, err
	}
	if u.SecondFactor != SecondFactorPending {
		return EnrolmentTicket{}, s.deny(ctx, actionTicketIssue, "user", u.ID, ErrNotPending)
	}
	now := s.now()
	if err := s.separated(ctx, p, actionTicketIssue, "password_resets", u.ID, now); err != nil {
		return EnrolmentTicket{}, err
	}
	ticket, err := randomSecret()
	if err != nil {
		return EnrolmentTicket{}, err
	}
	t := EnrolmentTicket{Ticket: ticket, ExpiresAt: now.Add(EnrolmentTicketTTL)}
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertTicket(ctx, tx, "enrolment_tickets", s.ticketHash(ticket), u.ID, p.UserID, now, t.ExpiresAt); err != nil {
			return err
		}
		return s.recovered(ctx, tx, u.ID, u.OrgID, notice.RecoveryEnrolmentTicketIssued, s.rec.New(ctx, actionTicketIssue, "user", u.ID, event.Allowed))
	})
	if err != nil {
		return EnrolmentTicket{}, err
	}
	return t, nil
}

// separated refuses (403, audited) an administrator who issued a row of
// table (the other half of a recovery) for userID within
// RecoverySeparation. The command line holds the keys anyway and is not
// held to it.
func (s *service) separated(ctx context.Context, p auth.Principal, action, table, userID string, now time.Time) error {
	if p.UserID == auth.System().UserID {
		return nil
	}
	n, err := s.store.issuedBy(ctx, table, userID, p.UserID, now.Add(-RecoverySeparation))
	if err != nil {
		return err
	}
	if n > 0 {
		return s.deny(ctx, action, "user", userID, ErrSecondAdminRequired)
	}
	return nil
}

func randomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("identity: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ticketHash keys enrolment tickets apart from reset tokens.
func (s *service) ticketHash(ticket string) string {
	m := hmac.New(sha256.New, s.resetKey)
	m.Write([]byte("enrolment-ticket\x00"))
	m.Write([]byte(ticket))
	return hex.EncodeToString(m.Sum(nil))
}
