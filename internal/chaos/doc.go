// Package chaos is the project's fault suite: it starts nrm as a child
// process (built with -tags chaos, see pkg/fault), drives it with a load
// client, and while the load runs kills the server with SIGKILL at random
// moments and restarts it on the same data, restarts PostgreSQL (a private
// cluster, internal/pgcluster: never the shared server), stalls the audit
// log and fills the disk. Then it proves what a client was told:
//
//   - every acknowledged registration (201) reads back with the attributes
//     and the sealed sections' content sent (lost and mismatched: 0);
//   - every acknowledged read (200 on a case) has its audit event, found
//     through the auditors' API by the request's X-Request-Id (unaudited: 0);
//   - nrm audit verify passes on the data afterwards;
//   - the statistics service holds, region by region, as many registered
//     cases as intake holds cases.
//
// Every creating request carries an Idempotency-Key and is retried with it
// on no answer, 5xx, 401, 409 and 429. A probe at the start sends one key
// twice: when the server answers with the same case, duplicates from
// retries must be 0; otherwise they are counted and reported. Answers
// other than 503 in the 5xx range and valid tokens refused are reported.
//
// Faults: SIGKILL of the server; pg_ctl restart -m immediate; audit stall
// by revoking the audit role's INSERT on audit.events (PostgreSQL) or the
// audit-stall fault hook (SQLite); disk full by a ballast file on a tmpfs
// mounted under the SQLite data directory (root, where mount works), or
// else the disk-full fault hook (always on PostgreSQL, whose own answer to
// a full disk, a crash and restart, is the restart fault already).
//
// cmd/nrm-chaos runs it; make chaos runs the long form, .ci/run a short one.
package chaos
