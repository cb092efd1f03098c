package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	rungroup "github.com/oklog/run"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/mtls"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/referral"
)

// internalRoute is one call a service answers its peers.
type internalRoute struct {
	service string   // the callee
	pattern string   // method and path
	callers []string // the services that may call it
	// forUser: the call may carry the user's token, and is then made as
	// that user (authorised and audited as them); without one it is made
	// as the calling service. Otherwise a token is refused: the call is
	// the calling service's own.
	forUser bool
	// userOnly: the call must carry a user's token.
	userOnly bool
	serve    func(ctx context.Context, r *http.Request) (any, error)
}

// action names the route in audit events: GET /internal/v1/intake/summary
// is internal.intake_summary.
func (rt internalRoute) action() string {
	_, path, _ := strings.Cut(rt.pattern, " ")
	return strings.NewReplacer("/", "_", "-", "_").Replace(strings.TrimPrefix(path, "/internal/v1/"))
}

// rawAnswer is written as it is, not as JSON.
type rawAnswer []byte

// maxInternalBody bounds a request body on the internal listener (a relay
// batch of 256 events with their payloads).
const maxInternalBody = 32 << 20

// internalRoutes lists what the services in this process answer their
// peers, with who may call each.
func (s *system) internalRoutes() []internalRoute {
	var rs []internalRoute
	all := []string{"audit", "identity", "intake", "referral", "stats"}
	add := func(r internalRoute) { rs = append(rs, r) }
	if s.identityLocal {
		add(internalRoute{service: "identity", pattern: "GET /internal/v1/identity/keys", callers: all,
			serve: func(ctx context.Context, _ *http.Request) (any, error) { return s.identity.PublicKeys(ctx) }})
		add(internalRoute{service: "identity", pattern: "GET /internal/v1/identity/revocations", callers: all,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
				if err != nil || since < 0 {
					return nil, kit.Validation("since: a non-negative integer")
				}
				ids, next, err := s.identity.RevokedSessions(ctx, since)
				return revocationsPage{Sessions: ids, Next: next}, err
			}})
		add(internalRoute{service: "identity", pattern: "GET /internal/v1/identity/orgs", callers: []string{"intake", "referral"},
			serve: func(ctx context.Context, _ *http.Request) (any, error) {
				return s.identity.ListOrgs(auth.WithPrincipal(ctx, directoryPrincipal))
			}})
		add(internalRoute{service: "identity", pattern: "GET /internal/v1/identity/users", callers: []string{"intake"},
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				return s.identity.ListUsers(auth.WithPrincipal(ctx, directoryPrincipal), r.URL.Query().Get("org_id"))
			}})
	}
	if s.audit != nil {
		add(internalRoute{service: "audit", pattern: "POST /internal/v1/audit/append", callers: []string{"identity", "intake", "referral", "stats"},
			serve: s.receive(s.auditReceiver())})
		add(internalRoute{service: "audit", pattern: "GET /internal/v1/audit/case-events", callers: []string{"intake"}, forUser: true, userOnly: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				return caseAccessLog{s.auditAPI}.CaseEvents(ctx, r.URL.Query().Get("case_id"))
			}})
	}
	if s.stats != nil {
		add(internalRoute{service: "stats", pattern: "POST /internal/v1/stats/facts", callers: []string{"intake", "referral"},
			serve: s.receive(s.stats.Receive)})
	}
	if s.referral != nil {
		add(internalRoute{service: "referral", pattern: "POST /internal/v1/referral/notices", callers: []string{"intake", "identity"},
			serve: s.receive(s.notices.Receive)})
		add(internalRoute{service: "referral", pattern: "POST /internal/v1/referral/grant-revocations", callers: []string{"intake"},
			serve: s.receive(s.grantChanges.Receive)})
		add(internalRoute{service: "referral", pattern: "GET /internal/v1/referral/provider", callers: []string{"intake"},
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				return s.referral.GetProvider(auth.WithPrincipal(ctx, directoryPrincipal), r.URL.Query().Get("org_id"))
			}})
	}
	if s.intakeCore != nil {
		rs = append(rs, s.intakeRoutes()...)
	}
	return rs
}

