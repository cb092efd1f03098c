package oversight

import (
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/web/page"
)

// The administrators' pages: organisations (system admins), the users of
// an organisation with the roles its kind may hold, second-factor resets,
// disabling and re-enabling, and the provider directory entry with its
// webhook secret (admin_provider.go). Identity decides who may do what:
// an organisation admin reaches only their own organisation's users, and
// only a system admin grants or touches a privileged role. The pages offer
// no more than that, and whatever is typed in an address bar is refused by
// the service all the same.

func (h *Pages) adminRoutes() {
	if h.cfg.Accounts == nil {
		return
	}
	if h.cfg.Roles == nil {
		p, err := identity.LoadRolePolicy("")
		if err != nil {
			panic("web: embedded role policy: " + err.Error())
		}
		h.cfg.Roles = p
	}
	m := h.Mux()
	m.HandleFunc("GET /admin/orgs", h.Page(true, h.systemAdmin(h.orgsPage)))
	m.HandleFunc("POST /admin/orgs", h.Page(true, h.systemAdmin(h.createOrg)))
	m.HandleFunc("GET /admin/users", h.Page(true, h.administrator(h.usersPage)))
	m.HandleFunc("POST /admin/users", h.Page(true, h.administrator(h.createUser)))
	m.HandleFunc("POST /admin/users/{id}/{action}", h.Page(true, h.administrator(h.userAction)))
	if h.cfg.KeyRings != nil {
		m.HandleFunc("GET /admin/keys", h.Page(true, h.administrator(h.keysPage)))
	}
	if h.cfg.Directory != nil {
		m.HandleFunc("GET /admin/provider", h.Page(true, h.administrator(h.providerPage)))
		m.HandleFunc("POST /admin/provider/{org}/webhook-secret", h.Page(true, h.administrator(h.rotateSecret)))
	}
}

func (h *Pages) administrator(fn page.HandlerFunc) page.HandlerFunc {
	return func(q *page.Request) {
		if !q.S.HasRole(auth.RoleOrgAdmin) && !q.S.HasRole(auth.RoleSystemAdmin) {
			h.NotFound(q)
			return
		}
		fn(q)
	}
}

// systemAdmin lets only system administrators through (identity refuses
// the others too, and audits it).
func (h *Pages) systemAdmin(fn page.HandlerFunc) page.HandlerFunc {
	return func(q *page.Request) {
		if !q.S.HasRole(auth.RoleSystemAdmin) {
			h.NotFound(q)
			return
		}
		fn(q)
	}
}

// orgsPage lists the organisations; system admins create them here.
func (h *Pages) orgsPage(q *page.Request) {
	h.renderOrgs(q, http.StatusOK, &page.View{Title: "admin.orgs.title"})
}

func (h *Pages) renderOrgs(q *page.Request, status int, v *page.View) {
	orgs, err := h.cfg.Accounts.ListOrgs(q.Ctx())
	if err != nil {
		h.Fail(q, err)
		return
	}
	v.Data = map[string]any{"Orgs": orgs, "Kinds": identity.OrgKinds, "Regions": identity.DefaultRegions,
		"System": q.S.HasRole(auth.RoleSystemAdmin)}
	h.Render(q, status, "admin_orgs", v)
}

func (h *Pages) createOrg(q *page.Request) {
	f := q.R.PostForm
	var e page.FieldErrors
	page.Required(&e, f, "org_name", "kind")
	if k := f.Get("kind"); k != "" && !slices.Contains(identity.OrgKinds, k) {
		e.Add("kind", "field.choose")
	}
	if r := f.Get("region"); r != "" && !slices.Contains(identity.DefaultRegions, r) && r != "abroad" {
		e.Add("region", "field.choose")
	}
	if e.Any() {
		h.renderOrgs(q, http.StatusBadRequest, &page.View{Title: "admin.orgs.title", Form: f, Errors: e})
		return
	}
	o, err := h.cfg.Accounts.CreateOrg(q.Ctx(), identity.NewOrg{Name: strings.TrimSpace(f.Get("org_name")), Kind: f.Get("kind"), Region: f.Get("region")})
	if err != nil {
		if ke := kit.AsError(err); ke.Status == http.StatusBadRequest || ke.Status == http.StatusUnprocessableEntity {
			e.Add(fieldOf(ke.Message, "org_name", map[string]string{"name": "org_name", "kind": "kind", "region": "region"}), "field.invalid")
			h.renderOrgs(q, ke.Status, &page.View{Title: "admin.orgs.title", Form: f, Errors: e})
			return
		}
		h.Fail(q, err)
		return
	}
	q.S.Flash = "admin.orgs.created"
	h.Save(q.W, q.S)
	page.Redirect(q, "/admin/users?org=%s", o.ID)
}

