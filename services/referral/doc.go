// Package referral is the platform's referral routing: the provider
// directory, capacity, referrals and their deadlines.
//
// Directory. A provider is an organisation offering services (the needs
// taxonomy) with places per service, the regions it serves (or
// "national"), the region it works from, the profiles it accepts
// (children, adults, genders, dependants), languages, availability and an
// active flag. No street address is stored. Org administrators manage
// their own entry, system administrators any; the provider's caseworkers
// and administrators update places. The directory is exported and
// imported as Open Referral HSDS 3.0-style JSON (see HSDSDocument). The
// entries, their checks, HSDS and their storage are the sub-package
// directory; who may do what, and the audit of it, are here
// (providers.go).
//
// Routing. The policy (routing.json, replaceable in --policies) and the
// ranking of the directory for a case's profile, with a reason code for
// every score and every exclusion, are the sub-package routing; referral
// feeds it the routable providers and the case's codes.
//
// Lifecycle. A referral is offered to fan_out candidates at a time (3 for
// an emergency by default, 1 otherwise), each offer with the urgency's
// deadline. Offer: queued → offered → accepted | declined | expired |
// withdrawn. Referral: pending → accepted → arrived → completed | left,
// withdrawn from pending, accepted or arrived, and no_provider when no
// candidate is left (an unmet need on the coordinators' board). The first
// acceptance wins, reserving places in the same transaction that moves the
// referral out of pending (UPDATE … WHERE used + n <= places); the other
// offers are withdrawn. Completion, departure and withdrawal free the
// places. The Sweeper expires offers and moves to the next candidate.
//
// Grants. The case sections a provider needs (configured per service)
// are granted pending through intake when the referral is created, as the
// officer, so intake checks consent; acceptance activates the grant as the
// accepting user; decline, expiry and withdrawal mark it for revocation,
// done at once as the caller or, failing that, as the service, and retried
// by the sweeper.
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
// Decline notes. A decline carries a reason code and optionally a note,
// which is also a code (DeclineNotes). Free text is refused with a 400
// saying it belongs in the case record: referral holds no organisation
// key ring to seal text with, and text about a person is intake's.
//
// Visibility. The sending organisation and the case owner see a referral
// in full; the accepting provider sees the case id; coordinators see what
// routing needs: the de-identified summary, the status, the sender and
// the candidates with their answers, never the case id, sections or
// disclosure details; other candidates that were offered it see the
// de-identified summary only; anyone else gets 404 and a denied audit
// event. The owner withdraws at will; a coordinator withdraws another
// organisation's referral only in an emergency, stating two codes
// (EmergencyReasons, EmergencyNotes), recorded in referral_withdrawals,
// audited as referral.referral.withdraw_emergency and told to the sender.
// Candidates carry the provider's name and the score they were ranked
// with, the same as the routing preview showed. Every
// change and every read is audited through the outbox before any answer;
// de-identified facts go to statistics on topic "stats". Providers are
// notified in the app and, when configured, by a signed webhook carrying
// only the referral id, event, service, urgency and deadline: signing,
// secrets and delivery are the sub-package webhooks; who may set a
// webhook or rotate its secret, and the audit of it, are here
// (webhook_secret.go). docs/webhooks.md shows how a provider verifies.
//
// Notifications. Every signed-in user's inbox is the sub-package notices,
// a go-kit service of its own over this database (NewNotices builds it
// from referral's Config); referral
// stores the notices it raises in the transaction of the change (notify).
//
// Metrics. InstrumentingMiddleware counts calls and their durations with
// two labels, method and outcome code, as the other services do.
package referral
