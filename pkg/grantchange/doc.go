// Package grantchange is the contract of the revocations of referral
// grants (the grants intake makes for a referral's candidate providers)
// that travel between intake and referral, each way through the sending
// service's transactional outbox on Topic, in the transaction of the
// change.
//
// Referral tells intake to revoke the grant of a candidate that declined,
// whose offer expired or was withdrawn (ReasonsFromReferral): intake
// revokes it on the owner's behalf, once however often the message comes.
// Intake tells referral of every referral grant it revoked on its own
// decision (ReasonsFromIntake: consent withdrawal, purge, end of service,
// transfer, the owner's or grantee's revocation), not of those referral
// asked for, which referral marked revoked when it asked: referral marks
// the candidate's grant revoked, so it never shows as live a grant intake
// revoked. Activation on acceptance is not a
// message: the accepting provider reads the case at once, so referral
// asks intake synchronously.
//
// A message holds ids and codes only, never personal data: Validate
// admits nothing else. Each receiver checks that the grant it names is
// the one of that referral, that organisation and that case, so a forged
// or replayed message cannot revoke another grant.
package grantchange
