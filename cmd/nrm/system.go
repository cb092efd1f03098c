// Stays long (about 640 lines) for now: it wires every service, and the services it builds are being split at the same time (issue 21); split it by concern (build, mount, background) once they settle.

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/referral/directory"
	"github.com/nrm-project/nrm/services/referral/grants"
	"github.com/nrm-project/nrm/services/referral/notices"
	"github.com/nrm-project/nrm/services/stats"
)

type systemConfig struct {
	flags    serveFlags
	keys     *keys.Dir
	db       db.Config
	logger   log.Logger
	registry *prometheus.Registry
	// local lists the services this process runs (nil: all of them, in
	// one process); peers reaches the others (split.go).
	local []string
	peers *peers
}

// runs reports whether the process runs service.
func (c systemConfig) runs(service string) bool {
	return c.local == nil || slices.Contains(c.local, service)
}

// system is every service wired in one process: they call each other
// directly, and internal endpoints are not exposed.
type system struct {
	logger      log.Logger
	dbs         map[string]*db.DB
	enforcer    *authz.Enforcer
	audit       *audit.Log
	auditAPI    audit.Service // audit, logged and instrumented
	identity    identity.Service
	revocations *auth.RevocationList
	authn       endpoint.Middleware
	relays      []*outbox.Relay
	relayOf     map[string]*outbox.Relay // by service
	auditHTTP   http.Handler
	identityDen authz.DenialRecorder
	identityEP  identity.Endpoints
	auditEP     audit.Endpoints
	intake      intake.Service
	intakeCore  *intake.Intake // unwrapped: its Admin and ReleaseReferences
	purgeEvery  time.Duration
	intakeDen   authz.DenialRecorder
	workflow    *intake.WorkflowPolicy
	verifier    auth.Authenticator
	// identityLocal: identity runs in this process (not its peer).
	identityLocal bool
	orgs          *orgDirectory
	referral      referral.Service
	sweeper       *referral.Sweeper
	referralDen   authz.DenialRecorder
	notices       *notices.Inbox
	grantChanges  *grants.Receiver   // referral's receiver of intake's revocations
	directory     *directory.Changes // referral's provider directory, followed across replicas
	stats         *stats.Stats
	statsAPI      stats.Service // stats, logged and instrumented
	// lastScheduled is the last period the release scheduler tried (its
	// one goroutine only).
	lastScheduled string
}

