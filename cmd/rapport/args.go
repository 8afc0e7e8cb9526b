package main

import (
	"flag"
	"io"

	"github.com/rapport/rapport/internal/config"
)

// dbArgs is config.DBFromArgs for a command that takes words besides its
// flags (an ID, a folder), before or after them: "sso update 2 --jit"
// and "sso update --jit 2" read the same. The flag package stops at the
// first word, so the flags after it are found first and the whole line
// parsed again, flags first, for the settings to hold every one of them.
func dbArgs(name string, args []string, out io.Writer, extra func(fs *flag.FlagSet)) (config.Config, *flag.FlagSet, []string, error) {
	cfg, fs, err := config.DBFromArgs(name, args, out, extra)
	if err != nil || fs.NArg() == 0 {
		return cfg, fs, nil, err
	}
	flags := append([]string{}, args[:len(args)-fs.NArg()]...)
	var words []string
	for fs.NArg() > 0 {
		words = append(words, fs.Arg(0))
		rest := fs.Args()[1:]
		if err := fs.Parse(rest); err != nil {
			return cfg, fs, nil, err
		}
		flags = append(flags, rest[:len(rest)-fs.NArg()]...)
	}
	cfg, fs, err = config.DBFromArgs(name, append(flags, "--"), io.Discard, extra)
	return cfg, fs, words, err
}
