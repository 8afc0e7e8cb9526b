package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/rapport/rapport/internal/chatbench"
	"github.com/rapport/rapport/internal/config"
)

const benchChatUsage = `usage: rapport bench chat --url URL [--agent-url URL] --token TOKEN [flags]

Measures live chat on running servers. Opens --conns visitors' widget
connections (WebSocket) to --url, each visitor from its own local address
in --sources, and holds them idle; reads the server's memory before and
after (resident memory from /proc with --pid; Go heap, stacks and
goroutines from its profiles with --pprof, the server's --pprof-addr).
Then agents answer --active of those chats through the API on --agent-url
(another node on the same PostgreSQL, or the same one), --replies each, at
--rate replies a second in all, and the time from each reply's request to
its arrival at the visitor is recorded: p50, p99, max. The token must be an
admin's (the benchmark makes a widget of its own). It fails when a request
failed, a reply did not arrive or arrived twice, or a connection was dropped.
`

// benchCmd runs "rapport bench chat".
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "seed" {
		return benchSeedCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "chat" {
		fmt.Fprint(stderr, benchChatUsage+"\n"+benchSeedUsage)
		return errors.New("bench: want chat or seed")
	}
	var o chatbench.Opts
	var sources string
	fs := flag.NewFlagSet("bench chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.VisitorURL, "url", "http://127.0.0.1:8080", "the base URL of the node the visitors connect to")
	fs.StringVar(&o.AgentURL, "agent-url", "", "the base URL of the node the agents reply on; empty for --url")
	fs.StringVar(&o.Token, "token", "", "an admin's API token (required)")
	fs.IntVar(&o.Conns, "conns", 1000, "visitors' connections held open")
	fs.IntVar(&o.Active, "active", 100, "of those, chats the agents answer")
	fs.IntVar(&o.Replies, "replies", 5, "replies to each active chat")
	fs.Float64Var(&o.Rate, "rate", 50, "replies a second, all chats together")
	fs.StringVar(&sources, "sources", "127.2.0.0/16", "the local addresses the visitors connect from, one each (on loopback any range of 127.0.0.0/8 works); empty lets the system choose")
	fs.IntVar(&o.PID, "pid", 0, "the visitors' node's process id, for its resident memory; 0 for none")
	fs.StringVar(&o.Pprof, "pprof", "", "the visitors' node's profiles, http://ADDR of its --pprof-addr, for its Go heap and goroutines; empty for none")
	fs.IntVar(&o.Dialers, "dialers", 32, "connections opened at once")
	fs.DurationVar(&o.Settle, "settle", 10*time.Second, "how long the connections stay idle before the memory is read")
	fs.DurationVar(&o.Wait, "wait", 30*time.Second, "how long a reply may take to arrive before it counts as lost")
	fs.Usage = func() {
		fmt.Fprint(stderr, benchChatUsage+"\nSettings (flag, environment variable, default):\n")
		config.PrintSettings(stderr, fs)
	}
	if err := config.Parse(fs, args[1:], os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("bench chat: unexpected argument %q", fs.Arg(0))
	}
	if o.Token == "" {
		return errors.New("bench chat: --token is required")
	}
	if o.Conns <= 0 || o.Active < 0 || o.Active > o.Conns || o.Replies < 0 || o.Rate <= 0 {
		return errors.New("bench chat: --conns must be positive, --active between 0 and --conns, --replies not negative and --rate positive")
	}
	if sources != "" {
		p, err := netip.ParsePrefix(sources)
		if err != nil || !p.Addr().Is4() {
			return fmt.Errorf("bench chat: --sources %q is not an IPv4 range like 127.2.0.0/16", sources)
		}
		o.Sources = p
	}
	o.Log = stderr
	rep, err := chatbench.Run(ctx, o)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	if n := rep.Errors(); n > 0 {
		return fmt.Errorf("bench chat: %d failed replies, %d lost, %d doubled, %d connections dropped", rep.Failed, rep.Lost, rep.Doubled, rep.Dropped)
	}
	return nil
}
