package pgcluster

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoPostgres is returned when no initdb can be found.
var ErrNoPostgres = errors.New("pgcluster: initdb not found (install postgresql)")

// Options shape a cluster. The zero value is a cluster on a free port.
type Options struct {
	// Port to listen on (127.0.0.1 only); 0 picks a free one.
	Port int
	// Settings are written to postgresql.conf (name = value, quoted as given).
	Settings map[string]string
	// User runs the server when the caller is root (default "postgres").
	User string
}

// Cluster is a running private cluster.
type Cluster struct {
	Dir       string // root of everything: data, socket and log below it
	DataDir   string
	SocketDir string
	Port      int
	LogFile   string

	bin   string
	runAs string // "" when the caller is not root

	mu      sync.Mutex
	stopped bool
}

// Find returns the directory holding initdb, pg_ctl and postgres.
func Find() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// The newest version first: "9" sorts after "16" as text, so by number.
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// Start creates and starts a cluster. The caller must Stop it (Stop also
// removes its directory); on error nothing is left behind.
func Start(ctx context.Context, o Options) (c *Cluster, err error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "nrm-pgcluster-")
	if err != nil {
		return nil, err
	}
	c = &Cluster{
		Dir: dir, DataDir: filepath.Join(dir, "data"), SocketDir: filepath.Join(dir, "sock"),
		LogFile: filepath.Join(dir, "postgres.log"), bin: bin, Port: o.Port,
	}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()
	if err := os.Mkdir(c.SocketDir, 0o700); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		c.runAs = o.User
		if c.runAs == "" {
			c.runAs = "postgres"
		}
		if err := c.chown(); err != nil {
			return nil, err
		}
	}
	if c.Port == 0 {
		if c.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if out, err := c.run(ctx, "initdb", "-D", c.DataDir, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("pgcluster: initdb: %w: %s", err, out)
	}
	conf := []string{
		"listen_addresses = '127.0.0.1'",
		"port = " + strconv.Itoa(c.Port),
		"unix_socket_directories = '" + c.SocketDir + "'",
		"fsync = on",
	}
	names := make([]string, 0, len(o.Settings))
	for k := range o.Settings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		conf = append(conf, k+" = "+o.Settings[k])
	}
	f, err := os.OpenFile(filepath.Join(c.DataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, werr := f.WriteString("\n# pgcluster\n" + strings.Join(conf, "\n") + "\n")
	if err := errors.Join(werr, f.Close()); err != nil {
		return nil, err
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// URL returns a connection URL for dbname as the superuser postgres.
func (c *Cluster) URL(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, dbname)
}

func (c *Cluster) start(ctx context.Context) error {
	if out, err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", c.DataDir, "-l", c.LogFile); err != nil {
		return fmt.Errorf("pgcluster: start: %w: %s%s", err, out, c.logTail())
	}
	return nil
}

// Restart stops the server in the given mode (smart, fast or immediate:
// immediate is a crash, recovered from the WAL on start) and starts it.
func (c *Cluster) Restart(ctx context.Context, mode string) error {
	if out, err := c.run(ctx, "pg_ctl", "restart", "-w", "-t", "60", "-m", mode, "-D", c.DataDir, "-l", c.LogFile); err != nil {
		return fmt.Errorf("pgcluster: restart: %w: %s%s", err, out, c.logTail())
	}
	return nil
}

// StopServer stops the server (mode as for Restart) and leaves its files.
func (c *Cluster) StopServer(ctx context.Context, mode string) error {
	if out, err := c.run(ctx, "pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", c.DataDir); err != nil {
		return fmt.Errorf("pgcluster: stop: %w: %s", err, out)
	}
	return nil
}

// StartServer starts a server stopped by StopServer.
func (c *Cluster) StartServer(ctx context.Context) error { return c.start(ctx) }

// Running reports whether the server answers pg_ctl status.
func (c *Cluster) Running(ctx context.Context) bool {
	_, err := c.run(ctx, "pg_ctl", "status", "-D", c.DataDir)
	return err == nil
}

// Psql runs one SQL command on dbname as the superuser.
func (c *Cluster) Psql(ctx context.Context, dbname, sql string) (string, error) {
	out, err := c.run(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", c.SocketDir, "-p", strconv.Itoa(c.Port),
		"-U", "postgres", "-d", dbname, "-At", "-c", sql)
	if err != nil {
		return out, fmt.Errorf("pgcluster: psql: %w: %s", err, out)
	}
	return strings.TrimSpace(out), nil
}

// Stop stops the server at once and removes the cluster's directory. It
// may be called more than once, and after a failed Start.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true
	var err error
	if _, statErr := os.Stat(filepath.Join(c.DataDir, "postmaster.pid")); statErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if out, e := c.run(ctx, "pg_ctl", "stop", "-w", "-m", "immediate", "-D", c.DataDir); e != nil {
			err = fmt.Errorf("pgcluster: stop: %w: %s", e, out)
		}
	}
	return errors.Join(err, os.RemoveAll(c.Dir))
}

// run runs a PostgreSQL program, as the cluster's user when root.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) (string, error) {
	path := filepath.Join(c.bin, prog)
	if _, err := os.Stat(path); err != nil {
		if p, lerr := exec.LookPath(prog); lerr == nil {
			path = p
		}
	}
	var cmd *exec.Cmd
	if c.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
		if _, err := exec.LookPath("runuser"); err != nil {
			cmd = exec.CommandContext(ctx, "su", c.runAs, "-s", "/bin/sh", "-c", shellJoin(append([]string{path}, args...)))
		}
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	// pg_ctl start sends the server's output to the log file (-l), so
	// the server does not hold the pipe read here open.
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// chown gives the cluster's directory to its user (root callers only).
func (c *Cluster) chown() error {
	u, err := user.Lookup(c.runAs)
	if err != nil {
		return fmt.Errorf("pgcluster: user %s: %w", c.runAs, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(c.Dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	})
}

func (c *Cluster) logTail() string {
	b, err := os.ReadFile(c.LogFile)
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n" + string(b)
}

// FreePort returns a TCP port free on 127.0.0.1 at the time of asking,
// below the kernel's ephemeral range (32768 and up on Linux): a server
// restarted on it must not find it taken by another process's outgoing
// connection or port-0 listener in the meantime.
func FreePort() (int, error) {
	for range 100 {
		p := 20000 + mrand.IntN(12000)
		if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
			ln.Close()
			return p, nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
