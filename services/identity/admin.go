package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// audit writes events into the outbox in tx. A failure fails the change
// with 503: nothing commits without its trace.
func (s *service) audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	if err := s.outbox.Audit(ctx, tx, events...); err != nil {
		return fmt.Errorf("identity: audit: %w: %w", kit.ErrUnavailable, err)
	}
	return nil
}

// auditAlone writes events in a transaction of their own.
func (s *service) auditAlone(ctx context.Context, events ...event.Audit) error {
	return s.store.db.Tx(ctx, func(tx *sql.Tx) error { return s.audit(ctx, tx, events...) })
}

// deny records a denial to a signed-in caller and returns answer (403, or
// 404 where even the object's existence must not leak).
func (s *service) deny(ctx context.Context, action, objectType, objectID string, answer error) error {
	if err := s.auditAlone(ctx, s.rec.New(ctx, action, objectType, objectID, event.Denied)); err != nil {
		return err
	}
	return answer
}

// admin returns the caller when they administer users (org_admin in their
// own organisation, system_admin everywhere), else a recorded denial.
func (s *service) admin(ctx context.Context, action string) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return p, ErrUnauthenticated
	}
	if !p.HasRole(auth.RoleSystemAdmin) && !(p.HasRole(auth.RoleOrgAdmin) && p.OrgID != "") {
		return p, s.deny(ctx, action, "identity", "", ErrForbidden)
	}
	return p, nil
}

func (s *service) CreateOrg(ctx context.Context, n NewOrg) (Org, error) {
	p, err := s.admin(ctx, "identity.org.create")
	if err != nil {
		return Org{}, err
	}
	if !p.HasRole(auth.RoleSystemAdmin) {
		return Org{}, s.deny(ctx, "identity.org.create", "org", "", ErrForbidden)
	}
	n, err = s.validateOrg(n)
	if err != nil {
		return Org{}, err
	}
	o := Org{ID: event.NewID(), Name: n.Name, Kind: n.Kind, Region: n.Region, CreatedAt: s.now()}
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertOrg(ctx, tx, o); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "identity.org.create", "org", o.ID, event.Allowed))
	})
	if err != nil {
		return Org{}, err
	}
	return o, nil
}

func (s *service) ListOrgs(ctx context.Context) ([]Org, error) {
	p, err := s.admin(ctx, "identity.org.list")
	if err != nil {
		return nil, err
	}
	if p.HasRole(auth.RoleSystemAdmin) {
		return s.store.orgs(ctx, "")
	}
	return s.store.orgs(ctx, p.OrgID)
}

// inScope reports whether p may administer users of orgID.
func inScope(p auth.Principal, orgID string) bool {
	return p.HasRole(auth.RoleSystemAdmin) || (p.HasRole(auth.RoleOrgAdmin) && p.OrgID == orgID)
}

// NewUserEnrolmentWindow is how long a new user's TOTP secret waits for
// its first code; SecondFactorResetWindow the same after an admin reset.
const (
	NewUserEnrolmentWindow  = 30 * 24 * time.Hour
	SecondFactorResetWindow = 7 * 24 * time.Hour
)

func (s *service) CreateUser(ctx context.Context, n NewUser) (User, string, error) {
	const action = "identity.user.create"
	p, err := s.admin(ctx, action)
	if err != nil {
		return User{}, "", err
	}
	n, err = validateUser(n)
	if err != nil {
		return User{}, "", err
	}
	if !inScope(p, n.OrgID) {
		return User{}, "", s.deny(ctx, action, "org", n.OrgID, ErrNotFound)
	}
	for _, r := range n.Roles {
		if !s.roles.MayGrant(p.Roles, r) {
			return User{}, "", s.deny(ctx, action, "org", n.OrgID, kit.NewError(http.StatusForbidden, CodePrivilegedRole,
				"only a system administrator may grant the role "+r))
		}
	}
	org, err := s.store.org(ctx, s.store.db, n.OrgID)
	if err != nil {
		return User{}, "", err
	}
	if err := s.rolesFit(ctx, action, n.OrgID, n.Roles, org.Kind); err != nil {
		return User{}, "", err
	}
	hash, err := s.hasher.Hash(ctx, kit.ClientAddr(ctx), n.Password)
	if err != nil {
		return User{}, "", err
	}
	secret, uri, err := newTOTP(n.Email)
	if err != nil {
		return User{}, "", err
	}
	now := s.now()
	u := userRow{User: User{ID: event.NewID(), OrgID: n.OrgID, Email: n.Email, DisplayName: n.DisplayName,
		Roles: n.Roles, Status: StatusActive, CreatedAt: now, CreatedBy: p.UserID, SecondFactor: SecondFactorPending},
		PasswordHash: hash, TOTPPendingUntil: now.Add(NewUserEnrolmentWindow)}
	if u.TOTPSecret, err = sealTOTP(s.totpKey, u.ID, secret); err != nil {
		return User{}, "", fmt.Errorf("identity: seal totp: %w", err)
	}
	u.MAC = userMAC(s.macKey, u.ID, u.OrgID, u.Roles, u.Status, u.Email)
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertUser(ctx, tx, u, now); err != nil {
			return err
		}
		events := []event.Audit{s.rec.New(ctx, action, "user", u.ID, event.Allowed)}
		// A privileged role's grant is an event of its own, which the
		// auditors filter on; the organisation's admins see who created
		// each user (created_by) in the user listing.
		for _, r := range u.Roles {
			if s.roles.Privileged(r) {
				events = append(events, s.rec.New(ctx, "identity.role.grant."+r, "user", u.ID, event.Allowed))
			}
		}
		return s.audit(ctx, tx, events...)
	})
	if errors.Is(err, errDuplicate) {
		return User{}, "", ErrEmailTaken
	}
	if err != nil {
		return User{}, "", err
	}
	return u.User, uri, nil
}

