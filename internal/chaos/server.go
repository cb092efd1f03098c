package chaos

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// server is the nrm server under test, a child process restarted on the
// same data after every kill.
type server struct {
	bin  string
	args []string
	env  []string
	log  *os.File
	base string

	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

// start starts the server and waits until /readyz answers 200.
func (s *server) start(ctx context.Context) error {
	cmd := exec.Command(s.bin, s.args...)
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	// Its own process group: a ^C to the suite reaches the suite, which
	// kills the server itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("chaos: start nrm: %w", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	s.starts++
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(cmd, s.exited)
	return s.waitReady(ctx, 2*time.Minute)
}

func (s *server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("chaos: nrm exited during start (see %s)", s.log.Name())
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/readyz", nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("chaos: nrm not ready after %s (see %s)", limit, s.log.Name())
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
	s.cmd = nil
}

// stop asks the server to shut down (SIGTERM), killing it after a while.
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.exited
	}
	s.cmd = nil
}

// nrm runs a one-shot nrm command (migrate, audit verify) and returns its
// output and exit code.
func nrm(ctx context.Context, bin string, env []string, args ...string) (string, int, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode(), nil
	}
	return string(out), 0, err
}

// serveArgs are the flags of every start: the demo data, raised rate
// limits (the suite's clients are few and fast), loopback listeners.
func serveArgs(port int, storage []string, keys string) []string {
	return append([]string{"serve", "--demo",
		"--addr", "127.0.0.1:" + strconv.Itoa(port), "--metrics-addr", "127.0.0.1:0",
		"--keys", keys,
		"--rate-address", "100000", "--rate-user", "100000", "--rate-org", "100000",
		"--duplicate-checks-per-minute", "1000000",
		"--shutdown-timeout", "5s", "--purge-every", "0",
	}, storage...)
}

// mountTmpfs mounts a tmpfs of size bytes on dir when the suite runs as
// root and the kernel lets it; it reports whether it did.
func mountTmpfs(dir string, size int64) bool {
	if os.Geteuid() != 0 {
		return false
	}
	if err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.FormatInt(size, 10)+",mode=0700", "tmpfs", dir).Run(); err != nil {
		return false
	}
	return true
}

func unmount(dir string) { _ = exec.Command("umount", dir).Run() }

// fillDisk takes every free block of dir's file system with a ballast
// file, and returns a function that removes it.
func fillDisk(dir string) (func(), error) {
	path := filepath.Join(dir, "chaos-ballast")
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Most of it reserved at once (halving when the server took some in
	// between), then the rest by blocks until ENOSPC.
	var off int64
	for range 64 {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			break
		}
		free := int64(st.Bavail) * int64(st.Bsize)
		if free < 1<<20 {
			break
		}
		n := free - 1<<18
		for n >= 1<<20 && syscall.Fallocate(int(f.Fd()), 0, off, n) != nil {
			n /= 2
		}
		if n < 1<<20 {
			break
		}
		off += n
	}
	if _, err := f.Seek(off, 0); err != nil {
		return nil, err
	}
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			break
		}
	}
	return func() { _ = os.Remove(path) }, nil
}
