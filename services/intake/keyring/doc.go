// Package keyring is intake's organisation key ring: one age identity per
// organisation and version (hybrid post-quantum by default), stored in
// org_keys wrapped under the master key's wrap subkey, created on an
// organisation's first need and rotated by intake's administration.
//
// A Ring hands out the active recipient new wraps are made to (a cached
// hint for writers that check it in their transaction, or share-locked in
// the caller's transaction), and the identity of a version not destroyed
// for readers, unwrapped once and cached. Tx is the transaction a key
// change runs in: on SQLite it zeroes freed pages, so a destroyed identity
// leaves no copy in the file.
//
// The MAC set of a wrap (macset.go) is the stored form of the section
// MACs an organisation's wrap is checked against.
//
// The ring knows nothing of cases, grants or callers: intake decides who
// may read; the ring only keeps the keys.
package keyring