// rolesFit refuses (403, audited) roles the organisation's kind may not
// hold, naming them and the kinds that may.
func (s *service) rolesFit(ctx context.Context, action, orgID string, roles []string, kind string) error {
	misfits := s.roles.Misfits(roles, kind)
	if len(misfits) == 0 {
		return nil
	}
	parts := make([]string, len(misfits))
	for i, r := range misfits {
		parts[i] = r + " (only in: " + strings.Join(s.roles.Kinds(r), ", ") + ")"
	}
	return s.deny(ctx, action, "org", orgID, kit.NewError(http.StatusForbidden, CodeRoleNotAllowed,
		"roles: an organisation of kind "+kind+" may not hold "+strings.Join(parts, "; ")))
}

// problems says why u cannot be used, given its organisation's kind.
func (s *service) problems(u userRow, kind string) []string {
	var out []string
	if len(s.roles.Misfits(u.Roles, kind)) > 0 {
		out = append(out, ProblemRolesDoNotFit)
	}
	if !checkUserMAC(s.macKey, u) {
		out = append(out, ProblemIntegrityCheck)
	}
	return out
}

// mayAdminister reports whether p may act on the account u (reset its
// factors, re-enable it, issue a reset link): an org_admin only for its
// own organisation's users who hold no privileged role.
func (s *service) mayAdminister(p auth.Principal, u userRow) bool {
	if p.HasRole(auth.RoleSystemAdmin) {
		return true
	}
	if !inScope(p, u.OrgID) {
		return false
	}
	for _, r := range u.Roles {
		if s.roles.Privileged(r) {
			return false
		}
	}
	return true
}

func (s *service) ListUsers(ctx context.Context, orgID string) ([]User, error) {
	p, err := s.admin(ctx, "identity.user.list")
	if err != nil {
		return nil, err
	}
	if orgID == "" && !p.HasRole(auth.RoleSystemAdmin) {
		orgID = p.OrgID
	}
	if orgID != "" && !validUUID(orgID) {
		return nil, kit.Validation("org_id must be an organisation id")
	}
	if orgID != "" && !inScope(p, orgID) {
		return nil, s.deny(ctx, "identity.user.list", "org", orgID, ErrNotFound)
	}
	rows, err := s.store.users(ctx, orgID)
	if err != nil {
		return nil, err
	}
	orgs, err := s.store.orgs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	kinds := make(map[string]string, len(orgs))
	for _, o := range orgs {
		kinds[o.ID] = o.Kind
	}
	out := make([]User, len(rows))
	for i, u := range rows {
		u.Problems = s.problems(u, kinds[u.OrgID])
		out[i] = u.User
	}
	return out, nil
}

func (s *service) DisableUser(ctx context.Context, id string) error {
	p, err := s.admin(ctx, "identity.user.disable")
	if err != nil {
		return err
	}
	if !validUUID(id) {
		return ErrNotFound
	}
	u, err := s.store.userByID(ctx, s.store.db, id)
	if errors.Is(err, ErrNotFound) {
		return s.deny(ctx, "identity.user.disable", "user", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if !inScope(p, u.OrgID) {
		return s.deny(ctx, "identity.user.disable", "user", id, ErrNotFound)
	}
	if u.HasRole(auth.RoleSystemAdmin) && !p.HasRole(auth.RoleSystemAdmin) {
		return s.deny(ctx, "identity.user.disable", "user", id, ErrForbidden)
	}
	now := s.now()
	// A row that fails its MAC is disabled with an empty MAC, so
	// re-signing can never bless a role planted in the database.
	mac := ""
	if checkUserMAC(s.macKey, u) {
		mac = userMAC(s.macKey, u.ID, u.OrgID, u.Roles, StatusDisabled, u.Email)
	}
	return s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.setStatus(ctx, tx, id, StatusDisabled, mac, now); err != nil {
			return err
		}
		revoked, err := s.store.revokeUserSessions(ctx, tx, id, now)
		if err != nil {
			return err
		}
		events := []event.Audit{s.rec.New(ctx, "identity.user.disable", "user", id, event.Allowed)}
		for _, sid := range revoked {
			events = append(events, s.rec.New(ctx, "identity.session.revoke", "session", sid, event.Allowed))
		}
		return s.audit(ctx, tx, events...)
	})
}

// HasRole reports whether the user holds role r.
func (u User) HasRole(r string) bool { return slices.Contains(u.Roles, r) }

// NewDenialRecorder returns the authz.DenialRecorder of the identity
// service, writing each denial to a signed-in user into its outbox.
func NewDenialRecorder(d *db.DB, k *keys.Dir) authz.DenialRecorder {
	return outbox.NewDenialRecorder(d, "identity", event.Recorder{ClientKey: k.Subkey(keys.PurposeClientAddress)})
}
