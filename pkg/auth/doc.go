// Package auth defines the authenticated principal carried in a request
// context, and the verification of EdDSA access tokens that every service
// does itself (identity issues them).
package auth
