package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/outbox/schema"
)

// tablePrivileges are the rights a service's login role gets on the tables
// of its own schema. The audit log is append-only, so its role may not
// update or delete (and triggers refuse it too). No role gets TRUNCATE,
// REFERENCES or TRIGGER, nor any right on another service's schema.
var tablePrivileges = map[string]string{
	"audit": "SELECT, INSERT",
}

const defaultPrivileges = "SELECT, INSERT, UPDATE, DELETE"

// Migrate brings the databases of services to the latest schema. On
// PostgreSQL it connects with cfg.URL (a role that may create roles and
// schemas), creates the owner role (no login) and one login role and schema
// per service, runs the migrations as the owner, and grants each service
// role rights on its own schema only.
func Migrate(ctx context.Context, cfg Config, services ...string) error {
	return migrate(ctx, cfg, nil, services)
}

// MigrateTo brings the databases of the services named in heads to the
// version given for each (its last migration to run) instead of the
// latest: the schema an older release left, which upgrade tests start
// from. The numbered outbox changes of pkg/outbox/schema, all later than
// any such release, are not run.
func MigrateTo(ctx context.Context, cfg Config, heads map[string]int64) error {
	services := make([]string, 0, len(heads))
	for s, v := range heads {
		if v < 1 {
			return fmt.Errorf("db: migrate %s to version %d", s, v)
		}
		services = append(services, s)
	}
	slices.Sort(services)
	return migrate(ctx, cfg, heads, services)
}

// migrate runs the migrations of services up to heads[service], or all
// of them when heads has none for it.
func migrate(ctx context.Context, cfg Config, heads map[string]int64, services []string) error {
	for _, s := range services {
		if !serviceName.MatchString(s) {
			return fmt.Errorf("db: bad service name %q", s)
		}
	}
	if cfg.Engine() == SQLite {
		for _, s := range services {
			if err := migrateSQLite(ctx, cfg, s, heads[s]); err != nil {
				return err
			}
		}
		return nil
	}
	return migratePostgres(ctx, cfg, services, heads)
}

func migrateSQLite(ctx context.Context, cfg Config, service string, to int64) error {
	sdb, err := openSQLite(cfg.DataDir, service, max(cfg.lockWait(), 10*time.Second), cfg.NoSync) // not a request: may wait longer
	if err != nil {
		return fmt.Errorf("db: migrate %s: %w", service, err)
	}
	defer sdb.Close()
	if err := migrateUp(ctx, SQLite, sdb, service, to); err != nil {
		return fmt.Errorf("db: migrate %s: %w", service, err)
	}
	return nil
}