// buildSystem wires config → databases → services → endpoints, inside out.
func buildSystem(ctx context.Context, c systemConfig) (*system, error) {
	s := &system{logger: c.logger, dbs: map[string]*db.DB{}, purgeEvery: c.flags.purgeEvery}
	var err error
	if s.enforcer, err = authz.Load(c.flags.policies); err != nil {
		return nil, err
	}
	for _, name := range allServices {
		if !c.runs(name) {
			continue
		}
		d, err := db.Open(ctx, c.db, name)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.dbs[name] = d
	}

	// audit
	if err := s.buildAudit(c); err != nil {
		s.Close()
		return nil, err
	}

	// identity
	if err := s.buildIdentity(c); err != nil {
		s.Close()
		return nil, err
	}

	// Every service verifies tokens itself: keys and revocations come from
	// identity (in one process, directly).
	s.revocations = auth.NewRevocationList(identity.RevocationSource(s.identity))
	s.revocations.OnError = func(err error) {
		level.Warn(c.logger).Log("msg", "revocation list poll failed; retrying", "err", err)
	}
	s.revocations.OnRecover = func() { level.Info(c.logger).Log("msg", "revocation list polled again") }
	s.verifier = auth.NewVerifier(identity.KeySource(s.identity), c.flags.audience, s.revocations, time.Now)
	s.authn = auth.Middleware(s.verifier)

	if err := s.buildIntakeReferralStats(ctx, c); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// buildAudit builds the audit log when it runs here.
func (s *system) buildAudit(c systemConfig) error {
	if !c.runs("audit") {
		return nil
	}
	var err error
	s.audit, err = audit.New(audit.Config{
		DB: s.dbs["audit"], Keys: c.keys, Logger: log.With(c.logger, "service", "audit"),
		Origin: c.flags.auditOrigin, CheckpointDir: c.flags.checkpointDir, CheckpointInterval: c.flags.checkpointInt,
		Witnesses: c.flags.witnesses, WitnessKeys: c.flags.witnessKeyValues(), Registerer: c.registry,
	})
	if err != nil {
		return err
	}
	auditMetrics, err := audit.InstrumentingMiddleware(c.registry)
	if err != nil {
		return err
	}
	s.auditAPI = audit.LoggingMiddleware(log.With(c.logger, "service", "audit"))(auditMetrics(s.audit))
	return nil
}

// buildIdentity builds the identity service, or takes its peer.
func (s *system) buildIdentity(c systemConfig) error {
	if !c.runs("identity") {
		s.identity = c.peers.identity
		return nil
	}
	roles, err := identity.LoadRolePolicy(c.flags.policies)
	if err != nil {
		return err
	}
	idSvc, err := identity.New(identity.Config{
		DB: s.dbs["identity"], Keys: c.keys, Logger: log.With(c.logger, "service", "identity"),
		Audience: c.flags.audience, Registerer: c.registry, Roles: roles, Argon2: passwordHashing,
	})
	if err != nil {
		return err
	}
	idLogging := identity.LoggingMiddleware(log.With(c.logger, "service", "identity"))
	idMetrics, err := identity.InstrumentingMiddleware(c.registry)
	if err != nil {
		return err
	}
	s.identity = idLogging(idMetrics(idSvc))
	s.identityLocal = true
	s.identityDen = identity.NewDenialRecorder(s.dbs["identity"], c.keys)
	return nil
}

// buildIntakeReferralStats builds intake, referral and stats where they
// run, and the outbox relays of the services here.
func (s *system) buildIntakeReferralStats(ctx context.Context, c systemConfig) error {
	s.orgs = newOrgDirectory(s.identity)
	if err := s.buildIntake(c); err != nil {
		return err
	}
	if err := s.buildReferral(c); err != nil {
		return err
	}
	if err := s.buildStats(c); err != nil {
		return err
	}
	return s.buildRelays(c)
}

// buildIntake builds intake when it runs here.
func (s *system) buildIntake(c systemConfig) error {
	if !c.runs("intake") {
		return nil
	}
	workflow, err := intake.LoadWorkflowPolicy(c.flags.policies)
	if err != nil {
		return err
	}
	var access intake.AccessLog = caseAccessLog{s.audit}
	if !c.runs("audit") {
		access = c.peers.accessLog
	}
	in, err := intake.New(intake.Config{
		DB: s.dbs["intake"], Keys: c.keys, Orgs: intakeOrgs{s.orgs},
		Children: intakeChildren{orgs: s.orgs, identity: func() identity.Service { return s.identity },
			referral: func() referral.Service {
				if s.referral == nil && c.peers != nil {
					return c.peers.referral
				}
				return s.referral
			}},
		Workflow: workflow, AccessLog: access,
		Logger: log.With(c.logger, "service", "intake"), Registerer: c.registry,
		DuplicateChecksPerMinute: c.flags.dupChecks,
		DuplicateCheckBurst:      c.flags.dupBurst, DuplicateChecksPerHour: c.flags.dupPerHour,
		IdempotencyTTL: c.flags.idemTTL,
		// Relays are built after the services: looked up when a consent,
		// transfer, purge or grant end may have revoked referral grants.
		WakeRelay: func() {
			if r := s.relayOf["intake"]; r != nil {
				r.Notify()
			}
		},
	})
	if err != nil {
		return err
	}
	inMetrics, err := intake.InstrumentingMiddleware(c.registry)
	if err != nil {
		return err
	}
	s.intake = intake.LoggingMiddleware(log.With(c.logger, "service", "intake"))(inMetrics(in.Service))
	s.intakeCore = in
	s.intakeDen = outbox.NewDenialRecorder(s.dbs["intake"], "intake",
		event.Recorder{ClientKey: c.keys.Subkey(keys.PurposeClientAddress)})
	s.workflow = workflow
	return nil
}

// buildReferral builds referral when it runs here, over intake in this
// process or its peer.
func (s *system) buildReferral(c systemConfig) error {
	if !c.runs("referral") {
		return nil
	}
	routing, err := referral.LoadRouting(c.flags.policies)
	if err != nil {
		return err
	}
	workflow := s.workflow
	if workflow == nil {
		var err error
		if workflow, err = intake.LoadWorkflowPolicy(c.flags.policies); err != nil {
			return err
		}
	}
	cases, grants, discl := s.referralIntake(c)
	s.directory = directory.NewChanges(s.dbs["referral"], log.With(c.logger, "service", "referral"))
	refCfg := referral.Config{
		DB: s.dbs["referral"], Keys: c.keys, Cases: cases, Grants: grants,
		Orgs: referralOrgs{s.orgs}, Routing: &routing, Logger: log.With(c.logger, "service", "referral"),
		Disclosures: discl, IdempotencyTTL: c.flags.idemTTL,
		Directory: s.directory,
		// Relays are built after the services: looked up when a
		// revocation is made.
		WakeRelay: func() {
			if r := s.relayOf["referral"]; r != nil {
				r.Notify()
			}
		},
		Disclosure: referral.DisclosurePolicy{
			RecipientKinds: workflow.Disclosure.RecipientKinds, LegalBases: workflow.Disclosure.LegalBases,
			PackageDownloads: workflow.Disclosure.PackageDownloads,
			PackageWindow:    time.Duration(workflow.Disclosure.PackageDays) * 24 * time.Hour,
		},
	}
	refSvc, err := referral.New(refCfg)
	if err != nil {
		return err
	}
	refMetrics, err := referral.InstrumentingMiddleware(c.registry)
	if err != nil {
		return err
	}
	s.referral = referral.LoggingMiddleware(log.With(c.logger, "service", "referral"))(refMetrics(refSvc))
	if s.sweeper, err = referral.NewSweeper(refCfg); err != nil {
		return err
	}
	s.referralDen = referral.NewDenialRecorder(s.dbs["referral"], c.keys)
	s.grantChanges = referral.NewGrantChanges(refCfg)
	s.notices, err = referral.NewNotices(refCfg)
	return err
}

// referralIntake is what referral needs of intake: in this process, its
// adapters; otherwise intake's peer.
func (s *system) referralIntake(c systemConfig) (referral.CaseSource, referral.Grants, referral.Disclosures) {
	if s.intakeCore == nil {
		return c.peers.cases, c.peers.grants, c.peers.disclosures
	}
	return referralCases{s.intakeCore.Summaries}, referralGrants{s.intake, s.intakeCore}, referralDisclosures{s.intake, s.intakeCore.Packages}
}

// buildStats builds statistics when they run here.
func (s *system) buildStats(c systemConfig) error {
	if !c.runs("stats") {
		return nil
	}
	var err error
	if s.stats, err = stats.New(stats.Config{
		DB: s.dbs["stats"], Keys: c.keys, Logger: log.With(c.logger, "service", "stats"), PoliciesDir: c.flags.policies,
	}); err != nil {
		return err
	}
	statsMetrics, err := stats.InstrumentingMiddleware(c.registry)
	if err != nil {
		return err
	}
	s.statsAPI = stats.LoggingMiddleware(log.With(c.logger, "service", "stats"))(statsMetrics(s.stats))
	return nil
}

// buildRelays starts an outbox relay per service here: audit events go to
// the audit log, de-identified domain events to statistics, notices to
// the inboxes (referral), revocations of referral grants between intake
// and referral, in this process or to the peer.
func (s *system) buildRelays(c systemConfig) error {
	auditTo, statsTo, noticesTo := s.deliveries(c)
	grantsTo := s.grantDeliveries(c)
	s.relayOf = map[string]*outbox.Relay{}
	for _, name := range []string{"identity", "intake", "referral", "stats"} {
		if !c.runs(name) {
			continue
		}
		handlers := map[string]outbox.Handler{event.TopicAudit: auditTo}
		if name == "intake" || name == "referral" {
			handlers[facts.Topic] = statsTo
		}
		if name == "intake" || name == "identity" { // referral stores its own notices in the change's transaction
			handlers[notice.Topic] = noticesTo
		}
		if h := grantsTo[name]; h != nil {
			handlers[grantchange.Topic] = h
		}
		r := outbox.NewRelay(s.dbs[name], name, handlers,
			outbox.RelayOptions{Logger: log.With(c.logger, "relay", name), Registerer: c.registry})
		s.relays = append(s.relays, r)
		s.relayOf[name] = r
	}
	return nil
}

// deliveries returns where the relays deliver: to the services in this
// process, or their peers.
func (s *system) deliveries(c systemConfig) (auditTo, statsTo, noticesTo outbox.Handler) {
	if s.audit != nil {
		auditTo = s.auditReceiver()
	} else {
		auditTo = c.peers.auditAppend
	}
	if s.stats != nil {
		statsTo = s.stats.Receive
	} else {
		statsTo = c.peers.statsReceive
	}
	if s.notices != nil {
		noticesTo = s.notices.Receive
	} else {
		noticesTo = c.peers.noticesReceive
	}
	return auditTo, statsTo, noticesTo
}

// grantDeliveries returns, by sending service, where the revocations of
// referral grants go: intake's to referral, referral's to intake, in this
// process or to the peer.
func (s *system) grantDeliveries(c systemConfig) map[string]outbox.Handler {
	out := map[string]outbox.Handler{}
	switch {
	case s.grantChanges != nil:
		out["intake"] = s.grantChanges.Receive
	case c.peers != nil:
		out["intake"] = c.peers.grantsToReferral
	}
	switch {
	case s.intakeCore != nil:
		out["referral"] = s.intakeCore.ReceiveGrantChanges
	case c.peers != nil:
		out["referral"] = c.peers.grantsToIntake
	}
	return out
}

// auditReceiver delivers to the audit log. A malformed event is refused by
// the log (which stores the valid ones of the batch and flags the refused
// one's sequence number as a gap): retrying it would block the outbox
// forever, so it counts as handled and is logged.
func (s *system) auditReceiver() outbox.Handler {
	return func(ctx context.Context, msgs []outbox.Message) error {
		err := s.audit.Append(ctx, msgs)
		if errors.Is(err, audit.ErrInvalidEvent) {
			level.Error(s.logger).Log("msg", "audit log refused a malformed event; its sequence number is flagged as a gap", "err", err)
			return nil
		}
		return err
	}
}

// mount adds every service's routes to mux, with per-user and
// per-organisation rate limits between authentication and authorisation.
func (s *system) mount(mux *http.ServeMux, rl *kit.RateLimits) {
	authn := func(next endpoint.Endpoint) endpoint.Endpoint {
		return s.authn(rl.Endpoint(auth.Subject)(next))
	}
	if s.identityLocal {
		s.identityEP = identity.MakeServerEndpoints(s.identity, authn, s.enforcer, s.identityDen)
		idHTTP := identity.MakeHTTPHandler(s.identityEP, log.With(s.logger, "service", "identity"))
		for _, p := range routePrefixes["identity"] {
			mux.Handle(p, idHTTP)
		}
	}
	if s.audit != nil {
		s.auditEP = audit.MakeEndpoints(s.auditAPI, authn, s.enforcer, s.audit)
		mux.Handle("/api/v1/audit/", audit.MakeHTTPHandler(s.auditEP, log.With(s.logger, "service", "audit")))
	}
	if s.intake != nil {
		inHTTP := intake.MakeHTTPHandler(intake.MakeServerEndpoints(s.intake, authn, s.enforcer, s.intakeDen),
			log.With(s.logger, "service", "intake"))
		for _, p := range routePrefixes["intake"] {
			mux.Handle(p, inHTTP)
		}
	}
	if s.referral != nil {
		refHTTP := referral.MakeHTTPHandler(referral.MakeServerEndpoints(s.referral, authn, s.enforcer, s.referralDen),
			log.With(s.logger, "service", "referral"))
		for _, p := range []string{"/api/v1/referrals", "/api/v1/referrals/", "/api/v1/providers", "/api/v1/providers/"} {
			mux.Handle(p, refHTTP)
		}
		noticeHTTP := notices.MakeHTTPHandler(notices.MakeEndpoints(
			notices.LoggingMiddleware(log.With(s.logger, "service", "notifications"))(s.notices), authn, s.enforcer, s.referralDen),
			log.With(s.logger, "service", "notifications"))
		mux.Handle("/api/v1/notifications", noticeHTTP)
		mux.Handle("/api/v1/notifications/", noticeHTTP)
	}
	if s.stats != nil {
		mux.Handle("/api/v1/stats/", stats.MakeHTTPHandler(stats.MakeServerEndpoints(s.statsAPI, authn, s.enforcer, s.stats),
			log.With(s.logger, "service", "stats")))
	}
}

// routePrefixes are the public path prefixes of each service: what an
// ingress in front of a split deployment routes by (docs/deploy.md).
var routePrefixes = map[string][]string{
	"identity": {"/api/v1/auth/", "/api/v1/me", "/api/v1/me/", "/api/v1/orgs", "/api/v1/orgs/", "/api/v1/users", "/api/v1/users/"},
	"audit":    {"/api/v1/audit/"},
	"intake":   {"/api/v1/cases", "/api/v1/cases/", "/api/v1/duplicates", "/api/v1/duplicates/", "/api/v1/decisions/", "/api/v1/break-glass", "/api/v1/break-glass/", "/api/v1/disclosures", "/api/v1/keys"},
	"referral": {"/api/v1/referrals", "/api/v1/referrals/", "/api/v1/providers", "/api/v1/providers/", "/api/v1/notifications", "/api/v1/notifications/"},
	"stats":    {"/api/v1/stats/"},
}

// readiness checks what a request needs: every database reachable, its
// schema current and taking writes; the revocation list loaded (until
// then no token can be checked); the audit events waiting in the outboxes
// under auditBacklog (past it the audit log has stopped taking them, and
// reads, which fail closed, would soon stop too).
func (s *system) readiness(auditBacklog int64) []kit.Check {
	return append([]kit.Check{{Name: "revocations", Fn: func(context.Context) error {
		if !s.revocations.Current() {
			return errors.New("revocation list not loaded, or stale")
		}
		return nil
	}}}, s.storeReadiness(auditBacklog)...)
}

// storeReadiness checks this process's own databases and audit backlog
// only: what a peer asks of it (no check here depends on another
// service, so two services never wait on each other).
func (s *system) storeReadiness(auditBacklog int64) []kit.Check {
	var checks []kit.Check
	for _, name := range allServices {
		d, ok := s.dbs[name]
		if !ok { // runs elsewhere
			continue
		}
		checks = append(checks, kit.Check{Name: "db:" + name, Fn: func(ctx context.Context) error {
			if err := d.PingContext(ctx); err != nil {
				return err
			}
			ok, err := d.SchemaCurrent(ctx)
			if err != nil {
				return err
			}
			if !ok {
				return errors.New("schema behind: run nrm migrate")
			}
			return nil
		}}, kit.Check{Name: "writes:" + name, Fn: d.Writable})
	}
	if auditBacklog > 0 {
		checks = append(checks, kit.Check{Name: "audit_backlog", Fn: func(ctx context.Context) error {
			var n int64
			for _, r := range s.relays {
				b, err := r.Backlog(ctx, event.TopicAudit)
				if err != nil {
					return err
				}
				n += b
			}
			if n > auditBacklog {
				return fmt.Errorf("%d audit events undelivered, over %d", n, auditBacklog)
			}
			return nil
		}})
	}
	return checks
}

// background returns the loops that run beside the HTTP server.
func (s *system) background() []func(context.Context) error {
	fns := []func(context.Context) error{s.revocations.Run} // every replica keeps its own list
	// Singletons: one replica at a time (cmd/nrm/singleton.go), of the
	// services this process runs.
	var jobs []singleton
	if s.audit != nil {
		jobs = append(jobs, singleton{"audit/checkpointer", "audit", s.audit.Checkpointer().Run})
	}
	if s.referral != nil {
		fns = append(fns, s.directory.Run) // follows the provider directory's changes
		jobs = append(jobs, singleton{"referral/sweeper", "referral", s.sweeper.Run},
			singleton{"referral/notice-expiry", "referral", every(time.Hour, s.expireNotices)})
	}
	if s.intakeCore != nil {
		jobs = append(jobs, singleton{"intake/break-glass-expiry", "intake", every(time.Minute, s.expireBreakGlass)},
			singleton{"intake/overdue-report", "intake", every(5*time.Minute, s.reportOverdue)})
		if s.purgeEvery > 0 {
			jobs = append(jobs, singleton{"intake/purge", "intake", every(s.purgeEvery, s.purge)})
		}
	}
	if s.stats != nil {
		jobs = append(jobs, singleton{"stats/release-scheduler", "stats", every(time.Hour, s.scheduleReleases)})
	}
	fns = append(fns, s.singletons(jobs)...)
	// Relays run on every replica: each batch takes its topic's advisory
	// lock (pkg/outbox), so replicas take turns and a write's own replica
	// can deliver it at once.
	for _, r := range s.relays {
		fns = append(fns, r.Run)
	}
	return fns
}

// every runs fn now and then every d until ctx ends.
func every(d time.Duration, fn func(context.Context)) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			fn(ctx)
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}

