// Command simulation drives the carecontact library in virtual time for
// researchers and service planners. See doc.go for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "simulation:", err)
		}
		os.Exit(2)
	}
}

const usage = `usage: simulation <command> [flags]

commands:
  erlang    validate the engine: one team of identical professionals through the
            routing dispatcher, against Erlang C (or Erlang A with -patience)
  run       run a scenario (shipped name or JSON file): KPIs as text, CSV or JSON,
            plots as SVG
  staff     search the rosters of a scenario for the smallest staffing that
            meets targets for same-day callbacks, service level and abandonment
  kainuu    callbacks from a pooled queue against callbacks routed to the client's
            own nurse (the shipped kainuu scenarios), next to the reported effect
  scenarios list the shipped scenarios

run "simulation <command> -h" for the flags of a command.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "erlang":
		return erlangCmd(ctx, args[1:], stdout, stderr)
	case "run":
		return runCmd(ctx, args[1:], stdout, stderr)
	case "staff":
		return staffCmd(ctx, args[1:], stdout, stderr)
	case "kainuu":
		return kainuuCmd(ctx, args[1:], stdout, stderr)
	case "scenarios":
		return scenariosCmd(stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
