// Package cases is the part of intake that registers cases and reads
// them: registration and drafts with their validation and the group
// commit of registrations under load (register.go, register_batch.go,
// validate.go), the duplicate check and the list and decision of possible
// duplicates (duplicates*.go), consent and the link of a notification
// (consent.go), finalisation, submission and transfer (lifecycle.go), the
// reads of a case, its view, its list, its export and its summary
// (read.go, caseview.go, export.go, summary.go). The grant API is its own
// package beside it (cases/grants). The checks of a registration and a
// consent as given, and the consent rule of a transfer, are the domain's
// (casefile/registration.go, casefile/grant.go).
//
// New(Config) returns a *Cases: the Service methods, which intake's
// Service embeds, plus SubmitTransition (the workflow's move to
// submitted), ExportSections (what oversight and referral packages are
// built from), Summary (the referral service's read) and RegisterTogether
// (the group commit, reached on purpose by the tests). Beside the service
// stand its layers in the shape of a go-kit service: endpoint.go
// (MakeEndpoints), transport_http.go (HandleRoutes and the decoders),
// client.go (NewClient over the intake client's transport.Call); intake's
// handler and client compose them, and intake's middleware, generated
// from its Service, logs and counts these methods with its own.
//
// It depends only downward: on the store, the key ring, casefile (the
// domain: the case, its consent and duplicates), transport (the request
// checks every intake transport shares) and pkg. What it needs of
// the case work every intake service shares (who the caller is, the audit
// of changes, reads and refusals, the access rules, grants and wraps) and
// of the workflow (the decision track's record of a submission, its
// reaction to a consent change, the tracks and the record of a case view)
// it takes as the Casework interface, which the intake service implements
// and passes in Config. It never imports the intake package itself, nor
// the workflow and oversight services (internal/rules).
//
// Registration. Three routes (DESIGN.md): nrm (a child, or an adult who
// consents to submission), assistance (an adult accepting help only) and
// anonymous (an adult declining both: no section at all, no birth year,
// never shared; a later case may link it with LinkNotification or
// Registration.NotificationID). Attributes are codes from casefile/taxonomy.go,
// kept as columns for routing and statistics; anyone not known to be an
// adult, or whose age is disputed, is treated as a child. A draft is
// checked leniently (missing fields allowed, present ones checked),
// UpdateDraft replaces its content and Finalize validates fully. References
// are NRM-YYYY-NNNNNN from a per-year counter (store.References), taken
// before the registration's transaction (a failed registration leaves a
// gap).
//
// Consent is a list of records, one per purpose (assistance,
// nrm_submission, data_sharing) per recording, never overwritten; the
// current consent for a purpose is its latest record, unless expired.
//
// Duplicates. At registration and Finalize, one blind-index row set per
// case: seal.Simplify of the full name and each variant, with the birth
// year when known (from date_of_birth, else birth_year), else of the names
// alone, truncated to 16 bits. A known year also meets cases without one
// (name_only). Matches go to the duplicates table, visible only through
// Duplicates to coordinators and decision makers. The check is limited per
// user (Config.DuplicateLimit: intake's DuplicateCheckBurst, 40, refilled
// at DuplicateChecksPerHour, 60): above it the registration is refused with 429 naming the limit
// duplicate_checks and when to retry, before any work, whatever the names;
// the officer's response and audit trail never depend on a match.
//
// Every change commits with its audit event in one transaction; a refusal
// inside a transaction is ErrDenied, recorded by Casework.Finish once the
// transaction has rolled back, and answered as ErrNotFound.
package cases