// expireBreakGlass ends emergency access once its time is up (every
// minute, so access can outlast its expiry by up to a minute).
func (s *system) expireBreakGlass(ctx context.Context) {
	if n, err := s.intakeCore.Admin.ExpireBreakGlass(ctx, time.Now()); err != nil {
		level.Error(s.logger).Log("msg", "break-the-glass expiry failed", "err", err)
	} else if n > 0 {
		level.Info(s.logger).Log("msg", "break-the-glass access expired", "count", n)
	}
	// Providers' grants whose service ended and follow-up window passed.
	if n, err := s.intakeCore.Admin.EndGrants(ctx, time.Now()); err != nil {
		level.Error(s.logger).Log("msg", "ending grants after their service failed", "err", err)
	} else if n > 0 {
		level.Info(s.logger).Log("msg", "grants ended with their service", "count", n)
	}
}

// reportOverdue tells statistics and decision makers, once each, about
// decisions past their target date, and decision makers about those near it.
func (s *system) reportOverdue(ctx context.Context) {
	if _, err := s.intakeCore.Admin.ReportOverdue(ctx, time.Now()); err != nil {
		level.Error(s.logger).Log("msg", "overdue decisions report failed", "err", err)
	}
	if _, err := s.intakeCore.Admin.NotifyDeadlines(ctx, time.Now()); err != nil {
		level.Error(s.logger).Log("msg", "decision deadline notices failed", "err", err)
	}
}