// fieldOf names the form field a service's validation message is about
// (its messages begin with the JSON field's name), else def.
func fieldOf(message, def string, fields map[string]string) string {
	for k, f := range fields {
		if strings.HasPrefix(message, k+" ") || strings.HasPrefix(message, k+":") {
			return f
		}
	}
	return def
}

// usersData is the users page of one organisation.
type usersData struct {
	Org    identity.Org
	Orgs   []identity.Org // to switch organisation (system admins)
	Users  []userRow
	Roles  []string // the roles this caller may grant in this organisation
	System bool
}

// orgFor returns the organisation the page is about: the one asked for,
// else the caller's own. An organisation the caller may not list is not
// found, whatever its id.
func (h *Pages) orgFor(q *page.Request, id string) (identity.Org, []identity.Org, bool) {
	if id == "" {
		id = q.S.OrgID
	}
	orgs, err := h.cfg.Accounts.ListOrgs(q.Ctx())
	if err != nil {
		h.Fail(q, err)
		return identity.Org{}, nil, false
	}
	for _, o := range orgs {
		if o.ID == id {
			return o, orgs, true
		}
	}
	h.NotFound(q)
	return identity.Org{}, nil, false
}

func (h *Pages) usersPage(q *page.Request) {
	h.renderUsers(q, http.StatusOK, q.R.URL.Query().Get("org"), &page.View{Title: "admin.users.title"})
}

func (h *Pages) renderUsers(q *page.Request, status int, orgID string, v *page.View) {
	org, orgs, ok := h.orgFor(q, orgID)
	if !ok {
		return
	}
	users, err := h.cfg.Accounts.ListUsers(q.Ctx(), org.ID)
	if err != nil {
		h.Fail(q, err)
		return
	}
	d := usersData{Org: org, Roles: h.grantable(q, org.Kind), System: q.S.HasRole(auth.RoleSystemAdmin)}
	for _, u := range users {
		d.Users = append(d.Users, userRow{User: u, Manageable: d.System || !h.privileged(u.Roles)})
	}
	if d.System {
		d.Orgs = orgs
	}
	v.Data = d
	h.Render(q, status, "admin_users", v)
}

// userRow is a user and whether this caller may act on the account: an
// organisation admin may not touch an account holding a privileged role.
type userRow struct {
	identity.User
	Manageable bool
}

func (h *Pages) privileged(roles []string) bool {
	for _, r := range roles {
		if h.cfg.Roles.Privileged(r) {
			return true
		}
	}
	return false
}

// grantable lists the roles an organisation of kind may hold that the
// caller may grant (policies/roles.json).
func (h *Pages) grantable(q *page.Request, kind string) []string {
	var out []string
	for _, r := range auth.AllRoles {
		if h.cfg.Roles.Fits(r, kind) && h.cfg.Roles.MayGrant(q.S.Roles, r) {
			out = append(out, r)
		}
	}
	return out
}

// issued is shown once, in the answer to the post that made it: a new
// user's first password and enrolment ticket, or a ticket after a reset.
type issued struct {
	User      identity.User
	OrgID     string
	Password  string
	Ticket    string
	ExpiresAt time.Time
	Reset     bool
}

