package postgres_test

// The throwaway PostgreSQL server the tests of this package run against.
//
// TestMain starts one server per test binary (initdb + pg_ctl into a fresh
// temporary directory, listening only on a unix socket there), unless
// CARECONTACT_PG_DSN names an existing server to use instead. Each test gets
// its own freshly created database (newDatabase), so tests stay isolated.
// The server binaries are looked up in CARECONTACT_PG_BIN, then next to
// pg_ctl on PATH, then under /usr/lib/postgresql/*/bin (Debian's layout).
// When no server can be started the whole package FAILS with the reason: it
// never skips. As root, the server runs as the "postgres" user (or "nobody"),
// because initdb and postgres refuse to run as root.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/pgtest"
	"github.com/carecontact/carecontact/storage/postgres"
)

// server is the database server the package's tests use.
type server struct {
	// adminDSN connects to the maintenance database as a superuser (or a
	// role allowed to create databases).
	adminDSN string
	// dsnFor returns the DSN of database name on this server.
	dsnFor func(name string) string
	// dir, bin and cred are set when the tests started the server
	// themselves, so they can also restart it.
	dir, bin string
	cred     *syscall.Credential
}

var (
	srv     *server
	dbCount atomic.Int64
)

func TestMain(m *testing.M) {
	s, stop, err := startServer()
	if err != nil {
		fmt.Fprintf(os.Stderr, "storage/postgres tests need a PostgreSQL server and could not get one: %v\n"+
			"Install PostgreSQL (Debian: apt-get install postgresql) or set CARECONTACT_PG_BIN to its bin directory, "+
			"or set CARECONTACT_PG_DSN to a server where this role may create databases.\n", err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	stop()
	os.Exit(code)
}

func startServer() (*server, func(), error) {
	if dsn := os.Getenv("CARECONTACT_PG_DSN"); dsn != "" {
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return nil, nil, fmt.Errorf("CARECONTACT_PG_DSN: %w", err)
		}
		s := &server{adminDSN: dsn, dsnFor: func(name string) string { return withDatabase(dsn, name) }}
		return s, func() {}, nil
	}
	bin, err := pgtest.FindBin()
	if err != nil {
		return nil, nil, err
	}
	// A short path: the unix socket path must fit in 107 bytes. As root the
	// server runs as another user, who may not reach a private TMPDIR.
	parent := ""
	if os.Geteuid() == 0 {
		parent = "/tmp"
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		if cred, err = pgtest.Unprivileged(); err != nil {
			return nil, nil, err
		}
	}
	reapStale(bin, parent, cred)
	dir, err := os.MkdirTemp(parent, "ccpg")
	if err != nil {
		return nil, nil, err
	}
	s := &server{dir: dir, bin: bin, cred: cred}
	cleanup := func() { _ = os.RemoveAll(dir) }
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		cleanup()
		return nil, nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	out, err := s.run("initdb", "-D", s.dataDir(), "-U", "ccadmin", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync")
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	conf := strings.Join([]string{
		"listen_addresses = ''",
		"unix_socket_directories = '" + dir + "'",
		"fsync = off", "synchronous_commit = off", "full_page_writes = off",
		"max_connections = 300", "shared_buffers = 32MB",
		// Containers often have a small /dev/shm: keep dynamic shared
		// memory in the data directory and run no parallel queries.
		"dynamic_shared_memory_type = mmap", "max_parallel_workers_per_gather = 0",
		"log_min_messages = fatal", "logging_collector = off",
	}, "\n") + "\n"
	f, err := os.OpenFile(filepath.Join(s.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if err := s.start(); err != nil {
		cleanup()
		return nil, nil, err
	}
	s.adminDSN = s.dsnForDB("postgres")
	s.dsnFor = s.dsnForDB
	stop := func() {
		_, _ = s.run("pg_ctl", "-D", s.dataDir(), "-m", "immediate", "-w", "stop")
		cleanup()
	}
	return s, stop, nil
}

// withDatabase returns dsn (a URL or key=value connection string) naming
// database name instead.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path = "/" + name
			return u.String()
		}
	}
	return dsn + " dbname=" + name // a later key overrides an earlier one
}

// reapStale stops the servers that earlier runs of these tests started
// and could not stop (a test binary that panicked or was killed): those
// whose directory's owner.pid names a process that no longer exists.
func reapStale(bin, parent string, cred *syscall.Credential) {
	if parent == "" {
		parent = os.TempDir()
	}
	dirs, _ := filepath.Glob(filepath.Join(parent, "ccpg*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue
		}
		stale := &server{dir: d, bin: bin, cred: cred}
		_, _ = stale.run("pg_ctl", "-D", stale.dataDir(), "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(d)
	}
}

func (s *server) dataDir() string { return filepath.Join(s.dir, "data") }

func (s *server) dsnForDB(name string) string {
	return fmt.Sprintf("host=%s user=ccadmin dbname=%s sslmode=disable", s.dir, name)
}

func (s *server) start() error {
	out, err := s.run("pg_ctl", "-D", s.dataDir(), "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	return nil
}

// restart stops the server (fast: connections are closed, committed work is
// kept) and starts it again. Only for servers the tests started.
func (s *server) restart() error {
	if s.bin == "" {
		return errors.New("restart: the server was not started by the tests")
	}
	if out, err := s.run("pg_ctl", "-D", s.dataDir(), "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return s.start()
}

func (s *server) run(prog string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, prog), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}

// createDatabase creates a fresh, empty database and returns its DSN and a
// function that drops it.
func createDatabase() (dsn string, drop func() error, err error) {
	ctx := context.Background()
	name := fmt.Sprintf("cc_test_%d_%d", os.Getpid(), dbCount.Add(1))
	admin, err := pgx.Connect(ctx, srv.adminDSN)
	if err != nil {
		return "", nil, fmt.Errorf("connect to the test server: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	drop = func() error {
		admin, err := pgx.Connect(ctx, srv.adminDSN)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return srv.dsnFor(name), drop, nil
}

// newDatabase creates a fresh, empty database for t and drops it when t
// ends; it returns the database's DSN.
func newDatabase(t testing.TB) string {
	t.Helper()
	dsn, drop, err := createDatabase()
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return dsn
}

// openDBs opens n DB values over one fresh database, each on its own pool of
// at most maxConns connections, and migrates the schema through all of them
// at once (as replicas starting together would).
func openDBs(t testing.TB, n, maxConns int) []*postgres.DB {
	t.Helper()
	dsn := newDatabase(t)
	ctx := context.Background()
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		cfg, err := pgxpool.ParseConfig(dsn)
		require.NoError(t, err)
		cfg.MaxConns = int32(maxConns)
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		dbs[i] = postgres.New(pool, postgres.WithRetryPolicy(postgres.RetryPolicy{
			MaxAttempts: 200, BaseDelay: 2 * time.Millisecond, MaxDelay: 100 * time.Millisecond,
		}))
	}
	errs := make(chan error, n)
	for _, db := range dbs {
		go func() {
			_, err := db.Migrate(ctx)
			errs <- err
		}()
	}
	for range dbs {
		require.NoError(t, <-errs)
	}
	return dbs
}

// dsnOf returns the DSN the DB's pool was opened with.
func dsnOf(db *postgres.DB) string { return db.Pool().Config().ConnString() }
