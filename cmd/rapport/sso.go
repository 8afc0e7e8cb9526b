package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

const ssoUsage = `usage: rapport sso list
       rapport sso add --name NAME --issuer URL --client-id ID [--client-secret-stdin] [flags]
       rapport sso update ID [flags: only those given change]
       rapport sso enable ID | disable ID | remove ID
The client secret comes from --client-secret, RAPPORT_CLIENT_SECRET or, with
--client-secret-stdin, the first line of the input; it is never printed.
Register <public URL>/login/sso/callback as the redirect URI at the provider.`

// roleRules is the repeatable --role-rule flag: one "claim value = role"
// each; an empty one stands for none (to clear the rules on update).
type roleRules []string

func (r *roleRules) String() string { return strings.Join(*r, "; ") }

func (r *roleRules) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// ssoFlags are the provider's settings as flags.
type ssoFlags struct {
	name, issuer, clientID, secret, scopes, roleClaim string
	rules                                             roleRules
	jit, active, secretStdin                          bool
	defaultRole, defaultTeam, domains                 string
}

// register adds the provider's flags to fs; add gives them their defaults.
func (f *ssoFlags) register(fs *flag.FlagSet) {
	f.rules = nil // registered anew when the line is parsed again (dbArgs)
	fs.StringVar(&f.name, "name", "", "the name on the login page: Sign in with NAME")
	fs.StringVar(&f.issuer, "issuer", "", "the provider's issuer URL (https://…), where /.well-known/openid-configuration is")
	fs.StringVar(&f.clientID, "client-id", "", "the client ID the provider gave Rapport")
	fs.StringVar(&f.secret, "client-secret", "", "the client secret (prefer the environment variable or --client-secret-stdin: flags show in the process list)")
	fs.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from the first line of the input")
	fs.StringVar(&f.scopes, "scopes", "openid email profile", "scopes to ask for, separated by spaces; openid is always asked")
	fs.StringVar(&f.roleClaim, "role-claim", "", "the ID token claim that sets the agent's role (groups, roles…); empty maps no role")
	fs.Var(&f.rules, "role-rule", "a role rule, \"claim value = agent|manager|admin\"; repeat for more; on update the given rules replace all (an empty one: none)")
	fs.BoolVar(&f.jit, "jit", false, "create an agent on the first sign-in of someone unknown")
	fs.StringVar(&f.defaultRole, "default-role", "agent", "the role of an agent created just in time when no rule matches")
	fs.StringVar(&f.defaultTeam, "default-team", "", "the team (name or ID) of an agent created just in time; empty for none")
	fs.StringVar(&f.domains, "allowed-domains", "", "email domains allowed to sign in, separated by commas; empty allows any")
	fs.BoolVar(&f.active, "active", true, "show the provider on the login page and accept its sign-ins")
}

// ssoCmd lists, adds, changes and removes the OpenID Connect providers
// agents sign in with, as the sign-in settings page does; every change is
// in the audit log, done by the command line.
func ssoCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "list", "add", "update", "enable", "disable", "remove":
	default:
		fmt.Fprintln(stderr, ssoUsage)
		return errors.New("sso: want list, add, update, enable, disable or remove")
	}
	var f ssoFlags
	cfg, fs, pos, err := dbArgs("sso "+sub, args[1:], stderr, func(fs *flag.FlagSet) {
		if sub == "add" || sub == "update" {
			f.register(fs)
		}
	})
	if err != nil {
		return err
	}
	ctx = cliContext(ctx)
	var id int64
	if sub != "list" && sub != "add" {
		if len(pos) != 1 {
			return fmt.Errorf("sso %s: want the provider's ID (see rapport sso list)", sub)
		}
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("sso %s: %q is not a provider ID", sub, pos[0])
		}
	} else if len(pos) != 0 {
		return fmt.Errorf("sso %s: unexpected %q", sub, pos[0])
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if f.secretStdin {
		if given["client-secret"] {
			return fmt.Errorf("sso %s: give the client secret by --client-secret or --client-secret-stdin, not both", sub)
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("sso %s: read the client secret: %w", sub, err)
		}
		f.secret = strings.TrimRight(line, "\r\n")
		if f.secret == "" {
			return fmt.Errorf("sso %s: the input held no client secret", sub)
		}
		given["client-secret"] = true
	}

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	clock := jobs.SystemClock{}
	agents := agent.New(db, clock)
	svc := sso.New(sso.Opts{DB: db, Agents: agents, Clock: clock})

	switch sub {
	case "list":
		return printProviders(ctx, svc, agents, stdout)
	case "remove":
		p, err := svc.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("sso remove: %w", err)
		}
		if err := svc.Delete(ctx, id); err != nil {
			return fmt.Errorf("sso remove: %w", err)
		}
		fmt.Fprintf(stdout, "provider %d (%s) removed; its agents keep their accounts and sign in another way\n", p.ID, p.Name)
		return nil
	}

	var in sso.Input
	if sub == "add" {
		in = sso.Input{Active: f.active}
	} else {
		old, err := svc.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("sso %s: %w", sub, err)
		}
		in = inputOf(old)
		switch sub {
		case "enable":
			in.Active = true
		case "disable":
			in.Active = false
		}
	}
	if sub == "add" || sub == "update" {
		if err := f.apply(ctx, &in, given, sub == "add", agents); err != nil {
			return fmt.Errorf("sso %s: %w", sub, err)
		}
	}
	var p sso.Provider
	if sub == "add" {
		p, err = svc.Create(ctx, in)
	} else {
		p, err = svc.Update(ctx, id, in)
	}
	if err != nil {
		return fmt.Errorf("sso %s: %w", sub, flagErrors(err))
	}
	state := "on"
	if !p.Active {
		state = "off"
	}
	verb := map[string]string{"add": "added", "update": "changed", "enable": "enabled", "disable": "disabled"}[sub]
	fmt.Fprintf(stdout, "provider %d (%s) %s: %s, client %s, secret %s, %s\n", p.ID, p.Name, verb, p.Issuer,
		p.ClientID, p.SecretMasked(), state)
	return nil
}

