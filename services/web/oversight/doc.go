// Package oversight serves the pages of those who watch over the
// mechanism rather than work its cases:
//
//   - auditors: the audit log and its alerts, each event's inclusion
//     proof checked on the server, the latest checkpoint compared with
//     the witnesses' copies, and the review of break-the-glass openings
//     (audit.go, audit_proof.go, breakglass.go);
//   - administrators: organisations, users, key rings and a provider's
//     webhook secret (admin*.go);
//   - the national referral desk: its board, the placement of a referral
//     that found no provider, the provider directory (desk.go);
//   - the commission's analysts: the anonymised tables charted as
//     server-side SVG, releases, CSV export and the printable annual
//     report (commission*.go, report.go). A suppressed cell is shown as
//     suppressed, never as zero, and the perturbation is explained beside
//     every table.
//
// A page whose service is not given (Config) answers not found; the
// statistics pages without stats show as unavailable.
package oversight
