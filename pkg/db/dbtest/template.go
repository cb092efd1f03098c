package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// Run runs a package's tests from its TestMain and then drops the template
// databases they made, returning the code for os.Exit:
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
//
// Under Run, Open migrates each service once per engine for the whole
// package and hands each test a copy, and test databases are dropped in
// the background. Without it, each test migrates its own database.
func Run(m *testing.M) int {
	pool.mu.Lock()
	pool.on = true
	pool.mu.Unlock()
	// Database tests spend most of their time waiting for the server (a
	// copy, a checkpoint): more run side by side than there are CPUs,
	// unless -test.parallel says otherwise.
	if f := flag.Lookup("test.parallel"); f != nil && f.Value.String() == f.DefValue {
		_ = f.Value.Set(strconv.Itoa(max(parallel, runtime.GOMAXPROCS(0))))
	}
	code := m.Run()
	if err := dropTemplates(); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// parallel is how many parallel tests of a package run at once at least.
const parallel = 4

// pgDatabase is a test's PostgreSQL database: fresh until Open first
// migrates or copies into it.
type pgDatabase struct {
	mu    sync.Mutex
	name  string
	fresh bool
}

// template is one service migrated once: a PostgreSQL database, or a
// SQLite file.
type template struct {
	mu   sync.Mutex
	made bool
	name string // database name or file path
	url  string // PostgreSQL only
}

var pool struct {
	mu     sync.Mutex
	on     bool
	dir    string // SQLite templates
	pg     map[string]*template
	sqlite map[string]*template
	// use is held for reading while a template is copied and for
	// writing while the templates are dropped.
	use sync.RWMutex
	// pending counts the databases being dropped in the background.
	pending int
	done    *sync.Cond
	slots   chan struct{}
}

func init() {
	pool.done = sync.NewCond(&pool.mu)
	// A few drops at a time share the checkpoint each one waits for.
	pool.slots = make(chan struct{}, 4)
}

func templatesOn() bool {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return pool.on
}

// fromTemplate copies the template of services into e's database when
// nothing has used that database yet; it reports whether it did.
func fromTemplate(ctx context.Context, e Engine, services []string) (bool, error) {
	if !templatesOn() {
		return false, nil
	}
	pool.use.RLock()
	defer pool.use.RUnlock()
	if e.Name == db.SQLite {
		// One file per service: each is copied on its own.
		for _, s := range services {
			if ok, err := sqliteCopy(ctx, e, s); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	return pgCopy(ctx, e, services)
}

func entry(m *map[string]*template, service string) *template {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if *m == nil {
		*m = map[string]*template{}
	}
	tp := (*m)[service]
	if tp == nil {
		tp = &template{}
		(*m)[service] = tp
	}
	return tp
}

func sqliteCopy(ctx context.Context, e Engine, service string) (bool, error) {
	dst := filepath.Join(e.Config.DataDir, service+".db")
	for _, f := range []string{dst, dst + "-wal"} {
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
	}
	tp := entry(&pool.sqlite, service)
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if !tp.made {
		pool.mu.Lock()
		if pool.dir == "" {
			dir, err := os.MkdirTemp("", "nrm-dbtest-")
			if err != nil {
				pool.mu.Unlock()
				return false, err
			}
			pool.dir = dir
		}
		dir := pool.dir
		pool.mu.Unlock()
		if err := db.Migrate(ctx, db.Config{DataDir: dir, RolePassword: password}, service); err != nil {
			return false, err
		}
		tp.name, tp.made = filepath.Join(dir, service+".db"), true
	}
	if err := os.MkdirAll(e.Config.DataDir, 0o700); err != nil {
		return false, err
	}
	// Closing the template's last connection checkpointed its log into
	// the main file; a log left behind is copied with it.
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(tp.name+suffix, dst+suffix); err != nil && !(suffix != "" && errors.Is(err, fs.ErrNotExist)) {
			return false, err
		}
	}
	return true, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func pgCopy(ctx context.Context, e Engine, services []string) (bool, error) {
	p := e.pg
	if p == nil {
		return false, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.fresh {
		return false, nil
	}
	p.fresh = false
	// The test may have used the URL itself (a migration of its own):
	// such a database is not replaced.
	if n, err := schemas(ctx, e.AdminURL); err != nil || n > 0 {
		return false, err
	}
	tp := entry(&pool.pg, strings.Join(services, ","))
	if err := tp.makePG(ctx, services); err != nil {
		return false, err
	}
	admin, err := sql.Open("postgres", baseURL())
	if err != nil {
		return false, err
	}
	defer admin.Close()
	// The empty database steps aside (renaming is cheap; dropping waits
	// for a checkpoint) and the copy takes its name, so the test's URL
	// and role names stay what they were.
	old := newName()
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+p.name+` RENAME TO `+old); err != nil {
		return false, err
	}
	dropLater(old, "")
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+p.name+` TEMPLATE `+tp.name); err != nil {
		return false, fmt.Errorf("copy %s: %w", tp.name, err)
	}
	if err := asyncCommits(ctx, admin, p.name); err != nil {
		return false, err
	}
	if err := adoptRoles(ctx, e, tp, services); err != nil {
		return false, err
	}
	// Migrate creates the copy's own roles and grants them what a
	// migration grants; its schemas are current, so nothing else runs.
	return true, db.Migrate(ctx, e.Config, services...)
}

// schemas counts the schemas other than PostgreSQL's own in the database.
func schemas(ctx context.Context, adminURL string) (int, error) {
	c, err := sql.Open("postgres", adminURL)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	var n int
	err = c.QueryRowContext(ctx, `SELECT count(*) FROM pg_namespace
		WHERE nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\_%'`).Scan(&n)
	return n, err
}

// makePG migrates the template database once.
func (tp *template) makePG(ctx context.Context, services []string) error {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.made {
		return nil
	}
	admin, err := sql.Open("postgres", baseURL())
	if err != nil {
		return err
	}
	defer admin.Close()
	name := newName()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	u := withDatabase(baseURL(), name)
	if err := db.Migrate(ctx, db.Config{URL: u, RolePassword: password}, services...); err != nil {
		_ = dropDatabase(name, u, true)
		return fmt.Errorf("migrate template: %w", err)
	}
	tp.name, tp.url, tp.made = name, u, true
	return nil
}

// adoptRoles hands the copy's objects from the template's roles (named
// after the template database, as roles are cluster-wide) to the copy's.
func adoptRoles(ctx context.Context, e Engine, tp *template, services []string) error {
	owner, err := db.RoleName(e.Config.URL, "owner")
	if err != nil {
		return err
	}
	oldOwner, _ := db.RoleName(tp.url, "owner")
	old := []string{oldOwner}
	for _, s := range services {
		r, _ := db.RoleName(tp.url, s)
		old = append(old, r)
	}
	c, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, s := range []string{
		`CREATE ROLE ` + owner + ` NOLOGIN`,
		`REASSIGN OWNED BY ` + oldOwner + ` TO ` + owner,
		// Revokes, in this database only, what the template's roles were granted.
		`DROP OWNED BY ` + strings.Join(old, ", "),
	} {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// dropDatabase drops a test's database and its roles, now or (under Run)
// in the background.
func dropDatabase(name, dbURL string, now bool) error {
	if !now && templatesOn() {
		dropLater(name, dbURL)
		return nil
	}
	return drop(name, dbURL)
}

func dropLater(name, dbURL string) {
	pool.mu.Lock()
	pool.pending++
	pool.mu.Unlock()
	go func() {
		pool.slots <- struct{}{}
		err := drop(name, dbURL)
		<-pool.slots
		if err != nil {
			fmt.Fprintln(os.Stderr, "dbtest:", err)
		}
		pool.mu.Lock()
		pool.pending--
		pool.done.Broadcast()
		pool.mu.Unlock()
	}()
}

func drop(name, dbURL string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := sql.Open("postgres", baseURL())
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	if dbURL == "" {
		return nil
	}
	if err := db.DropRoles(ctx, baseURL(), dbURL, Services...); err != nil {
		return fmt.Errorf("drop roles of %s: %w", name, err)
	}
	return nil
}

// dropTemplates drops every template and waits for the background drops:
// at the end of the package, and when a test fails (it may be panicking,
// and a panic ends the process before Run could clean up). Templates are
// made again when a later test needs them.
func dropTemplates() error {
	pool.use.Lock()
	defer pool.use.Unlock()
	pool.mu.Lock()
	pg, dir := pool.pg, pool.dir
	pool.pg, pool.sqlite, pool.dir = nil, nil, ""
	pool.mu.Unlock()
	var errs []string
	for _, tp := range pg {
		if tp.made {
			if err := drop(tp.name, tp.url); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	if dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, err.Error())
		}
	}
	pool.mu.Lock()
	for pool.pending > 0 {
		pool.done.Wait()
	}
	pool.mu.Unlock()
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
