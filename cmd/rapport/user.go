package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx = cliContext(ctx)
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd") {
		fmt.Fprintln(stderr, "usage: rapport user add --email EMAIL --name NAME [--role agent|manager|admin] [--languages en,it]\n       rapport user passwd --email EMAIL\nThe password comes from RAPPORT_PASSWORD or a prompt.")
		return errors.New("user: want add or passwd")
	}
	var email, name, role, languages, locale string
	cfg, _, err := config.DBFromArgs("user "+args[0], args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the agent's email address (required)")
		if args[0] == "add" {
			fs.StringVar(&name, "name", "", "the agent's full name (required)")
			fs.StringVar(&role, "role", "agent", "agent, manager or admin")
			fs.StringVar(&languages, "languages", "en", "comma-separated languages the agent speaks with customers")
			fs.StringVar(&locale, "locale", "", "UI language (en, it, ru, lv, ca); empty for the browser's")
		}
	})
	if err != nil {
		return err
	}
	if email == "" {
		return errors.New("user: --email is required")
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
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
	if args[0] == "passwd" {
		a, err := agents.GetByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("user passwd %s: %w", email, err)
		}
		if err := agents.SetPassword(ctx, a.ID, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password changed for %s; their sessions have ended\n", a.Email)
		return nil
	}
	var langs []string
	for _, l := range strings.Split(languages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			langs = append(langs, l)
		}
	}
	a, err := agents.Create(ctx, agent.NewAgent{
		Email: email, Name: name, Role: agent.Role(role), Password: password, Locale: locale, Languages: langs,
	})
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(stdout, "added %s %s <%s> (id %d)\n", a.Role, a.Name, a.Email, a.ID)
	return nil
}

// readPassword takes RAPPORT_PASSWORD, else prompts twice on a terminal,
// else reads one line from stdin.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if p := os.Getenv("RAPPORT_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Repeat password: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords do not match")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", errors.New("no password: set RAPPORT_PASSWORD or type it at the prompt")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
