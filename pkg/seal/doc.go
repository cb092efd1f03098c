// Package seal is the cryptographic core of case registration: organisation
// identities, sealed sections, per-organisation key wraps, the MACs checked
// before any decryption, and blind indexes for duplicate detection. It holds
// no database and logs nothing; errors never carry a plaintext, key or name.
//
// Construction:
//
//   - Each organisation has an age identity of the deployment's one Kind:
//     KindHybrid (ML-KEM-768 + X25519, "age1pq1…", the default) or
//     KindX25519. age refuses to mix the two, and so do ParseRecipientKind,
//     Rewrap and Unwrap (ErrKindMismatch). At rest the identity is wrapped
//     with XChaCha20-Poly1305 under the master subkey keys.PurposeWrap, the
//     additional data binding the format version, the kind and the
//     organisation id (WrapIdentity).
//
//   - A section (identity, narrative, health, legal, or a later entry) is
//     sealed with XChaCha20-Poly1305 under its own random 32-byte data key and
//     a random 24-byte nonce. The plaintext is the encoded Header (case,
//     section, version, author organisation) followed by the content; the
//     encoded Header is also the additional data, so a section moved to
//     another case, section, version or author does not open. Layout:
//     version(1) | nonce(24) | ciphertext+tag. Open returns all or nothing.
//
//   - For each organisation that may read a case, one age message (Wrap)
//     carries every data key granted to it, grouped by retention class; a
//     read costs one age decryption (Unwrap), never one per field. Payload:
//     "nrmw" | version(1) | uvarint groups | per class: class | locked(1) |
//     body; body = uvarint n | n × (case, section, uvarint version, key[32]).
//     Strings are uvarint length + bytes. With WithRetentionKeys each body is
//     further sealed under that class's key from the key directory, so
//     deleting the class key makes its data unreadable from any backup.
//
//   - Anyone with an organisation's public key can write a valid age message,
//     so each stored section carries SectionMAC: HMAC-SHA256 under
//     keys.PurposeSectionMAC over the header, SHA-256 of the ciphertext,
//     SHA-256 of the reader's wrap and the reader's organisation id.
//     OpenSections checks every MAC (constant time) before the single age
//     decryption, then opens each section, and returns everything or nothing.
//
//   - Rotation: Rewrap re-encrypts a wrap's payload to a new recipient of the
//     same kind (keys rotate); Reseal seals a section again under a new data
//     key (keys rekey). Both change hashes, so the MACs must be rewritten.
//
//   - Duplicates: Simplify folds Latin and Arabic spellings of a name to a
//     sorted consonant skeleton; BlindIndex is HMAC-SHA256 under
//     keys.PurposeBlindIndex over the skeleton and the birth year, truncated
//     to DefaultIndexBits (see there for the false-positive rate).
package seal
