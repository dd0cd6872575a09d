package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Server is a running throwaway PostgreSQL server.
type Server struct {
	dir, bin string
	cred     *syscall.Credential
	n        atomic.Int64
}

// Start initialises and starts a server in a new temporary directory.
// Stop it with Stop.
func Start(ctx context.Context) (*Server, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	// A short path: the unix socket path must fit in 107 bytes. As root
	// the server runs as another user, who may not reach a private TMPDIR.
	parent := ""
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		parent = "/tmp"
		if s.cred, err = Unprivileged(); err != nil {
			return nil, err
		}
	}
	if s.dir, err = os.MkdirTemp(parent, "ccpgt"); err != nil {
		return nil, err
	}
	if s.cred != nil {
		if err := os.Chown(s.dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			s.remove()
			return nil, err
		}
	}
	if out, err := s.run(ctx, "initdb", "-D", s.data(), "-U", "ccadmin", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"); err != nil {
		s.remove()
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	conf := strings.Join([]string{"listen_addresses = ''", "unix_socket_directories = '" + s.dir + "'",
		"fsync = off", "synchronous_commit = off", "full_page_writes = off", "max_connections = 100", "shared_buffers = 16MB",
		"dynamic_shared_memory_type = mmap", "max_parallel_workers_per_gather = 0", "log_min_messages = fatal"}, "\n") + "\n"
	f, err := os.OpenFile(filepath.Join(s.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		s.remove()
		return nil, err
	}
	if out, err := s.run(ctx, "pg_ctl", "-D", s.data(), "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		s.remove()
		return nil, fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	return s, nil
}

// Stop stops the server at once and removes its directory.
func (s *Server) Stop() {
	_, _ = s.run(context.Background(), "pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
	s.remove()
}

// CreateDatabase creates a fresh, empty database and returns its DSN.
func (s *Server) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("cc_%d_%d", os.Getpid(), s.n.Add(1))
	if out, err := s.run(ctx, "createdb", "-h", s.dir, "-U", "ccadmin", name); err != nil {
		return "", fmt.Errorf("createdb: %w\n%s", err, out)
	}
	return fmt.Sprintf("host=%s user=ccadmin dbname=%s sslmode=disable", s.dir, name), nil
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) remove() { _ = os.RemoveAll(s.dir) }

func (s *Server) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, prog), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}

// FindBin finds the directory holding initdb, pg_ctl, postgres and
// createdb: CARECONTACT_PG_BIN, else pg_ctl on PATH, else the newest
// /usr/lib/postgresql/*/bin.
func FindBin() (string, error) {
	has := func(dir string) bool {
		for _, p := range []string{"initdb", "pg_ctl", "postgres", "createdb"} {
			if st, err := os.Stat(filepath.Join(dir, p)); err != nil || st.IsDir() {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv("CARECONTACT_PG_BIN"); dir != "" {
		if !has(dir) {
			return "", fmt.Errorf("CARECONTACT_PG_BIN=%s lacks initdb, pg_ctl, postgres or createdb", dir)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(d string) int { v, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return v }
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL found (looked at CARECONTACT_PG_BIN, PATH, /usr/lib/postgresql/*/bin): install it (Debian: apt-get install postgresql, or scripts/postgres-bin) or set CARECONTACT_PG_BIN")
}

// Unprivileged is whom a server runs as when the tests run as root: the
// postgres user, else nobody.
func Unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
		}
	}
	return nil, errors.New("running as root and neither user postgres nor nobody exists to run the server as")
}
