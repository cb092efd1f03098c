package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/policies"
)

// RolePolicyFile is the policy file binding roles to organisation kinds.
const RolePolicyFile = "roles.json"

// RolePolicy says which organisation kinds may hold each role and which
// roles may grant it. It is read once (LoadRolePolicy) and given to New.
type RolePolicy struct {
	roles map[string]roleRule
}

type roleRule struct {
	Kinds     []string `json:"kinds"`
	GrantedBy []string `json:"granted_by"`
}

// LoadRolePolicy reads dir/roles.json when dir is set and holds one, else
// the embedded default.
func LoadRolePolicy(dir string) (*RolePolicy, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, RolePolicyFile))
		switch {
		case err == nil:
			return ParseRolePolicy(b)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("identity: role policy: %w", err)
		}
	}
	b, err := fs.ReadFile(policies.FS, RolePolicyFile)
	if err != nil {
		return nil, fmt.Errorf("identity: role policy: %w", err)
	}
	return ParseRolePolicy(b)
}

// ParseRolePolicy parses and checks a role policy: every role listed once
// with at least one kind, only known kinds and roles, and system_admin
// granted by system_admin alone.
func ParseRolePolicy(b []byte) (*RolePolicy, error) {
	var raw struct {
		Comment string              `json:"comment"`
		Roles   map[string]roleRule `json:"roles"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("identity: role policy: %w", err)
	}
	for _, r := range auth.AllRoles {
		if _, ok := raw.Roles[r]; !ok {
			return nil, fmt.Errorf("identity: role policy: role %s is missing", r)
		}
	}
	for name, rule := range raw.Roles {
		if !auth.ValidRole(name) {
			return nil, fmt.Errorf("identity: role policy: unknown role %q", name)
		}
		if len(rule.Kinds) == 0 || len(rule.GrantedBy) == 0 {
			return nil, fmt.Errorf("identity: role policy: role %s needs kinds and granted_by", name)
		}
		for _, k := range rule.Kinds {
			if !slices.Contains(OrgKinds, k) {
				return nil, fmt.Errorf("identity: role policy: role %s: unknown organisation kind %q", name, k)
			}
		}
		for _, g := range rule.GrantedBy {
			if g != auth.RoleSystemAdmin && g != auth.RoleOrgAdmin {
				return nil, fmt.Errorf("identity: role policy: role %s: granted_by must name system_admin or org_admin, not %q", name, g)
			}
		}
		if !slices.Contains(rule.GrantedBy, auth.RoleSystemAdmin) {
			return nil, fmt.Errorf("identity: role policy: role %s must be grantable by system_admin", name)
		}
	}
	if !slices.Equal(raw.Roles[auth.RoleSystemAdmin].GrantedBy, []string{auth.RoleSystemAdmin}) {
		return nil, errors.New("identity: role policy: system_admin is granted by system_admin only")
	}
	return &RolePolicy{roles: raw.Roles}, nil
}

// Fits reports whether an organisation of kind may hold role.
func (p *RolePolicy) Fits(role, kind string) bool {
	return slices.Contains(p.roles[role].Kinds, kind)
}

// Misfits returns the roles that an organisation of kind may not hold.
func (p *RolePolicy) Misfits(roles []string, kind string) []string {
	var out []string
	for _, r := range roles {
		if !p.Fits(r, kind) {
			out = append(out, r)
		}
	}
	return out
}

// Kinds returns the organisation kinds that may hold role.
func (p *RolePolicy) Kinds(role string) []string { return slices.Clone(p.roles[role].Kinds) }

// Privileged reports whether only a system administrator may grant role.
func (p *RolePolicy) Privileged(role string) bool {
	return !slices.Contains(p.roles[role].GrantedBy, auth.RoleOrgAdmin)
}

// MayGrant reports whether a caller holding callerRoles may grant role.
func (p *RolePolicy) MayGrant(callerRoles []string, role string) bool {
	for _, g := range p.roles[role].GrantedBy {
		if slices.Contains(callerRoles, g) {
			return true
		}
	}
	return false
}