// intakeRoutes are the calls referral makes of intake: the same adapters
// as in one process, for the user whose request referral serves.
func (s *system) intakeRoutes() []internalRoute {
	cases, grants, discl := referralCases{s.intakeCore.Summaries}, referralGrants{s.intake, s.intakeCore}, referralDisclosures{s.intake, s.intakeCore.Packages}
	ref := []string{"referral"}
	grantCall := func(path string, fn func(context.Context, grantRef) (any, error)) internalRoute {
		return internalRoute{service: "intake", pattern: "POST /internal/v1/intake/grants/" + path, callers: ref, forUser: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				var g grantRef
				if err := decodeInternal(r, &g); err != nil {
					return nil, err
				}
				return fn(ctx, g)
			}}
	}
	return []internalRoute{
		{service: "intake", pattern: "POST /internal/v1/intake/grant-revocations", callers: ref,
			serve: s.receive(s.intakeCore.ReceiveGrantChanges)},
		{service: "intake", pattern: "GET /internal/v1/intake/summary", callers: ref, forUser: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				return cases.Summary(ctx, r.URL.Query().Get("case_id"))
			}},
		{service: "intake", pattern: "POST /internal/v1/intake/grants/pending", callers: ref, forUser: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				var g referral.GrantRequest
				if err := decodeInternal(r, &g); err != nil {
					return nil, err
				}
				return grants.GrantPending(ctx, g)
			}},
		grantCall("activate", func(ctx context.Context, g grantRef) (any, error) {
			return grants.ActivateGrant(ctx, g.CaseID, g.GrantID)
		}),
		grantCall("end", func(ctx context.Context, g grantRef) (any, error) { return grants.EndGrant(ctx, g.CaseID, g.GrantID) }),
		{service: "intake", pattern: "POST /internal/v1/intake/grants/revoke", callers: ref, forUser: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				var g referralGrantRef
				if err := decodeInternal(r, &g); err != nil {
					return nil, err
				}
				return nil, grants.RevokeReferralGrant(ctx, referral.GrantOfReferral(g))
			}},
		{service: "intake", pattern: "POST /internal/v1/intake/disclose", callers: ref, forUser: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				var d discloseRequest
				if err := decodeInternal(r, &d); err != nil {
					return nil, err
				}
				id, err := discl.Disclose(ctx, d.CaseID, d.Input)
				return discloseResponse{ID: id}, err
			}},
		{service: "intake", pattern: "GET /internal/v1/intake/disclosure-stands", callers: ref, forUser: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				q := r.URL.Query()
				return nil, discl.DisclosureStands(ctx, q.Get("case_id"), q.Get("disclosure_id"))
			}},
		{service: "intake", pattern: "POST /internal/v1/intake/package", callers: ref, forUser: true,
			serve: func(ctx context.Context, r *http.Request) (any, error) {
				var p packageRequest
				if err := decodeInternal(r, &p); err != nil {
					return nil, err
				}
				b, err := discl.BuildPackage(ctx, p.CaseID, p.Spec)
				return rawAnswer(b), err
			}},
	}
}

// receive answers a peer's relay delivering a batch of its outbox. Each
// message's source must be a service the caller's certificate names: a
// peer delivers its own outbox, never another's (a receiver keys what it
// applies and its cursor on the source), so a batch claiming another
// source is refused whole and nothing of it applied.
func (s *system) receive(h outbox.Handler) func(context.Context, *http.Request) (any, error) {
	return func(ctx context.Context, r *http.Request) (any, error) {
		var msgs []outbox.Message
		if err := decodeInternal(r, &msgs); err != nil {
			return nil, err
		}
		callers := mtls.Callers(r)
		for _, m := range msgs {
			if !slices.Contains(callers, m.Source) {
				if s.logger != nil {
					level.Warn(s.logger).Log("msg", "outbox batch refused: a message's source is not the caller",
						"path", r.URL.Path, "source", m.Source, "seq", m.Seq, "callers", strings.Join(callers, ","))
				}
				return nil, errSourceNotCaller
			}
		}
		return nil, h(ctx, msgs)
	}
}

func decodeInternal(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxInternalBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return kit.Validation("body: " + err.Error())
	}
	return nil
}

// Refusals on the internal listener.
var (
	errCallerNotAllowed = kit.NewError(http.StatusForbidden, kit.CodeForbidden, "this service may not make this call")
	errUserTokenRefused = kit.NewError(http.StatusForbidden, kit.CodeForbidden, "internal endpoints take no user token")
	errSourceNotCaller  = kit.NewError(http.StatusForbidden, kit.CodeForbidden, "a message's source is not the calling service")
)

