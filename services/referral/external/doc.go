// Package external is referral's side of external referrals.
//
// External referrals (outside the system or across a border) are
// disclosures, and disclosure is the owner's act: only the case owner's
// officers and caseworkers make one, or a decision maker of the competent
// authority on the international_cooperation basis; a grantee never. The
// sender names the legal basis (the workflow policy's list), the
// destination (a country code or an organisation kind), the recipient
// kind (by default the destination, or foreign_authority for a country)
// and the receiving organisation's age public key ("recipient": X25519
// "age1…" or hybrid "age1pq1…"; a package has that one recipient, so the
// deployment's own kind does not matter). Within the country the
// disclosure is recorded in the case at once through Disclosures (intake,
// as the caller, which checks the relation and, for the consent basis,
// that data-sharing consent covers the recipient kind), so it is in the
// person's access report and the auditors' list. To another country
// (routing.json "country") the referral waits, awaiting_approval, until
// another user of the sending organisation approves it
// (POST /api/v1/referrals/{id}/approve); the disclosure is recorded then.
// Creation stores codes, the recipient key (checked by intake) and its
// SHA-256 fingerprint, and returns a package id. When the disclosure is
// recorded, intake builds the package (intake.PackageContent: the
// de-identified summary and the sections configured for the service, no
// internal case id) from its own audited read as the caller, encrypts it
// to the recipient as an armored age file and hands referral only those
// bytes: referral never reads a section and holds no key (the import rules
// in internal/rules check it never imports pkg/seal or age).
// GET /api/v1/referrals/{id}/package, for the sending organisation only,
// once disclosed and while the caller may still disclose the case, returns
// those bytes once their SHA-256, time and actor are recorded and
// referral.disclosure is in the outbox, within the policy's download limits.
//
// Desk holds the sending side (MayDisclose, Disclose, Download); the
// referral rows, their states and their audit stay with package referral.
package external
