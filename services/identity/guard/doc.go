// Package guard stands between a guessing attacker and identity's
// passwords, without ever locking a real user out.
//
//   - Hasher: argon2id password hashes as PHC strings, at most a few at
//     once (each holds 64 MiB), a freed slot handed to the waiting client
//     address with the fewest recent failures and among equals in turn,
//     one slot kept for addresses still within their free tries, a few
//     waiting per address (more get a 429 naming LimitHashingQueue), and
//     503 after a 3 s wait rather than piling up memory.
//   - Throttle: failed attempts counted per (account, address), per
//     address and per account in a bounded LRU; the first two refuse
//     with a wait before any work, the last only adds a short delay.
//
// It knows nothing of users, databases or HTTP: the identity service
// asks it whether an attempt may go ahead and to hash or verify, and
// turns its answers into 429s and audit events.
package guard
