// Package pgcluster runs a private PostgreSQL cluster: initdb into a
// temporary directory, its own port on 127.0.0.1 and its own socket
// directory, trust authentication, stopped and removed by Stop.
//
// It exists for what must never be done to the shared server that other
// tests use: the fault suite (internal/chaos) restarts its cluster with
// pg_ctl restart -m immediate under load, and a split deployment can give
// each process a cluster of its own. The binaries are found in PATH or
// under /usr/lib/postgresql/*/bin; PostgreSQL refuses to run as root, so
// as root the cluster's files belong to the postgres user and every
// pg_ctl runs as that user (runuser, or su).
package pgcluster
