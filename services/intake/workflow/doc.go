// Package workflow is the part of intake that moves a case once it is
// registered: the decision track (decision.go, the rules table, and
// decision_rules.go, what opens a move and when), the support track and
// the tracks' view (support.go), the decision makers' queue (queue.go),
// the case record's API (entries.go: AddEntry and Entries), the children's
// rules (children.go: age and best-interests assessments, the guardian's
// appointment), the decision letters (letters.go, templates in letters/),
// the deadline and overdue notices (notices.go), an assistance case's move
// onto the NRM route (route.go) and the withdrawal of an adult whose
// consent to be submitted lapsed (withdrawal.go).
//
// New(Config) returns a *Tracks: the Service methods (which intake's
// Service embeds), plus Decide (the cases service's submission moves the
// track through it), View (the tracks in intake's one-snapshot case view),
// WithdrawOnConsent (intake's reaction to a consent change) and
// ReportOverdue and NotifyDeadlines (run by intake's Admin). Each call
// has its endpoint (endpoint.go), route and decoder (transport_http.go)
// and HTTP client (client.go); intake mounts and embeds them, and its
// middleware (generated from its Service) logs and counts them.
//
// It depends only downward: on the store (every statement, on the
// caller's transaction), the key ring, casefile (the domain: rows, codes,
// the workflow policy given in Config), transport (the request checks
// every intake transport shares) and pkg. What it needs of the case
// work every intake service shares (who the caller is and which cases
// they see, the audit of reads and refusals, the outbox and the guardian's
// notices, sealing and opening entries, the record as a caller may read
// it, granting a guardian, and the submission the cases service owns) it
// takes as the Casework interface, which the intake service implements
// (workflow_casework.go) and passes in Config. It never imports the intake
// package itself, nor the cases and oversight services (internal/rules).
//
// Every change commits with its audit event in one transaction; a refusal
// inside a transaction is ErrDenied, recorded by Casework.Finish once the
// transaction has rolled back, and answered as ErrNotFound.
package workflow
