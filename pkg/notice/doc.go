// Package notice is the contract of in-app notifications: a Notice tells
// one user, or the users of one role in one organisation, that something
// happened to an object (a case, a referral), in codes and ids only.
//
// Services emit notices through their transactional outbox on Topic, in
// the same transaction as the change; the referral service receives them
// idempotently (by ID), stores them, serves each signed-in user their
// inbox and forwards them to the recipient organisation's webhook.
//
// A notice never carries personal data or free text: Validate admits ids,
// dates and codes from fixed lists only, so a careless emitter cannot put
// a name or a reason into one.
package notice
