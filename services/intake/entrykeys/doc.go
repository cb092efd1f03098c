// Package entrykeys seals and opens the entries of a case record and keeps
// their keys: each entry is sealed under its own data key, wrapped once per
// organisation that may read it (entry_keys), with a MAC binding the
// entry, its ciphertext, the wrap and the organisation.
//
// It wraps a key to an organisation, passes a key one organisation holds
// to another, hands a case's keys over to its new owner, re-wraps an
// organisation's keys to its new identity (rotation) and seals entries
// again under new data keys (rekeying). Every statement is the store's,
// on the caller's transaction; the identities are the key ring's.
//
// It never decides who may read an entry: intake chooses the readers and
// calls it; it only does the cryptography and writes what results.
package entrykeys
