package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

const tokenUsage = `usage: rapport token create --user EMAIL [--name NAME] [--scopes read,write] [--days N]
       rapport token list [--user EMAIL]
       rapport token revoke ID`

// tokenCmd makes, lists and revokes API tokens. What it does is recorded
// in the audit log as done by the system from the command line.
func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list" && args[0] != "revoke") {
		fmt.Fprintln(stderr, tokenUsage)
		return errors.New("token: want create, list or revoke")
	}
	var email, name, scopes string
	var days int
	cfg, fs, err := config.DBFromArgs("token "+args[0], args[1:], stderr, func(fs *flag.FlagSet) {
		switch args[0] {
		case "create":
			fs.StringVar(&email, "user", "", "email of the agent the token acts as (required)")
			fs.StringVar(&name, "name", "cli", "a label for the token")
			fs.StringVar(&scopes, "scopes", "", "comma-separated scopes: read, write, admin (admins only); default all the agent's role allows")
			fs.IntVar(&days, "days", 0, "days the token works; 0 until revoked")
		case "list":
			fs.StringVar(&email, "user", "", "only this agent's tokens; empty for everyone's")
		}
	})
	if err != nil {
		return err
	}
	ctx = cliContext(ctx)
	open := func() (*store.DB, *agent.Service, error) {
		db, err := store.Open(ctx, cfg.DB)
		if err != nil {
			return nil, nil, err
		}
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, nil, err
		}
		return db, agent.New(db, jobs.SystemClock{}), nil
	}
	switch args[0] {
	case "create":
		if email == "" {
			return errors.New("token create: --user is required")
		}
		if days < 0 {
			return errors.New("token create: --days must be 0 or more")
		}
		db, agents, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		a, err := agents.GetByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("token create: %s: %w", email, err)
		}
		n := agent.NewToken{Name: name, Scopes: a.Role.AllowedScopes()}
		if scopes != "" {
			if n.Scopes, err = agent.ParseScopes(scopes); err != nil {
				return fmt.Errorf("token create: --scopes: %w", err)
			}
		}
		if days > 0 {
			n.ExpiresAt = time.Now().UTC().AddDate(0, 0, days)
		}
		tok, t, err := agents.MakeToken(ctx, a.ID, n)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		// The token goes to stdout alone so that scripts can capture it.
		fmt.Fprintln(stdout, tok)
		fmt.Fprintf(stderr, "API token %d for %s created (scopes %s); use it as: Authorization: Bearer TOKEN\n",
			t.ID, a.Email, scopeList(t.Scopes))
		return nil
	case "list":
		db, agents, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		var agentID int64
		if email != "" {
			a, err := agents.GetByEmail(ctx, email)
			if err != nil {
				return fmt.Errorf("token list: %s: %w", email, err)
			}
			agentID = a.ID
		}
		ts, err := agents.Tokens(ctx, agentID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAGENT\tNAME\tSCOPES\tCREATED\tEXPIRES\tLAST USED\tFROM\tSTATE")
		now := time.Now()
		for _, t := range ts {
			state := "live"
			switch {
			case t.RevokedReason != "":
				state = "revoked (" + t.RevokedReason + ")"
			case !t.Live(now):
				state = "expired"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.AgentName, t.Name, scopeList(t.Scopes),
				day(t.CreatedAt), day(t.ExpiresAt), day(t.LastUsedAt), dash(t.LastUsedAddr), state)
		}
		return tw.Flush()
	default: // revoke
		if fs.NArg() != 1 {
			return errors.New("token revoke: want the token's ID (see rapport token list)")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("token revoke: %q is not a token ID", fs.Arg(0))
		}
		db, agents, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		t, err := agents.RevokeToken(ctx, id)
		if err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		fmt.Fprintf(stdout, "token %d (%s, of %s) revoked\n", t.ID, t.Name, t.AgentName)
		return nil
	}
}

func scopeList(sc []agent.Scope) string {
	parts := make([]string, len(sc))
	for i, s := range sc {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// day is t's UTC day and time for the token list, "-" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
