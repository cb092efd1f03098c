// Package keys manages the key directory: the master secret from which HKDF
// derives one subkey per purpose, and the signing keys kept beside it. The
// directory never lives inside the data directory, so a database backup never
// carries the keys that protect it.
package keys
