// Package grants is the grant API of the cases service: who else reads a
// case's sections. GrantPending is made by the owner's officer when
// referring (or by the referral service on the owner's behalf, for a
// referral the national desk places), ActivateGrant by the grantee on
// acceptance, RevokeGrant by either (the referral service revokes a
// referral's grant through intake's RevokeReferralGrant), EndGrant when the grant's service ends, and
// EndGrants (run by intake's Admin) revokes grants past their follow-up
// window (grants.go, changes.go). The consent rule a grant must pass is
// the domain's (casefile.MayShare), as is the check of a request
// (casefile.CheckGrantRequest).
//
// New(Config) returns a *Grants: the Service methods, which intake's
// Service embeds, plus GrantInCase (the grant a revocation from referral
// names) and EndGrants. Beside the service stand its layers in the shape
// of a go-kit service: endpoint.go, transport_http.go and client.go;
// intake's handler and client compose them, and intake's middleware logs
// and counts these methods with its own.
//
// It lives under cases (DESIGN.md: cases holds registration, reads,
// consent, grants and duplicates) as its own package so that each stays a
// size one can read; internal/rules counts it as cases. It depends only
// downward: on the store, the key ring's errors, casefile, transport and
// pkg. The key machinery under a grant (wraps and their section MACs, the
// record's entry keys, re-keying what a revoked reader lost, telling
// referral of a revocation) it takes as the Casework interface, which the
// intake service implements, as it does the cases service's.
//
// Every change commits with its audit event in one transaction; a refusal
// inside a transaction is ErrDenied, recorded by Casework.Finish once the
// transaction has rolled back, and answered as ErrNotFound.
package grants