func (h *Pages) createUser(q *page.Request) {
	f := q.R.PostForm
	orgID := f.Get("org")
	org, _, ok := h.orgFor(q, orgID)
	if !ok {
		return
	}
	var e page.FieldErrors
	page.Required(&e, f, "email", "display_name")
	allowed := h.grantable(q, org.Kind)
	roles := f["roles"]
	if len(roles) == 0 {
		e.Add("roles", "field.chooseone")
	}
	for _, r := range roles {
		if !slices.Contains(allowed, r) {
			e.Add("roles", "admin.roles.notallowed")
		}
	}
	if e.Any() {
		h.renderUsers(q, http.StatusBadRequest, org.ID, &page.View{Title: "admin.users.title", Form: f, Errors: e})
		return
	}
	// The first password is made here and shown once; the user changes it
	// after enrolling their authenticator.
	password := rand.Text()
	u, _, err := h.cfg.Accounts.CreateUser(q.Ctx(), identity.NewUser{OrgID: org.ID, Email: strings.TrimSpace(f.Get("email")),
		DisplayName: strings.TrimSpace(f.Get("display_name")), Roles: roles, Password: password})
	if err != nil {
		ke := kit.AsError(err)
		switch {
		case errors.Is(err, identity.ErrEmailTaken) || ke.Code == identity.CodeEmailTaken:
			e.Add("email", "admin.email.taken")
		case ke.Code == identity.CodeRoleNotAllowed || ke.Code == identity.CodePrivilegedRole:
			e.Add("roles", "admin.roles.notallowed")
		case ke.Status == http.StatusBadRequest || ke.Status == http.StatusUnprocessableEntity:
			e.Add(fieldOf(ke.Message, "email", map[string]string{"email": "email", "display_name": "display_name", "roles": "roles"}), "field.invalid")
		default:
			h.Fail(q, err)
			return
		}
		h.renderUsers(q, ke.Status, org.ID, &page.View{Title: "admin.users.title", Form: f, Errors: e})
		return
	}
	t, err := h.cfg.Accounts.IssueEnrolmentTicket(q.Ctx(), u.ID)
	if err != nil {
		h.Fail(q, err)
		return
	}
	h.showIssued(q, issued{User: u, OrgID: org.ID, Password: password, Ticket: t.Ticket, ExpiresAt: t.ExpiresAt})
}

func (h *Pages) showIssued(q *page.Request, d issued) {
	q.W.Header().Set("Cache-Control", "no-store")
	h.Render(q, http.StatusOK, "admin_issued", &page.View{Title: map[bool]string{true: "admin.issued.reset", false: "admin.issued.title"}[d.Reset], Data: d})
}

// userAction resets a user's second factor, or disables or re-enables
// the account.
func (h *Pages) userAction(q *page.Request) {
	id, action, orgID := q.R.PathValue("id"), q.R.PathValue("action"), q.R.PostForm.Get("org")
	if !page.IsUUID(id) || (orgID != "" && !page.IsUUID(orgID)) {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	var err error
	switch action {
	case "reset-factor":
		if err = h.cfg.Accounts.ResetSecondFactor(ctx, id); err == nil {
			var t identity.EnrolmentTicket
			if t, err = h.cfg.Accounts.IssueEnrolmentTicket(ctx, id); err == nil {
				h.showIssued(q, issued{User: identity.User{ID: id, Email: q.R.PostForm.Get("email")}, OrgID: orgID,
					Ticket: t.Ticket, ExpiresAt: t.ExpiresAt, Reset: true})
				return
			}
		}
	case "disable":
		err = h.cfg.Accounts.DisableUser(ctx, id)
		q.S.Flash = "admin.user.disabled"
	case "enable":
		err = h.cfg.Accounts.EnableUser(ctx, id)
		q.S.Flash = "admin.user.enabled"
	default:
		h.NotFound(q)
		return
	}
	if err != nil {
		q.S.Flash = ""
		if ke := kit.AsError(err); ke.Status == http.StatusForbidden || ke.Status == http.StatusConflict {
			q.S.Flash = "admin.user.refused"
			h.Save(q.W, q.S)
			page.Redirect(q, "/admin/users?org=%s", orgID)
			return
		}
		h.Fail(q, err)
		return
	}
	h.Save(q.W, q.S)
	page.Redirect(q, "/admin/users?org=%s", orgID)
}