// expireNotices deletes notices past their retention period.
func (s *system) expireNotices(ctx context.Context) {
	if _, err := s.notices.Expire(ctx, time.Now()); err != nil {
		level.Error(s.logger).Log("msg", "notice expiry failed", "err", err)
	}
}

// purge destroys what the retention policy says has expired (as nrm cases
// purge does); safe to run from several replicas, case by case under the
// case's row lock.
func (s *system) purge(ctx context.Context) {
	rep, err := s.intakeCore.Admin.Purge(ctx, time.Now())
	if err != nil {
		level.Error(s.logger).Log("msg", "scheduled purge failed", "err", err)
		return
	}
	if rep.Cases > 0 || rep.Held > 0 {
		level.Info(s.logger).Log("msg", "scheduled purge", "cases", rep.Cases, "entries", rep.Entries, "sections", rep.Sections, "held", rep.Held)
	}
}

// scheduleReleases publishes the statistics of every closed month,
// quarter and year whose records changed since its last release (late
// records of an older period included), at most releasesPerPass each hour,
// taking up where the previous pass stopped. A release that would differ
// from the previous one of its period by too few records is refused by
// the statistics service, and the earlier figures stand.
func (s *system) scheduleReleases(ctx context.Context) { s.scheduleReleasesAt(ctx, time.Now().UTC()) }

