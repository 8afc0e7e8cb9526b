package config

import (
	"fmt"
	"net/url"
	"strings"
)

// IMAPAccount is one mailbox the IMAP poller fetches, as written in
// --imap: imaps://USER:PASSWORD@HOST[:PORT]/FOLDER?after=seen|move:FOLDER
// (imap+starttls:// for STARTTLS, imap:// for none, on local servers only).
type IMAPAccount struct {
	URL      string // redacted, for messages
	TLS      string // "tls", "starttls" or "plain"
	Addr     string // host or host:port
	Username string
	Password string
	Folder   string
	After    string
}

// IMAPAccounts parses --imap: accounts separated by spaces. Errors name the
// account with its password hidden.
func (c Config) IMAPAccounts() ([]IMAPAccount, error) {
	var out []IMAPAccount
	for _, raw := range strings.Fields(c.IMAP) {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("--imap: an account is not a URL like imaps://user:password@imap.example.com/INBOX")
		}
		a := IMAPAccount{URL: u.Redacted(), Addr: u.Host, Folder: strings.TrimPrefix(u.Path, "/"), After: u.Query().Get("after")}
		switch u.Scheme {
		case "imaps":
			a.TLS = "tls"
		case "imap+starttls":
			a.TLS = "starttls"
		case "imap":
			a.TLS = "plain"
		default:
			return nil, fmt.Errorf("--imap %s: the scheme must be imaps, imap+starttls or imap", a.URL)
		}
		if u.User == nil || u.User.Username() == "" {
			return nil, fmt.Errorf("--imap %s: give the user name (and password) before the host", a.URL)
		}
		a.Username = u.User.Username()
		a.Password, _ = u.User.Password()
		if u.Host == "" {
			return nil, fmt.Errorf("--imap %s: no host", a.URL)
		}
		if a.After != "" && a.After != "seen" && !strings.HasPrefix(a.After, "move:") {
			return nil, fmt.Errorf("--imap %s: after must be seen or move:FOLDER", a.URL)
		}
		out = append(out, a)
	}
	return out, nil
}