func migratePostgres(ctx context.Context, cfg Config, services []string, heads map[string]int64) error {
	adminURL, _ := preparedStatements(cfg.URL)
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate: connect: %w", err)
	}
	defer conn.Close()
	// One migrator at a time per database.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7436001)`); err != nil {
		return fmt.Errorf("db: migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7436001)`)

	owner, err := RoleName(cfg.URL, "owner")
	if err != nil {
		return err
	}
	if err := ensureRole(ctx, conn, owner, false, ""); err != nil {
		return err
	}
	stmts := []string{
		`GRANT ` + quoteIdent(owner) + ` TO CURRENT_USER`,
		// Nobody but the owner creates objects; the public schema is unused.
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("db: migrate: %s: %w", s, err)
		}
	}
	for _, svc := range services {
		role, _ := RoleName(cfg.URL, svc)
		if err := ensureRole(ctx, conn, role, true, cfg.password(role)); err != nil {
			return err
		}
		for _, s := range []string{
			`CREATE SCHEMA IF NOT EXISTS ` + quoteIdent(svc) + ` AUTHORIZATION ` + quoteIdent(owner),
			`ALTER SCHEMA ` + quoteIdent(svc) + ` OWNER TO ` + quoteIdent(owner),
			`ALTER ROLE ` + quoteIdent(role) + ` SET search_path = ` + quoteIdent(svc),
		} {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("db: migrate %s: %w", svc, err)
			}
		}
		if err := migrateSchema(ctx, adminURL, owner, svc, heads[svc]); err != nil {
			return err
		}
		priv := tablePrivileges[svc]
		if priv == "" {
			priv = defaultPrivileges
		}
		for _, s := range []string{
			`REVOKE ALL ON SCHEMA ` + quoteIdent(svc) + ` FROM ` + quoteIdent(role),
			`GRANT USAGE ON SCHEMA ` + quoteIdent(svc) + ` TO ` + quoteIdent(role),
			`REVOKE ALL ON ALL TABLES IN SCHEMA ` + quoteIdent(svc) + ` FROM ` + quoteIdent(role),
			`GRANT ` + priv + ` ON ALL TABLES IN SCHEMA ` + quoteIdent(svc) + ` TO ` + quoteIdent(role),
			`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ` + quoteIdent(svc) + ` FROM ` + quoteIdent(role),
			`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ` + quoteIdent(svc) + ` TO ` + quoteIdent(role),
			// goose's bookkeeping is read for readiness, never written by the service.
			`REVOKE ALL ON TABLE ` + quoteIdent(svc) + `.goose_db_version FROM ` + quoteIdent(role),
			`GRANT SELECT ON TABLE ` + quoteIdent(svc) + `.goose_db_version TO ` + quoteIdent(role),
		} {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("db: migrate %s: grants: %w", svc, err)
			}
		}
		// Likewise the outbox changes' bookkeeping, once there are any.
		var outboxVersions bool
		if err := conn.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, svc+"."+schema.VersionTable).Scan(&outboxVersions); err != nil {
			return fmt.Errorf("db: migrate %s: grants: %w", svc, err)
		}
		if outboxVersions {
			table := quoteIdent(svc) + "." + schema.VersionTable
			for _, s := range []string{
				`REVOKE ALL ON TABLE ` + table + ` FROM ` + quoteIdent(role),
				`GRANT SELECT ON TABLE ` + table + ` TO ` + quoteIdent(role),
			} {
				if _, err := conn.ExecContext(ctx, s); err != nil {
					return fmt.Errorf("db: migrate %s: grants: %w", svc, err)
				}
			}
		}
	}
	return nil
}

// migrateSchema runs the service's migrations as the owner role with the
// service's schema first on the search path.
func migrateSchema(ctx context.Context, adminURL, owner, svc string, to int64) error {
	u, err := url.Parse(adminURL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("options", "-c role="+owner+" -c search_path="+svc)
	u.RawQuery = q.Encode()
	sdb, err := sql.Open("postgres", u.String())
	if err != nil {
		return fmt.Errorf("db: migrate %s: %w", svc, err)
	}
	defer sdb.Close()
	if err := migrateUp(ctx, Postgres, sdb, svc, to); err != nil {
		return fmt.Errorf("db: migrate %s: %w", svc, err)
	}
	return nil
}

func ensureRole(ctx context.Context, conn *sql.Conn, role string, login bool, password string) error {
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, role).Scan(&exists); err != nil {
		return fmt.Errorf("db: migrate: role %s: %w", role, err)
	}
	attrs := "NOLOGIN"
	if login {
		attrs = "LOGIN PASSWORD " + quoteLiteral(password)
	}
	attrs += " NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
	verb := "CREATE ROLE "
	if exists {
		verb = "ALTER ROLE "
	}
	if _, err := conn.ExecContext(ctx, verb+quoteIdent(role)+" "+attrs); err != nil {
		if !exists && strings.Contains(err.Error(), "already exists") {
			_, err = conn.ExecContext(ctx, "ALTER ROLE "+quoteIdent(role)+" "+attrs)
		}
		if err != nil {
			return fmt.Errorf("db: migrate: role %s: %w", role, err)
		}
	}
	return nil
}

// DropRoles removes the roles Migrate created for the database in
// databaseURL (tests use it after dropping their database).
func DropRoles(ctx context.Context, adminURL, databaseURL string, services ...string) error {
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, s := range append(services, "owner") {
		role, err := RoleName(databaseURL, s)
		if err != nil {
			return err
		}
		if _, err := admin.ExecContext(ctx, `DROP ROLE IF EXISTS `+quoteIdent(role)); err != nil {
			return err
		}
	}
	return nil
}