// internalHandler serves routes behind the caller's certificate: the
// listener's handshake already refused a caller without one of the
// deployment CA; here the service it names must be one the route allows.
// The web's calls of the public API come to api (webForward).
func (s *system) internalHandler(routes []internalRoute, ready http.HandlerFunc, api http.Handler, logger log.Logger) http.Handler {
	mux := http.NewServeMux()
	enc := kit.ErrorEncoder(logger)
	for _, rt := range routes {
		mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			caller, ok := allowedCaller(mtls.Callers(r), rt.callers)
			p, hasUser, err := s.internalPrincipal(ctx, r, rt, caller)
			if err != nil {
				enc(ctx, err, w)
				return
			}
			if !ok {
				level.Warn(logger).Log("msg", "internal call refused", "route", rt.pattern, "callers", strings.Join(mtls.Callers(r), ","))
				if hasUser { // the user on whose behalf it came is told in the audit log
					if err := s.denials(rt.service).RecordDenial(auth.WithPrincipal(ctx, p), "internal", rt.action(), ""); err != nil {
						enc(ctx, kit.ErrUnavailable, w)
						return
					}
				}
				enc(ctx, errCallerNotAllowed, w)
				return
			}
			out, err := rt.serve(auth.WithPrincipal(ctx, p), r)
			if err != nil {
				enc(ctx, err, w)
				return
			}
			switch o := out.(type) {
			case nil:
				w.WriteHeader(http.StatusNoContent)
			case rawAnswer:
				w.Header().Set("Content-Type", "application/octet-stream")
				_, _ = w.Write(o)
			default:
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(out)
			}
		})
	}
	mux.HandleFunc("GET "+readyPath, ready)
	mux.Handle("/api/", api)
	mux.HandleFunc("/", kit.NotFound)
	return kit.RequestContext(kit.JSONErrors(mux))
}

// internalPrincipal is whom a call is made as: the user whose token it
// carries (routes for users only), or the calling service.
func (s *system) internalPrincipal(ctx context.Context, r *http.Request, rt internalRoute, caller string) (auth.Principal, bool, error) {
	tok := auth.TokenFromContext(auth.TokenToContext(ctx, r))
	if tok == "" && r.Header.Get("Authorization") != "" {
		return auth.Principal{}, false, kit.ErrUnauthenticated
	}
	switch {
	case tok == "" && rt.userOnly:
		return auth.Principal{}, false, kit.ErrUnauthenticated
	case tok == "":
		return auth.ServicePrincipal(caller), false, nil
	case !rt.forUser:
		return auth.Principal{}, false, errUserTokenRefused
	}
	p, err := s.verifier.Authenticate(ctx, tok)
	if err != nil {
		return auth.Principal{}, false, kit.ErrUnauthenticated
	}
	return p, true, nil
}

// allowedCaller returns the first service named by the certificate that
// may call the route.
func allowedCaller(names, allowed []string) (string, bool) {
	for _, n := range names {
		if slices.Contains(allowed, n) {
			return n, true
		}
	}
	if len(names) > 0 {
		return names[0], false
	}
	return "", false
}

// denials returns the denial recorder of a service in this process.
func (s *system) denials(service string) authz.DenialRecorder {
	switch service {
	case "identity":
		return s.identityDen
	case "intake":
		return s.intakeDen
	case "referral":
		return s.referralDen
	case "audit":
		return s.audit
	case "stats":
		return s.stats
	}
	panic(fmt.Sprintf("no denial recorder for %q", service))
}

// serveInternal adds the internal listener to g: TLS 1.3 with a client
// certificate of the deployment CA required at the handshake.
func (s *system) serveInternal(g *rungroup.Group, addr string, p *peers, public http.Handler, logger log.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("internal listener: %w", err)
	}
	ready := kit.Ready(s.storeReadiness(0), func(name string, err error) {
		level.Warn(logger).Log("msg", "not ready", "check", name, "err", err)
	})
	srv := &http.Server{
		Handler:           s.internalHandler(s.internalRoutes(), ready, webForward(public, logger), logger),
		TLSConfig:         p.id.ServerConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// A refused handshake (no certificate, another CA) is the
		// caller's problem, logged at debug level by net/http: silence it.
		ErrorLog: stdlog.New(io.Discard, "", 0),
	}
	fmt.Fprintf(stdout, "nrm: internal listener on https://%s (mutual TLS)\n", ln.Addr().String())
	g.Add(func() error {
		if err := srv.ServeTLS(ln, "", ""); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}, func(error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return nil
}
