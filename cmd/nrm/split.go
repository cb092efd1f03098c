package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/sony/gobreaker/v2"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/mtls"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// A split deployment runs some services in this process (--services) and
// reaches the others, its peers, by address over mutual TLS. Each service
// answers its peers on an internal listener (--internal-addr) that takes
// only callers presenting a certificate of the deployment CA, and only for
// the calls the architecture draws (internalRoutes).

// splitFlags are the flags of nrm serve for a split deployment.
type splitFlags struct {
	peers        listFlag
	internalAddr string
	certs        string
	peerTimeout  time.Duration
}

func (f *splitFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.peers, "peer", "where a peer service answers, NAME=https://HOST:PORT (its internal listener); repeat a name for its replicas (split deployment only; env NRM_PEER, comma-separated)")
	fs.StringVar(&f.internalAddr, "internal-addr", "", "listen address of the internal (service-to-service, mutual TLS) listener (split deployment only)")
	fs.StringVar(&f.certs, "certs", "", "directory holding ca.crt and this process's certificate and key (nrm certs) (split deployment only)")
	fs.DurationVar(&f.peerTimeout, "peer-timeout", 10*time.Second, "how long one call to a peer may take")
}

// needs lists the peers each service calls.
var needs = map[string][]string{
	"audit":    {"identity"},
	"identity": {"audit", "referral"},
	"intake":   {"identity", "audit", "stats", "referral"},
	"referral": {"identity", "intake", "audit", "stats"},
	"stats":    {"identity", "audit"},
	// The pages call every service, as the signed-in user (split_web.go).
	webService: {"identity", "intake", "referral", "audit", "stats"},
}

// readyNeeds lists the peers without which a service cannot answer its
// users (audit, statistics and notices wait in the outbox meanwhile).
var readyNeeds = map[string][]string{
	"audit":    {"identity"},
	"intake":   {"identity"},
	"referral": {"identity", "intake"},
	"stats":    {"identity"},
	// Nobody signs in without identity, and the front line's pages are
	// intake's and referral's; the auditors' and the commission's pages
	// say when audit or stats are unavailable.
	webService: {"identity", "intake", "referral"},
}

// peerAddrs parses the --peer flags.
func peerAddrs(list []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, p := range list {
		name, addr, ok := strings.Cut(p, "=")
		if !ok || !slices.Contains(allServices, name) {
			return nil, usageError{fmt.Sprintf("--peer %q: want NAME=https://HOST:PORT with NAME one of %v", p, allServices)}
		}
		out[name] = append(out[name], addr)
	}
	return out, nil
}

// peers holds the clients of the services running elsewhere.
type peers struct {
	id      *mtls.Identity
	clients map[string]*mtls.Peer
	svc     map[string]*kit.Client // calls made as this service
	user    map[string]*kit.Client // calls made for the user (their token forwarded)

	identity       identity.Service
	referral       referral.Service
	accessLog      intake.AccessLog
	cases          referral.CaseSource
	grants         referral.Grants
	disclosures    referral.Disclosures
	auditAppend    outbox.Handler
	statsReceive   outbox.Handler
	noticesReceive outbox.Handler
	// The revocations of referral grants: intake's to referral, referral's
	// to intake (pkg/grantchange).
	grantsToReferral outbox.Handler
	grantsToIntake   outbox.Handler
}

// newPeers builds the clients of the peers the local services need.
func newPeers(local []string, f splitFlags, logger log.Logger) (*peers, error) {
	if f.certs == "" {
		return nil, usageError{"a split deployment needs --certs (see nrm certs)"}
	}
	if f.internalAddr == "" && !webOnly(local) {
		return nil, usageError{"a split deployment needs --internal-addr, where the peers call this process"}
	}
	id, err := mtls.Load(f.certs, local)
	if err != nil {
		return nil, err
	}
	list := f.peers
	if len(list) == 0 { // NRM_PEERS, as NRM_PEER
		_ = list.Set(os.Getenv("NRM_PEERS"))
	}
	addrs, err := peerAddrs(list)
	if err != nil {
		return nil, err
	}
	p := &peers{id: id, clients: map[string]*mtls.Peer{}, svc: map[string]*kit.Client{}, user: map[string]*kit.Client{}}
	for _, l := range local {
		for _, n := range needs[l] {
			if slices.Contains(local, n) || p.clients[n] != nil {
				continue
			}
			if len(addrs[n]) == 0 {
				return nil, usageError{fmt.Sprintf("%s calls %s: give its address with --peer %s=https://HOST:PORT", l, n, n)}
			}
			c, err := mtls.NewPeer(id, n, addrs[n], mtls.PeerOptions{Timeout: f.peerTimeout,
				StateChange: func(peer, instance string, from, to gobreaker.State) {
					level.Warn(logger).Log("msg", "circuit to peer changed", "peer", peer, "instance", instance, "from", from, "to", to)
				}})
			if err != nil {
				return nil, usageError{err.Error()}
			}
			p.clients[n] = c
			if p.svc[n], err = kit.NewClient(n, c.Base(), c); err != nil {
				return nil, err
			}
			if p.user[n], err = kit.NewClient(n, c.Base(), c, auth.TokenToHTTP); err != nil {
				return nil, err
			}
		}
	}
	return p, p.adapters()
}

