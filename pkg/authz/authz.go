package authz

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/policies"
)

// Enforcer answers whether a role may perform an action on an object kind.
// It is built once and shared. The policy does not change while the
// process runs, so Casbin's synchronised cache keeps each (role, object,
// action) decision after the matcher first evaluates it: a few hundred
// entries at most, and no expression evaluated per request.
type Enforcer struct {
	e *casbin.SyncedCachedEnforcer
}

// Load builds the enforcer from model.conf and policy.csv, taking each from
// dir when it holds the file and from the embedded defaults otherwise.
func Load(dir string) (*Enforcer, error) {
	modelText, err := readPolicyFile(dir, "model.conf")
	if err != nil {
		return nil, err
	}
	policyText, err := readPolicyFile(dir, "policy.csv")
	if err != nil {
		return nil, err
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m, stringadapter.NewAdapter(policyText))
	if err != nil {
		return nil, fmt.Errorf("authz: policy: %w", err)
	}
	return &Enforcer{e: e}, nil
}

func readPolicyFile(dir, name string) (string, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("authz: %w", err)
		}
	}
	b, err := fs.ReadFile(policies.FS, name)
	if err != nil {
		return "", fmt.Errorf("authz: embedded %s: %w", name, err)
	}
	return string(b), nil
}

// Allowed reports whether any of p's roles may perform action on object.
func (e *Enforcer) Allowed(p auth.Principal, object, action string) bool {
	for _, r := range p.Roles {
		ok, err := e.e.Enforce(r, object, action)
		if err == nil && ok {
			return true
		}
	}
	return false
}

// DenialRecorder audits a denial to a signed-in user.
type DenialRecorder interface {
	RecordDenial(ctx context.Context, object, action, objectID string) error
}

// Middleware returns a go-kit endpoint middleware that lets a request
// through only when the principal in its context may perform action on
// object. An anonymous request gets ErrUnauthenticated; a denied one is
// recorded and gets ErrForbidden. When the denial cannot be recorded the
// answer is 503: a denial we cannot prove is not silently dropped.
func (e *Enforcer) Middleware(object, action string, rec DenialRecorder) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			p, ok := auth.FromContext(ctx)
			if !ok {
				return nil, kit.ErrUnauthenticated
			}
			if !e.Allowed(p, object, action) {
				if rec != nil {
					if err := rec.RecordDenial(ctx, object, action, ""); err != nil {
						return nil, kit.ErrUnavailable
					}
				}
				return nil, kit.ErrForbidden
			}
			return next(ctx, request)
		}
	}
}
