package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// attachmentsCmd is `rapport attachments copy`: it copies into the
// database the files that versions before the shared store kept in the
// attachments folder, so that every node serves them. Until it has run,
// the node that has the folder still serves them from there.
func attachmentsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "copy" {
		fmt.Fprintln(stderr, "usage: rapport attachments copy --db DB --attachments-dir DIR")
		return errors.New("attachments: want copy")
	}
	var dir string
	cfg, _, err := config.DBFromArgs("attachments copy", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&dir, "attachments-dir", "attachments", "the folder where earlier versions kept attachments")
	})
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
	copied, missing, err := attachment.New(db, attachment.Dir{Path: dir}, jobs.SystemClock{}).CopyLegacy(ctx)
	fmt.Fprintf(stdout, "%d files copied into the database, %d not found in %s\n", copied, missing, dir)
	return err
}
