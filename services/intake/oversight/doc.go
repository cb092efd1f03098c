// Package oversight is the part of intake that answers to the person and
// to the auditors, and that lets go of data: break-the-glass
// (breakglass.go), disclosures outside the system and legal holds
// (disclosure.go), the person's access report and the certificate of a
// positive decision (rights.go), the retention purge (retention.go) and
// external referral packages (package.go).
//
// New(Config) returns an *Oversight: the Service methods (the API part,
// which intake's Service embeds and its endpoints serve), plus Purge and
// ExpireBreakGlass (run by intake's Admin) and BuildPackage and
// DisclosureStands (what referral is given, through adapters in cmd/nrm).
// Beside the service stand its layers in the shape of a go-kit service:
// endpoint.go (MakeEndpoints), transport_http.go (HandleRoutes and the
// decoders), client.go (NewClient over the intake client's
// transport.Call); intake's handler and client compose them, and
// intake's middleware, generated from its Service, logs and counts these
// methods with its own.
//
// It depends only downward: on the store (every statement, on the
// caller's transaction), the key ring (the secure-delete transaction of a
// purge), casefile (the domain: records, codes, consent and retention
// rules), transport (the request checks every intake transport shares)
// and pkg. What it needs of the case work every intake service
// shares (who the caller is and which cases they see, the audit of reads
// and refusals, granting sections, sealing an entry, sharing the record's
// keys, revoking a reader, rewrapping a case, exporting sections) it takes
// as the Casework interface, which the intake service implements and
// passes in Config. It never imports the intake package itself, nor the
// cases and workflow services (internal/rules).
//
// Every change commits with its audit event in one transaction; a refusal
// inside a transaction is ErrDenied, recorded by Casework.Finish once the
// transaction has rolled back, and answered as ErrNotFound.
package oversight