// adapters builds the remote forms of what the local services take from
// their peers.
func (p *peers) adapters() error {
	if c := p.svc["identity"]; c != nil {
		cl, err := identity.NewClient(p.clients["identity"].Base(), "", p.clients["identity"])
		if err != nil {
			return err
		}
		p.identity = remoteIdentity{Service: cl, c: c}
	}
	if c := p.svc["referral"]; c != nil {
		cl, err := referral.NewClient(p.clients["referral"].Base(), p.clients["referral"])
		if err != nil {
			return err
		}
		p.referral = remoteReferral{Service: cl, c: c}
		p.noticesReceive = deliverTo(c, "/internal/v1/referral/notices")
		p.grantsToReferral = deliverTo(c, "/internal/v1/referral/grant-revocations")
	}
	if c := p.svc["audit"]; c != nil {
		p.auditAppend = deliverTo(c, "/internal/v1/audit/append")
		p.accessLog = remoteAccessLog{p.user["audit"]}
	}
	if c := p.svc["stats"]; c != nil {
		p.statsReceive = deliverTo(c, "/internal/v1/stats/facts")
	}
	if c := p.svc["intake"]; c != nil {
		p.grantsToIntake = deliverTo(c, "/internal/v1/intake/grant-revocations")
	}
	if c := p.user["intake"]; c != nil {
		r := remoteIntake{c}
		p.cases, p.grants, p.disclosures = r, r, r
	}
	return nil
}

// deliverTo is an outbox handler posting the batch to a peer's receiver.
func deliverTo(c *kit.Client, path string) outbox.Handler {
	return func(ctx context.Context, msgs []outbox.Message) error {
		return c.Call(ctx, "POST", path, nil, msgs, nil)
	}
}

// checks are the readiness checks of the peers the local services need:
// a peer is not ready when every instance's circuit is open or none
// answers its own readiness.
func (p *peers) checks(local []string) []kit.Check {
	if p == nil {
		return nil
	}
	var out []kit.Check
	seen := map[string]bool{}
	for _, l := range local {
		for _, n := range readyNeeds[l] {
			c := p.clients[n]
			if c == nil || seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, kit.Check{Name: "peer:" + n, Fn: func(ctx context.Context) error {
				return c.Ready(ctx, readyPath)
			}})
		}
	}
	return out
}

// readyPath is a process's own readiness on its internal listener: its
// databases, not its peers (two services needing each other would
// otherwise ask each other forever).
const readyPath = "/internal/v1/ready"

// remoteIdentity is the identity peer as the other services use it: token
// keys, revocations and the directory, over internal routes.
type remoteIdentity struct {
	identity.Service // the rest: not used by services
	c                *kit.Client
}

func (r remoteIdentity) PublicKeys(ctx context.Context) ([]identity.PublicKey, error) {
	var out []identity.PublicKey
	err := r.c.Call(ctx, "GET", "/internal/v1/identity/keys", nil, nil, &out)
	return out, err
}

type revocationsPage struct {
	Sessions []string `json:"sessions"`
	Next     int64    `json:"next"`
}

func (r remoteIdentity) RevokedSessions(ctx context.Context, since int64) ([]string, int64, error) {
	var out revocationsPage
	err := r.c.Call(ctx, "GET", "/internal/v1/identity/revocations", url.Values{"since": {strconv.FormatInt(since, 10)}}, nil, &out)
	return out.Sessions, out.Next, err
}

func (r remoteIdentity) ListOrgs(ctx context.Context) ([]identity.Org, error) {
	var out []identity.Org
	err := r.c.Call(ctx, "GET", "/internal/v1/identity/orgs", nil, nil, &out)
	return out, err
}

func (r remoteIdentity) ListUsers(ctx context.Context, orgID string) ([]identity.User, error) {
	var out []identity.User
	err := r.c.Call(ctx, "GET", "/internal/v1/identity/users", url.Values{"org_id": {orgID}}, nil, &out)
	return out, err
}

