package db

// PostgreSQL login roles and connection strings per service.

import (
	"errors"
	"hash/fnv"
	"net/url"
	"regexp"
	"strings"
)

// RoleName returns the login role of service (or "owner") for the database
// named in the URL: roles are cluster-wide, so they carry the database name.
func RoleName(databaseURL, service string) (string, error) {
	dbname, err := databaseName(databaseURL)
	if err != nil {
		return "", err
	}
	p := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9_]`).ReplaceAllString(dbname, "_"))
	if len(p) > 40 {
		p = p[:40]
	}
	return p + "_" + service, nil
}

func databaseName(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("database URL must be postgres://user@host:port/dbname?sslmode=...")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		name = u.User.Username()
	}
	if name == "" {
		return "", errors.New("database URL names no database")
	}
	return name, nil
}

// serviceDSN returns the URL with the service's role and password.
func serviceDSN(cfg Config, service string) (string, error) {
	role, err := RoleName(cfg.URL, service)
	if err != nil {
		return "", err
	}
	dsn, err := withUser(cfg.URL, role, cfg.password(role))
	if err != nil {
		return "", err
	}
	// Send a statement's parameters with it (one round trip instead of
	// two per statement); byte slices travel as binary.
	u, _ := url.Parse(dsn)
	q := u.Query()
	if q.Get("binary_parameters") == "" {
		q.Set("binary_parameters", "yes")
	}
	// The schema is set on each connection too, not only as the role's
	// default: a connection opened between the role's creation and
	// `nrm migrate` setting that default would otherwise never find its
	// tables.
	// bytea_output is fixed too: intake decodes bytea that PostgreSQL
	// renders inside JSON aggregates, in the hex format.
	// Parallel query is off: the services run short statements, and
	// starting workers takes longer than they do. Intake's duplicate
	// lookup for a group of registrations crossed the planner's threshold
	// as its table grew, and each such lookup took 10-40 ms instead of
	// under one.
	q.Set("options", strings.TrimSpace(q.Get("options")+" -c search_path="+service+" -c bytea_output=hex -c max_parallel_workers_per_gather=0"))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// AdvisoryLockKey is the PostgreSQL advisory lock of name. Every service
// schema lives in one database, where advisory locks are shared: keys
// derived from distinct names keep one service's lock from queueing
// another's work.
func AdvisoryLockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("nrm/" + name))
	return int64(h.Sum64())
}

// preparedStatements removes the URL's nrm_prepared_statements parameter
// and reports whether connections may keep prepared statements: not
// behind a pooler that shares server sessions between transactions.
func preparedStatements(dsn string) (string, bool) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, true
	}
	q := u.Query()
	off := q.Get("nrm_prepared_statements") == "off"
	q.Del("nrm_prepared_statements")
	u.RawQuery = q.Encode()
	return u.String(), !off
}

func withUser(databaseURL, user, password string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", err
	}
	u.User = url.UserPassword(user, password)
	return u.String(), nil
}

func (c Config) password(role string) string {
	if c.RolePassword == nil {
		return ""
	}
	return c.RolePassword(role)
}
