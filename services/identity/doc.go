// Package identity owns organisations, users, credentials, sessions and MFA,
// and issues the access tokens every other service verifies (pkg/auth).
//
// Credentials:
//   - passwords: argon2id, 64 MiB, 3 passes, 2 lanes, 16-byte salt, 32-byte
//     key, stored as a PHC string ($argon2id$v=19$m=65536,t=3,p=2$salt$key;
//     hashing and the failure throttle live in sub-package guard);
//     at least 12 characters. At most GOMAXPROCS hashes run at once (each
//     holds 64 MiB and runs its 2 lanes in parallel). A freed slot goes to
//     the waiting client address with the fewest recent failed logins, and
//     among equals in turn, so a flood from some addresses cannot starve
//     the others; with two slots or more one is kept for addresses still
//     within their free failed tries, so a real user's hash starts at once
//     instead of after a flood's; an address may have 4 hashes waiting, more get 429 at
//     once; a caller waiting more than 3 s gets 503 rather than piling up
//     memory. An unknown email is checked against a dummy hash so it costs
//     the same and answers alike.
//   - TOTP (RFC 6238, SHA-1, 6 digits, 30 s, ±1 step) for every role; the
//     secret is sealed with XChaCha20-Poly1305 under a master subkey with the
//     user id as associated data; the last accepted time step is stored and
//     a step at or below it is refused, so a code is never accepted twice.
//   - each user row carries an HMAC (master subkey) over id, organisation,
//     sorted roles, status and email, checked at login and refresh: a role
//     written into the database directly does not verify.
//
// Roles are bound to organisation kinds by policies/roles.json (RolePolicy,
// read once and given in Config): a user whose roles do not fit cannot be
// created (403 role_not_allowed), and one that exists anyway (planted, or
// from before the rule) cannot sign in, refresh or read /me (403
// account_roles_invalid) and is listed by `nrm users check`. The
// privileged roles are granted by a system_admin only (403
// privileged_role for an org_admin); each grant is an audit event
// identity.role.grant.<role>, and the user listing shows who created each
// user. See docs/roles.md.
//
// Second factor: a new user's secret is pending until the first login
// with a code of it (BeginEnrolment shows it again, with a QR code, to
// whoever has the password AND a single-use enrolment ticket an
// administrator handed over, within 30 days; accounts_ticket.go). One
// administrator may not issue both a password reset and an enrolment
// ticket for the same user within 7 days: a second one must. Wrong codes are counted per
// account whatever the address: after 5, each waits 1 s, 2 s … 1 min
// after the last; after 100 in a row the second factor is suspended
// (identity.totp.suspend) until an administrator resets it. Every
// recovery and the suspension are told in the notification inbox, to the
// user and the organisation's administrators (recovery_notices.go).
//
// Accounts (accounts.go, accounts_admin.go): password change and TOTP
// re-enrolment with the current factor, the caller's own sessions, and
// for administrators second-factor reset, re-enabling, and one-time
// password-reset tokens (1 hour, single use, stored as an HMAC). An
// org_admin acts only on its own organisation's users who hold no
// privileged role.
//
// Repeated failures slow down instead of locking out: per (account,
// address) and per address a growing wait, refused with 429 before any
// work (counted in nrm_identity_throttled_total, not logged or audited);
// per account only a short added delay, so the real user from another
// address still gets in during an attack. The tracking table is an LRU of
// bounded size. Every 429 names its limit (the Limit* constants) and the
// real wait (Retry-After); the counters are keyed on the email as typed
// and the address, never on the database, so a known and an unknown email
// get the same refusal.
//
// Sessions: a login opens a session (12 h at most) and returns a 15-minute
// EdDSA access token (kid = first 16 hex of SHA-256 of the public key) and a
// refresh token (32 random bytes, stored as an HMAC). Refresh rotates it; a
// rotated token presented again revokes the session. Logout revokes the
// session; disabling a user revokes all theirs. Revocations are numbered in
// commit order and served as a feed (RevokedSessions) that
// auth.RevocationList polls, so every service refuses a revoked session
// within seconds.
//
// Every login, refresh, logout, revocation, creation, disable and denial is
// an audit event written into the identity outbox in the same transaction;
// when the outbox cannot be written the request fails with 503.
//
// Instance rules: system_admin acts everywhere (the command line acts as
// auth.System()); org_admin only within their own organisation, cannot
// create or disable system administrators, and gets 404 for another
// organisation's users. Me and logout need only a valid token.
package identity
