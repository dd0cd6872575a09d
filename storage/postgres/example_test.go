package postgres_test

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/storage/postgres"
)

func Example() {
	ctx := context.Background()
	// A host passes its own DSN; the example uses a fresh database on the
	// tests' throwaway server.
	dsn, drop, err := createDatabase()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = drop() }()

	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil { // every replica may call it at start-up
		fmt.Println(err)
		return
	}
	again, _ := db.Migrate(ctx)
	fmt.Println("second migrate applied", len(again), "migrations")

	log := db.AuditLog()
	err = log.Record(ctx, audit.Event{
		At:      time.Date(2026, 11, 23, 8, 15, 0, 0, time.UTC),
		Actor:   audit.Actor{Kind: audit.ActorProfessional, ID: "staff-17", Role: "nurse"},
		Action:  "session.read",
		Subject: "session/42",
		Client:  "client-9",
		Outcome: audit.Allowed,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	events, _ := log.Events(ctx, audit.Filter{Client: "client-9"})
	for _, e := range events {
		fmt.Println(e.At.Format(time.RFC3339), e.Actor, e.Action, e.Subject, e.Outcome)
	}
	// Output:
	// second migrate applied 0 migrations
	// 2026-11-23T08:15:00Z professional:staff-17 session.read session/42 allowed
}
