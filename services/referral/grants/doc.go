// Package grants is referral's side of the grants that let a candidate
// provider read the sections of a case it is referred: intake makes each
// one pending when the referral is created (as the officer, so intake
// checks consent), and the accepting organisation's becomes live on
// acceptance (as the accepting user, synchronously: the provider reads
// the case the moment it has accepted). The others are revoked on
// decline, expiry and withdrawal: marked revoked and put in referral's
// outbox in the same transaction (Revoke), delivered to intake at least
// once. What intake revokes of a referral's grants (consent withdrawn,
// the purge, the end of the follow-up window) comes back on intake's
// outbox (Receiver). The state of each candidate's grant, and why it was
// revoked, are kept in referral_candidates.grant_state and grant_reason.
package grants
