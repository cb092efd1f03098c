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
// Grants. The grants that let a candidate read the case's sections are
// made and activated (synchronously, as the caller) by the sub-package
// grants; their revocations travel on the outbox both ways
// (pkg/grantchange): a decline, expiry or withdrawal is put in referral's
// outbox in its transaction, and what intake revokes comes back to
// NewGrantChanges, so no candidate's grant shows live that intake revoked.
//
// External referrals (outside the system or across a border) are
// disclosures the owner makes; who may, intake's record of them, the
// package intake builds and its downloads are the sub-package external.
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
