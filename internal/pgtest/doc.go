// Package pgtest starts a throwaway PostgreSQL server for tests outside
// storage/postgres (whose own tests keep theirs): initdb and pg_ctl into
// a fresh temporary directory, listening only on a unix socket there,
// with databases made by createdb. It runs the server's own programs and
// imports no driver. The binaries are looked up in CARECONTACT_PG_BIN,
// then next to pg_ctl on PATH, then under /usr/lib/postgresql/*/bin
// (Debian's layout). As root the server runs as the "postgres" user (or
// "nobody"), because initdb and postgres refuse to run as root. A test
// that cannot get a server fails with the reason: it never skips.
package pgtest
