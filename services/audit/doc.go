// Package audit is the audit service: a tamper-evident log of the audit
// events every service emits through its outbox.
//
// Events are leaves of an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog)
// kept in SQL with a gapless index 0..n-1. A checkpointer signs the tree
// head in the C2SP checkpoint format (golang.org/x/mod/sumdb/note), stores
// it, writes it outside the database and pushes it to witnesses, so that
// someone with write access to the database but not to the signing key
// cannot rewrite history unnoticed. Verify recomputes everything from the
// rows and names the first entry that does not fit.
//
// The append path (Log.Append) is internal: the outbox relay calls it in
// process. Auditors read through the HTTP API; each of their reads is
// itself appended to the log before any data is returned.
//
// Leaf encoding (version 1), the bytes hashed with tlog.RecordHash:
//
//	"nrm-audit-v1" 0x0A
//	time    8 bytes, big-endian signed Unix microseconds (UTC)
//	seq     8 bytes, big-endian signed
//	then, in this order, each as a 2-byte big-endian length and its bytes:
//	id, source, actor_user, actor_org, actor_role, action, object_type,
//	object_id, outcome, request_id, client_hash
//
// The tree index is not part of the leaf: its position in the tree binds it.
//
// The Merkle hashes are unkeyed, so each entry also carries a MAC under a
// key from the key directory, bound to its index (leafmac.go): an insider
// who edits an entry and recomputes the hashes is caught at that entry.
//
// The Public routes (public.go) give anyone what verification needs and
// nothing else: the verifier key, the latest checkpoint, inclusion proofs
// by leaf index with the leaf hash, and consistency proofs; VerifyRemote
// checks a deployment through them. docs/audit.md describes it all for
// verifiers outside the project.
package audit