// releasesPerPass bounds the releases one pass of the scheduler tries.
const releasesPerPass = 24

func (s *system) scheduleReleasesAt(ctx context.Context, now time.Time) {
	ctx = auth.WithPrincipal(ctx, auth.ServicePrincipal("stats"))
	periods, err := s.stats.StalePeriods(ctx, now, s.lastScheduled, releasesPerPass)
	if err != nil {
		level.Error(s.logger).Log("msg", "statistics periods to release not found", "err", err)
		return
	}
	for _, period := range periods {
		spec := stats.ReleaseSpec{Name: scheduledReleaseName(period, now), Period: period}
		if _, err := s.stats.CreateRelease(ctx, spec); err != nil && kit.AsError(err).Status >= 500 {
			level.Error(s.logger).Log("msg", "scheduled statistics release failed", "period", period, "err", err)
		}
		s.lastScheduled = period
	}
}

// scheduledReleaseName names a scheduled release by its period and the
// second it was made, so that a period can be released again whenever
// release control allows (a name with the date alone allowed one a day).
func scheduledReleaseName(period string, now time.Time) string {
	return "sched-" + period + "-" + now.UTC().Format("20060102T150405Z")
}

// Close gives back the reference numbers intake reserved and did not
// use, and closes the databases.
func (s *system) Close() {
	if s.intakeCore != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.intakeCore.ReleaseReferences(ctx); err != nil {
			level.Warn(s.logger).Log("msg", "reserved references not given back", "err", err)
		}
		cancel()
	}
	for _, d := range s.dbs {
		d.Close()
	}
}

// checkpointDirDefault keeps checkpoint copies beside the keys: storage
// that a database (or data directory) thief does not have.
func checkpointDirDefault(keysDir string) string { return filepath.Join(keysDir, "checkpoints") }