// inputOf is p as an Input that changes nothing (an empty secret keeps
// the stored one).
func inputOf(p sso.Provider) sso.Input {
	return sso.Input{Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, Scopes: strings.Join(p.Scopes, " "),
		RoleClaim: p.RoleClaim, Rules: sso.FormatRules(p.Rules), JIT: p.JIT, DefaultRole: string(p.DefaultRole),
		DefaultTeamID: p.DefaultTeamID, AllowedDomains: strings.Join(p.AllowedDomains, " "), Active: p.Active}
}

// apply writes the flags into in: every flag on add (with its default),
// only those given on update.
func (f *ssoFlags) apply(ctx context.Context, in *sso.Input, given map[string]bool, all bool, agents *agent.Service) error {
	set := func(name string) bool { return all || given[name] }
	if set("name") {
		in.Name = f.name
	}
	if set("issuer") {
		in.Issuer = f.issuer
	}
	if set("client-id") {
		in.ClientID = f.clientID
	}
	if given["client-secret"] {
		in.ClientSecret = f.secret
	}
	if set("scopes") {
		in.Scopes = f.scopes
	}
	if set("role-claim") {
		in.RoleClaim = f.roleClaim
	}
	if set("role-rule") {
		in.Rules = strings.Join(f.rules, "\n")
	}
	if set("jit") {
		in.JIT = f.jit
	}
	if set("default-role") {
		in.DefaultRole = f.defaultRole
	}
	if set("allowed-domains") {
		in.AllowedDomains = f.domains
	}
	if set("active") {
		in.Active = f.active
	}
	if set("default-team") {
		in.DefaultTeamID = 0
		if name := strings.TrimSpace(f.defaultTeam); name != "" {
			teams, err := agents.ListTeams(ctx)
			if err != nil {
				return err
			}
			for _, t := range teams {
				if strings.EqualFold(t.Name, name) || strconv.FormatInt(t.ID, 10) == name {
					in.DefaultTeamID = t.ID
				}
			}
			if in.DefaultTeamID == 0 {
				return fmt.Errorf("--default-team: no team %q", name)
			}
		}
	}
	return nil
}

// ssoFlagOf names the flag of a field of the provider's form.
var ssoFlagOf = map[string]string{"name": "--name", "issuer": "--issuer", "client_id": "--client-id",
	"client_secret": "--client-secret", "scopes": "--scopes", "role_claim": "--role-claim", "role_rules": "--role-rule",
	"default_role": "--default-role", "default_team_id": "--default-team", "allowed_domains": "--allowed-domains"}

// flagErrors says a provider's invalid fields by their flags.
func flagErrors(err error) error {
	var fields valid.Fields
	if !errors.As(err, &fields) {
		return err
	}
	out := valid.Errors{}
	for field, m := range fields {
		name := ssoFlagOf[field]
		if name == "" {
			name = field
		}
		out[name] = m.Text
	}
	return out
}

// printProviders writes the providers as a table; the secret masked.
func printProviders(ctx context.Context, svc *sso.Service, agents *agent.Service, stdout io.Writer) error {
	list, err := svc.List(ctx)
	if err != nil {
		return err
	}
	teams := map[int64]string{}
	if ts, err := agents.ListTeams(ctx); err == nil {
		for _, t := range ts {
			teams[t.ID] = t.Name
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tISSUER\tCLIENT ID\tSECRET\tSCOPES\tROLE CLAIM\tROLE RULES\tJIT\tDOMAINS\tSTATE")
	for _, p := range list {
		jit := "no"
		if p.JIT {
			jit = "yes, as " + string(p.DefaultRole)
			if name := teams[p.DefaultTeamID]; name != "" {
				jit += " in " + name
			}
		}
		rules := make([]string, len(p.Rules))
		for i, r := range p.Rules {
			rules[i] = r.Value + "=" + string(r.Role)
		}
		state := "on"
		if !p.Active {
			state = "off"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Issuer, p.ClientID,
			dash(p.SecretMasked()), strings.Join(p.Scopes, " "), dash(p.RoleClaim), dash(strings.Join(rules, "; ")), jit,
			dash(strings.Join(p.AllowedDomains, ",")), state)
	}
	if len(list) == 0 {
		fmt.Fprintln(tw, "(no provider: add one with rapport sso add)")
	}
	return tw.Flush()
}
