package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: rapport token create --user EMAIL [--name NAME]")
		return errors.New("token: want create")
	}
	var email, name string
	cfg, _, err := config.DBFromArgs("token create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "user", "", "email of the agent the token acts as (required)")
		fs.StringVar(&name, "name", "cli", "a label for the token")
	})
	if err != nil {
		return err
	}
	if email == "" {
		return errors.New("token create: --user is required")
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	agents := agent.New(db, jobs.SystemClock{})
	a, err := agents.GetByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("token create: %s: %w", email, err)
	}
	tok, err := agents.CreateToken(ctx, a.ID, name)
	if err != nil {
		return err
	}
	// The token goes to stdout alone so that scripts can capture it.
	fmt.Fprintln(stdout, tok)
	fmt.Fprintf(stderr, "API token for %s created; use it as: Authorization: Bearer TOKEN\n", a.Email)
	return nil
}
