// Package directory is referral's provider directory: each provider's
// entry (the regions it serves, whom it accepts, its languages and hours,
// its services with their places and the places in use), the checks an
// entry passes (Rules), its exchange as Open Referral HSDS, and its
// storage, with a short-lived snapshot of the routable providers that
// routing reads instead of the whole directory on every referral.
//
// It knows nothing of users or audit: the referral service decides who
// may read or change an entry, audits each change, and runs these writes
// in its own transactions, so that a referral's acceptance and the places
// it reserves commit together. An entry holds no street address.
package directory
