// Package grants is referral's side of the grants that let a candidate
// provider read the sections of a case it is referred: intake makes each
// one pending when the referral is created (as the officer, so intake
// checks consent), the accepting organisation's becomes live on
// acceptance (as the accepting user), the others are revoked on decline,
// expiry and withdrawal, first as the caller and failing that as the
// service, and what still fails is retried by the sweeper. The state of
// each candidate's grant is kept in referral_candidates.grant_state.
package grants
