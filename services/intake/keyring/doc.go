// Package keyring is intake's keys: the organisations' key ring and the
// cases' retention class keys as seal uses them.
//
// The ring is one age identity per organisation and version (hybrid
// post-quantum by default), stored in org_keys wrapped under the master
// key's wrap subkey, created on an organisation's first need and rotated
// by intake's administration (NewActiveVersion, DestroyRetired). A Ring
// hands out the active recipient new wraps are made to (a cached hint for
// writers that check it in their transaction, or share-locked in the
// caller's transaction), and the identity of a version not destroyed for
// readers, unwrapped once and cached. Tx is the transaction a key change
// runs in: on SQLite it zeroes freed pages, so a destroyed identity leaves
// no copy in the file.
//
// The ring runs its own SQL over org_keys, the one table it owns, rather
// than through the store: the store sits above the ring (it stores the MAC
// sets defined here), and the ring's statements are bound to its locking
// (the active key share-locked by writers, retired by a rotation) and to
// its secure-delete transaction. Only the ring writes org_keys; the store
// reads it where a statement joins a wrap to its key (a snapshot, a wrap
// written only while its version is active, the key status).
//
// ClassKeys (classkeys.go) lock each class of a case's data keys in a
// wrap under the case's key for that class (keys.CaseKeys), so the
// retention purge destroys a class by destroying its key. The MAC set of a
// wrap (macset.go) is the stored form of the section MACs an
// organisation's wrap is checked against.
//
// The keyring knows nothing of cases' contents, grants or callers: intake
// decides who may read; the keyring only keeps the keys.
package keyring
