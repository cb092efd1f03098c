// Package idempotency lets a client retry a creating request safely: a
// request carrying an Idempotency-Key header (IETF HTTP API working group,
// draft-ietf-httpapi-idempotency-key-header) is carried out at most once
// per caller, operation and key.
//
// The record of a request is written in the write's own transaction
// (Store.Record, called by the service inside it), so a write whose commit
// happened is always found on a retry, also when the commit's answer was
// lost (db.ErrCommitUnknown: 503 commit_unknown). A retry with the same key
// and the same request gets the first outcome again, rebuilt from the ids
// the record keeps; the same key with another request is refused (422
// idempotency_key_reused) and writes nothing; a retry while the first
// request is still being carried out in this process is refused (409
// idempotency_key_in_use, Retry-After). A second process inserting the same
// key waits on the first's transaction (PostgreSQL's unique index) and then
// answers the first outcome.
//
// The record keeps no personal data and nothing a client chose in clear:
// the key is stored as an HMAC (bound to the caller and the operation, so
// one user's key never names another's outcome), the request as an HMAC of
// its canonical JSON under the same subkey (keys.PurposeIdempotency),
// never the body or a plain hash of it, then the outcome's status, code and
// ids. Records expire after the store's TTL (DefaultTTL, 24 hours, unless
// configured): an expired key is treated as new, and expired records are
// swept by the store as keyed requests pass (at most once per SweepEvery;
// Store.Sweep does it on demand).
//
// Requests without a key behave as they always did.
package idempotency
