// Command server is the reference host of the front door: a JSON API
// described by an OpenAPI 3.1 document, the professional's desk kept live
// over server-sent events, the guidance editor, Prometheus metrics and the
// client's chat, callback and booking pages in Finnish, Swedish and English,
// with a demo organisation of two Helsinki health stations (package demo)
// over the memory store, or over PostgreSQL as one of several replicas.
//
//	go run ./examples/server            # http://127.0.0.1:8080
//	go run ./examples/server -addr 127.0.0.1:9000
//	go run ./examples/server -dsn 'host=/run/postgresql dbname=carecontact'
//
// Sign in at /login as aino (password aino-demo), bertil, dora, ville,
// vera or hanna (password: the name and "-demo"); edit guidance at
// /guidance; chat at /chat?lang=fi (with channel advice for the errand);
// request a callback at /callback?lang=sv and book a time at
// /book?lang=sv; scrape /metrics. The HTTP layer is package web; this file
// only wires the parts, drives the door's timers (and, on PostgreSQL, the
// leader lease) and shuts down gracefully on SIGINT or SIGTERM. Logs are
// JSON lines on standard error without personal data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/examples/server/demo"
	"github.com/carecontact/carecontact/examples/server/web"
	"github.com/carecontact/carecontact/storage/postgres"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dsn := flag.String("dsn", os.Getenv("CARECONTACT_DSN"), "PostgreSQL connection string (default $CARECONTACT_DSN); empty runs on the memory store")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, options{addr: *addr, dsn: *dsn, log: log}); err != nil {
		log.Error("server stopped", slog.String("error", err.Error()))
		os.Exit(1)
	}
}

// options are run's settings.
type options struct {
	// addr is the address to listen on.
	addr string
	// dsn names the PostgreSQL database; empty for the memory store.
	dsn string
	log *slog.Logger
	// started, when not nil, receives the listening address.
	started chan<- string
	// clock, when not nil, replaces the system clock (tests).
	clock carecontact.Clock
}

// handler is the HTTP handler over the demo: the demo passwords and the
// simulated strong identification of clients.
func handler(d *demo.Demo, hub *web.Hub, log *slog.Logger, clk carecontact.Clock, ready func(context.Context) error) (*web.Handler, error) {
	passwords := web.Passwords{}
	for p, pw := range demo.Passwords {
		passwords[p] = pw
	}
	return web.New(web.Config{Door: d.Door, Booker: d.Booker, Staff: d.Staff, Auth: passwords, Audit: d.Audit,
		Hub: hub, Logger: log, Identify: web.SimulatedStrong{}, Clock: clk, Guide: d.Guide, Directory: d.Directory, Chat: d.Chat,
		Ready: ready})
}

// run serves on o.addr until ctx is done, then shuts down within 10
// seconds. With o.dsn it runs on PostgreSQL (migrating the schema first)
// as one replica of the door: the replicas elect a leader through a lease
// in the database, driven before the door.
func run(ctx context.Context, o options) error {
	log, clk := o.log, carecontact.SystemClock()
	if o.clock != nil {
		clk = o.clock
	}
	hub := web.NewHub()
	cfg := demo.Config{Clock: clk, OnEvent: hub.Notify}
	parts := []carecontact.Driven{}
	var ready func(context.Context) error
	if o.dsn != "" {
		db, err := postgres.Open(ctx, o.dsn)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		lease, err := db.Lease(postgres.LeaseConfig{Clock: clk})
		if err != nil {
			return err
		}
		defer func() { _ = lease.Release(context.WithoutCancel(ctx)) }()
		cfg.Postgres, cfg.Leader = db, lease
		parts = append(parts, lease)
		ready = db.Ping
	}
	d, err := demo.Build(ctx, cfg)
	if err != nil {
		return fmt.Errorf("demo organisation: %w", err)
	}
	h, err := handler(d, hub, log, clk, ready)
	if err != nil {
		return err
	}
	driver, err := carecontact.NewDriver(carecontact.DriverConfig{Parts: append(parts, d.Door), Logger: log})
	if err != nil {
		return err
	}
	addr, started := o.addr, o.started
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	driveCtx, stopDriving := context.WithCancel(ctx)
	defer stopDriving()
	go func() { _ = driver.Run(driveCtx) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("serving", slog.String("addr", ln.Addr().String()), slog.Bool("postgres", o.dsn != ""))
	if started != nil {
		started <- ln.Addr().String()
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.RegisterOnShutdown(stopDriving)
	srv.RegisterOnShutdown(h.CloseStreams)
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
