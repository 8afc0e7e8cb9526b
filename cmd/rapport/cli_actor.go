package main

import (
	"context"
	"os/user"

	"github.com/rapport/rapport/internal/audit"
)

// cliAddr is where the audit log says a command-line action came from:
// "cli", with the operating-system account that ran it when known, so
// that the log tells a command from a request of the web or the API.
func cliAddr() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli (os user " + u.Username + ")"
	}
	return "cli"
}

// cliContext is ctx carrying the command line as the audit log's actor:
// no agent (the system) from cliAddr.
func cliContext(ctx context.Context) context.Context {
	return audit.WithActor(ctx, audit.Actor{Addr: cliAddr()})
}