// remoteReferral is the referral peer as intake uses it: the directory.
type remoteReferral struct {
	referral.Service
	c *kit.Client
}

func (r remoteReferral) GetProvider(ctx context.Context, orgID string) (referral.Provider, error) {
	var out referral.Provider
	err := r.c.Call(ctx, "GET", "/internal/v1/referral/provider", url.Values{"org_id": {orgID}}, nil, &out)
	return out, err
}

// remoteAccessLog reads a case's audit events for its access report, as
// the user asking for it (their token forwarded).
type remoteAccessLog struct{ c *kit.Client }

func (r remoteAccessLog) CaseEvents(ctx context.Context, caseID string) ([]intake.AccessRecord, error) {
	var out []intake.AccessRecord
	err := r.c.Call(ctx, "GET", "/internal/v1/audit/case-events", url.Values{"case_id": {caseID}}, nil, &out)
	return out, err
}

// remoteIntake is the intake peer as referral uses it, for the user whose
// request it serves (their token forwarded) or, without one, as the
// referral service itself.
type remoteIntake struct{ c *kit.Client }

type grantRef struct {
	CaseID  string `json:"case_id"`
	GrantID string `json:"grant_id"`
}

func (r remoteIntake) Summary(ctx context.Context, caseID string) (referral.CaseSummary, error) {
	var out referral.CaseSummary
	err := r.c.Call(ctx, "GET", "/internal/v1/intake/summary", url.Values{"case_id": {caseID}}, nil, &out)
	return out, err
}

func (r remoteIntake) GrantPending(ctx context.Context, g referral.GrantRequest) (referral.Grant, error) {
	var out referral.Grant
	err := r.c.Call(ctx, "POST", "/internal/v1/intake/grants/pending", nil, g, &out)
	return out, err
}

func (r remoteIntake) ActivateGrant(ctx context.Context, caseID, grantID string) (referral.Grant, error) {
	var out referral.Grant
	err := r.c.Call(ctx, "POST", "/internal/v1/intake/grants/activate", nil, grantRef{caseID, grantID}, &out)
	return out, err
}

// referralGrantRef names the grant referral asks intake to revoke whole:
// intake revokes it only when it is that referral's grant to that
// organisation in that case.
type referralGrantRef struct {
	CaseID     string `json:"case_id"`
	ReferralID string `json:"referral_id"`
	OrgID      string `json:"org_id"`
	GrantID    string `json:"grant_id"`
}

func (r remoteIntake) RevokeReferralGrant(ctx context.Context, g referral.GrantOfReferral) error {
	return r.c.Call(ctx, "POST", "/internal/v1/intake/grants/revoke", nil, referralGrantRef(g), nil)
}

func (r remoteIntake) EndGrant(ctx context.Context, caseID, grantID string) (referral.Grant, error) {
	var out referral.Grant
	err := r.c.Call(ctx, "POST", "/internal/v1/intake/grants/end", nil, grantRef{caseID, grantID}, &out)
	return out, err
}

type discloseRequest struct {
	CaseID string                   `json:"case_id"`
	Input  referral.DisclosureInput `json:"input"`
}

type discloseResponse struct {
	ID string `json:"id"`
}

func (r remoteIntake) Disclose(ctx context.Context, caseID string, in referral.DisclosureInput) (string, error) {
	var out discloseResponse
	err := r.c.Call(ctx, "POST", "/internal/v1/intake/disclose", nil, discloseRequest{caseID, in}, &out)
	return out.ID, err
}

func (r remoteIntake) DisclosureStands(ctx context.Context, caseID, disclosureID string) error {
	return r.c.Call(ctx, "GET", "/internal/v1/intake/disclosure-stands",
		url.Values{"case_id": {caseID}, "disclosure_id": {disclosureID}}, nil, nil)
}

func (remoteIntake) CheckRecipient(rcpt string) (string, error) { return intake.CheckRecipient(rcpt) }

type packageRequest struct {
	CaseID string               `json:"case_id"`
	Spec   referral.PackageSpec `json:"spec"`
}

func (r remoteIntake) BuildPackage(ctx context.Context, caseID string, spec referral.PackageSpec) ([]byte, error) {
	var out []byte
	err := r.c.Call(ctx, "POST", "/internal/v1/intake/package", nil, packageRequest{caseID, spec}, &out)
	return out, err
}

// checkSplit validates the services a process is to run.
func checkSplit(services []string) error {
	for _, s := range services {
		if !slices.Contains(allServices, s) && s != webService {
			return usageError{fmt.Sprintf("unknown service %q (known: %v and %s)", s, allServices, webService)}
		}
	}
	if len(services) == 0 {
		return errors.New("no service to run")
	}
	return nil
}
