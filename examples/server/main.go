// Command server is the reference host of the front door: a JSON API
// described by an OpenAPI 3.1 document, the professional's desk kept live
// over server-sent events and the client's callback and booking pages in
// Finnish, Swedish and English, over the memory store with a demo organisation of
// two Helsinki health stations (package demo).
//
//	go run ./examples/server            # http://127.0.0.1:8080
//	go run ./examples/server -addr 127.0.0.1:9000
//
// Sign in at /login as aino (password aino-demo), bertil, dora, ville or
// vera (password: the name and "-demo"); request a callback at
// /callback?lang=sv and book a time at /book?lang=sv. The HTTP layer is package web; this file only wires
// the parts, drives the door's timers and shuts down gracefully on
// SIGINT or SIGTERM. Logs are JSON lines on standard error without
// personal data.
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
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, log, nil); err != nil {
		log.Error("server stopped", slog.String("error", err.Error()))
		os.Exit(1)
	}
}

// handler is the HTTP handler over the demo: the demo passwords and the
// simulated strong identification of clients.
func handler(d *demo.Demo, hub *web.Hub, log *slog.Logger, clk carecontact.Clock) (*web.Handler, error) {
	passwords := web.Passwords{}
	for p, pw := range demo.Passwords {
		passwords[p] = pw
	}
	return web.New(web.Config{Door: d.Door, Booker: d.Booker, Staff: d.Staff, Auth: passwords, Audit: d.Audit,
		Hub: hub, Logger: log, Identify: web.SimulatedStrong{}, Clock: clk, Guide: d.Guide, Directory: d.Directory, Chat: d.Chat})
}

// run serves on addr until ctx is done, then shuts down within 10
// seconds. When started is not nil it receives the listening address.
func run(ctx context.Context, addr string, log *slog.Logger, started chan<- string) error {
	hub := web.NewHub()
	d, err := demo.Build(ctx, demo.Config{Clock: carecontact.SystemClock(), OnEvent: hub.Notify})
	if err != nil {
		return fmt.Errorf("demo organisation: %w", err)
	}
	h, err := handler(d, hub, log, carecontact.SystemClock())
	if err != nil {
		return err
	}
	driver, err := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{d.Door}, Logger: log})
	if err != nil {
		return err
	}
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
	log.Info("serving", slog.String("addr", ln.Addr().String()))
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
