// Package intake registers presumed victims of trafficking and guards what
// is known about them: it is the only service that holds personal data in
// clear, and only in memory.
//
// Parts. New(Config) returns one Intake: the Service (the API), its Admin
// (key rotation, the retention purge, the deadline and grant-end
// schedulers), and what the referral service is given through adapters in
// cmd/nrm (Summaries, and Packages: external referral packages are built
// here, never in referral). Configuration, the workflow policy included,
// is parsed once by the caller and passed in Config. The API is three
// services, each a sub-package with its own struct built by New(Config)
// and its own endpoints, routes, client and logging and instrumenting
// decorators: cases (registration and drafts, reads, consent, submission,
// transfer, possible duplicates; the grant API beside it in cases/grants),
// workflow (the decision and support tracks, the route change, the case
// record's API, the children's rules, letters and deadline notices) and
// oversight (break-the-glass,
// disclosures, legal holds, the access report, certificates, the purge
// and external packages). This package composes them: its Service embeds
// theirs; its handler and client mount and wrap theirs, its middleware
// (one decorator generated from its Service) logs and counts their calls
// with its own; and it
// implements the Casework interface each takes for the case work they
// share (who the caller is and which cases they see, audit and the outbox,
// sealing and wraps, re-keying what a revoked reader lost, the entry keys,
// telling referral of revocations): cases_casework.go (the grants'
// too), workflow_casework.go and oversight.go. Below the services:
// casefile (the shared domain: taxonomies, the checks of what is given,
// the consent rules, the workflow policy and its calendar), keyring (the
// organisations' identities), store (the SQL, each statement on the
// caller's transaction) and transport (what the HTTP transports share);
// docs/architecture.md maps the rest.
//
// Sealing (pkg/seal). Each section (identity, narrative, health, legal) is
// sealed under its own data key. Each organisation has an age identity in
// org_keys, wrapped under the master subkey and created on first need. Per
// (case, organisation) one wrap holds the data keys the organisation
// holds; the wrap row holds its WrapMAC and a SectionMAC for each section
// the organisation may read (keyring/macset.go). Get reads the wrap, the
// identity version it names and the MACs in one snapshot, writes its audit
// event, then makes one age decryption with the caller's organisation's
// identity only (seal.OpenSections: all sections or none).
//
// Access. A case is visible to its owner organisation, the authors of its
// sections and organisations holding an active grant; a section is
// readable by its author and active grantees naming it. Everyone else,
// including the command line's system principal, gets ErrNotFound and a
// denied audit event. GrantPending is made by the owner's officer: the
// owner's keys are wrapped to the candidate at once, but no section MAC is
// written for it, so nothing opens until ActivateGrant (by the grantee)
// writes them. RevokeGrant (owner or grantee) rebuilds the grantee's wrap
// from the caller's own keys without the revoked sections, or deletes it,
// and re-keys what it lost (revocation.go). Entries follow the grant's
// sections: each entry kind has a class covered by one section
// (access.go; docs/access-model.md holds the table).
// Consent rule for grants and transfers: an adult's current data_sharing
// consent must cover the recipient's organisation kind; a child may be
// shared with without it only by recipient and sections: a
// child-protection organisation (workflow/guardians.go) the sections child
// protection needs, the appointed guardian's organisation the guardian's;
// anything else needs consent recorded for the child. Recording a consent
// that no longer covers a referral grantee revokes its grants. Submit
// grants identity, narrative and legal (health only when data_sharing
// covers competent_authority) to every competent_authority organisation.
// Transfer grants everything to the new owner and hands over ownership; the
// old owner's grants end and it keeps what it authored. A grant ends with
// its service after a follow-up window (cases/grants/changes.go).
// Break-the-glass (oversight/breakglass.go) goes to the opening user alone.
//
// Fail closed. Every change commits with its audit event in one
// transaction; a read's event is committed in its own transaction before
// anything is decrypted, and a failure there answers ErrUnavailable. A
// stored section or wrap that fails its MAC or decryption answers
// ErrIntegrity, is logged without content and audited
// (intake.case.integrity, failed). De-identified events go to topic
// "stats" keyed by HMAC(PurposePseudonym, case id).
//
// Keys. Admin.RotateOrg re-wraps an organisation's wraps to a new identity;
// Admin.RekeyOrg also reseals every section it authored or owns under new
// data keys and rewrites every wrap holding them. Both work case by case in
// short transactions while the service runs: writers share-lock the active
// key while wrapping, so no wrap to a retired identity appears after the
// switch, and the retired identity is destroyed once no wrap names it.
//
// Notices. In the transaction of a change, intake appends notices
// (pkg/notice, codes and ids only) to its outbox on topic "notice": to a
// child's guardian for every change its audit events record, made by
// someone else; to the owner's case workers and the national desk when a
// person goes missing; to the decision makers of the deciding
// organisations when a decision is due soon (Admin.NotifyDeadlines, once
// per threshold) or overdue (Admin.ReportOverdue). The referral service
// keeps the inboxes (docs/notifications.md).
package intake
