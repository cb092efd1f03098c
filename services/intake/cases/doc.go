// Package cases is the part of intake that registers cases and reads
// them: registration and drafts with their validation and the group
// commit of registrations under load (register.go, register_batch.go,
// validate.go), the duplicate check and the list and decision of possible
// duplicates (duplicates*.go), consent and the link of a notification
// (consent.go), finalisation, submission and transfer (lifecycle.go), the
// reads of a case, its view, its list, its export and its summary
// (read.go, caseview.go, export.go, summary.go).
//
// New(Config) returns a *Cases: the Service methods, which intake's
// Service embeds, plus SubmitTransition (the workflow's move to
// submitted), ExportSections (what oversight and referral packages are
// built from), Summary (the referral service's read) and RegisterTogether
// (the group commit, reached on purpose by the tests). Beside the service
// stand its layers in the shape of a go-kit service: endpoint.go
// (MakeEndpoints), transport_http.go (HandleRoutes and the decoders),
// client.go (NewClient over the intake client's call) and middleware.go
// (the logging and instrumenting decorators, over the intake middleware's
// log line and metrics); intake's handler, client and middleware compose
// them.
//
// It depends only downward: on the store, the key ring, casefile (the
// domain: the case, its consent and duplicates) and pkg. What it needs of
// the case work every intake service shares (who the caller is, the audit
// of changes, reads and refusals, the access rules, grants and wraps) and
// of the workflow (the decision track's record of a submission, its
// reaction to a consent change, the tracks and the record of a case view)
// it takes as the Casework interface, which the intake service implements
// and passes in Config. It never imports the intake package itself, nor
// the workflow and oversight services (internal/rules).
//
// Every change commits with its audit event in one transaction; a refusal
// inside a transaction is ErrDenied, recorded by Casework.Finish once the
// transaction has rolled back, and answered as ErrNotFound.
package cases
