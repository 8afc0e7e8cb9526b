// Package config builds Rapport's typed configuration from command-line
// flags and RAPPORT_* environment variables; a flag given on the command
// line wins over the environment, which wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/clientaddr"
)

// Config is everything `rapport serve` (and `rapport demo`) can be told.
type Config struct {
	Addr            string        // HTTP listen address
	DB              string        // SQLite path, sqlite:PATH or postgres:// DSN
	LogLevel        string        // debug, info, warn, error
	LogFormat       string        // text or json
	SecureCookies   bool          // mark cookies Secure (behind HTTPS)
	AutoCloseDays   int           // days after which solved tickets close
	FollowUpDays    int           // days after solving that the customer is asked whether the fix held; 0 never
	Workers         int           // job workers in this process
	MaxBodyBytes    int64         // largest accepted request body
	LocalesDir      string        // folder of extra NAME.json catalogues
	ShutdownTimeout time.Duration // grace period on SIGTERM
	NotifyDelay     time.Duration // how long an agent's first notification waits for others before they are mailed together
	AuditRetention  time.Duration // how long audit log rows are kept; 0 keeps them forever

	// Email.
	SMTPAddr          string // inbound SMTP listen address; "" turns the listener off
	Mailboxes         string // comma-separated support addresses mail is accepted for
	BusinessName      string // the name customers see on mail
	MaxMessageBytes   int64  // largest inbound email accepted (552 above it)
	SMTPTLSCert       string // certificate file enabling STARTTLS on the listener
	SMTPTLSKey        string // its key file
	OutboxDir         string // where outgoing mail is written when no relay is set
	PublicURL         string // the address customers reach this server at, for links in mail; "" derives it from Addr
	AttachmentsDir    string // where earlier versions kept attachments (read for files not yet in the database)
	IMAP              string // IMAP accounts to fetch mail from, see IMAPAccounts
	SMTPRelay         string // host:port of the relay that sends outgoing mail
	SMTPRelayUser     string
	SMTPRelayPassword string // never logged

	// Job housekeeping.
	JobLease           time.Duration // how long a claimed job is held without a heartbeat
	JobRetention       time.Duration // how long done jobs are kept
	FailedJobRetention time.Duration // how long failed jobs are kept

	// Purchases.
	PurchaseHookSecret string // shared secret of the purchases webhook (HMAC-SHA256); "" turns the webhook off

	// Abuse (issue 17).
	TrustedProxies string // CIDR ranges of reverse proxies whose X-Forwarded-For / Forwarded is believed; "" none
	// Two-factor authentication (issue 17).
	Require2FARoles string // comma-separated roles (agent, manager, admin) that must use two-factor authentication
	// Nodes and bounded intake.
	SingleNode      bool  // the only process on its database: on PostgreSQL the outbox folder may stand in for a relay
	SMTPMaxSessions int   // concurrent inbound SMTP conversations; one more is answered 421
	SMTPMaxMemory   int64 // bytes of inbound messages held in memory at once; the rest wait on disk
	// Profiling (issue 14).
	PprofAddr string // loopback host:port serving Go's profiles (/debug/pprof/); "" serves none
	// Files in an S3-compatible bucket (issue 14); none set: in the database.
	S3Endpoint      string // host[:port] of the S3 API
	S3Bucket        string
	S3Region        string
	S3AccessKey     string
	S3SecretKey     string // never logged
	S3SecretKeyFile string // a file holding the secret key, instead of S3SecretKey
	S3TLS           bool   // https to the endpoint
	S3Prefix        string // folder of the objects in the bucket
}

// MailboxList returns the configured mailboxes, trimmed and lower-cased.
func (c Config) MailboxList() []string {
	var out []string
	for _, m := range strings.Split(c.Mailboxes, ",") {
		if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// PublicBaseURL is the base of links in mail to customers: PublicURL
// without a trailing slash, else http:// and the listen address (localhost
// for an address without a host).
func (c Config) PublicBaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	addr := c.Addr
	if strings.HasPrefix(addr, ":") || strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, "[::]:") {
		addr = "localhost" + addr[strings.LastIndexByte(addr, ':'):]
	}
	return "http://" + addr
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:            "localhost:8080",
		DB:              "rapport.db",
		LogLevel:        "info",
		LogFormat:       "text",
		AutoCloseDays:   4,
		FollowUpDays:    2,
		Workers:         4,
		MaxBodyBytes:    1 << 20,
		ShutdownTimeout: 15 * time.Second,
		NotifyDelay:     2 * time.Minute,
		AuditRetention:  400 * 24 * time.Hour,
		SMTPAddr:        "localhost:2525",
		Mailboxes:       "support@example.com",
		BusinessName:    "Support",
		MaxMessageBytes: 25 << 20,
		OutboxDir:       "outbox",
		AttachmentsDir:  "attachments",

		JobLease:           15 * time.Second,
		JobRetention:       7 * 24 * time.Hour,
		FailedJobRetention: 30 * 24 * time.Hour,
		SMTPMaxSessions:    100,
		SMTPMaxMemory:      128 << 20,
		S3Region:           "us-east-1",
		S3TLS:              true,
	}
}

// EnvName returns the environment variable for a flag: "auto-close-days"
// becomes RAPPORT_AUTO_CLOSE_DAYS.
func EnvName(flagName string) string {
	return "RAPPORT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Register defines on fs a flag for every setting of c, with c's current
// values as defaults: the settings of a server command.
func (c *Config) Register(fs *flag.FlagSet) {
	c.RegisterDB(fs)
	c.RegisterServer(fs)
}

// RegisterServer defines on fs every setting but --db: those of a server
// whose database is chosen for it, as the demo's is.
func (c *Config) RegisterServer(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP address to listen on (host:port)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark session cookies Secure (set when served over HTTPS)")
	fs.IntVar(&c.AutoCloseDays, "auto-close-days", c.AutoCloseDays, "days after which a solved ticket is closed")
	fs.IntVar(&c.FollowUpDays, "follow-up-days", c.FollowUpDays, "days after solving that the customer is asked whether the fix held (0: never); less than --auto-close-days")
	fs.IntVar(&c.Workers, "workers", c.Workers, "job workers in this process")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest request body accepted, in bytes")
	fs.StringVar(&c.LocalesDir, "locales-dir", c.LocalesDir, "folder of NAME.json message catalogues that extend or replace the built-in ones")
	fs.DurationVar(&c.NotifyDelay, "notify-delay", c.NotifyDelay, "how long an agent's first notification waits for others, so that a burst is mailed as one message")
	fs.DurationVar(&c.AuditRetention, "audit-retention", c.AuditRetention, "how long the audit log keeps a row (pruned daily); 0 keeps every row")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long to wait for requests and jobs to finish on SIGTERM")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", c.SMTPAddr, "inbound SMTP address to listen on (host:port); empty turns it off")
	fs.StringVar(&c.Mailboxes, "mailboxes", c.Mailboxes, "comma-separated support addresses that inbound mail is accepted for; the first sends replies")
	fs.StringVar(&c.BusinessName, "business-name", c.BusinessName, "the business name customers see on email")
	fs.Int64Var(&c.MaxMessageBytes, "max-message-bytes", c.MaxMessageBytes, "largest inbound email accepted, in bytes (larger ones get 552)")
	fs.StringVar(&c.SMTPTLSCert, "smtp-tls-cert", c.SMTPTLSCert, "PEM certificate file; with --smtp-tls-key it enables STARTTLS on the listener")
	fs.StringVar(&c.SMTPTLSKey, "smtp-tls-key", c.SMTPTLSKey, "PEM private key file for --smtp-tls-cert")
	fs.StringVar(&c.OutboxDir, "outbox-dir", c.OutboxDir, "folder that receives outgoing mail as .eml files when no relay is set")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "the address customers reach this server at (https://help.example.com), for survey links in mail; default http://ADDR")
	fs.StringVar(&c.AttachmentsDir, "attachments-dir", c.AttachmentsDir, "folder where versions before 0032 kept attachments; files not yet copied into the database (rapport attachments copy) are read from it")
	fs.StringVar(&c.IMAP, "imap", c.IMAP, "IMAP mailboxes to fetch, space-separated imaps://user:password@host/INBOX?after=seen (or after=move:Done); prefer the environment variable")
	fs.StringVar(&c.SMTPRelay, "smtp-relay", c.SMTPRelay, "host:port of the SMTP relay that sends outgoing mail (STARTTLS when offered)")
	fs.StringVar(&c.SMTPRelayUser, "smtp-relay-user", c.SMTPRelayUser, "user name for the relay (AUTH PLAIN)")
	fs.StringVar(&c.SMTPRelayPassword, "smtp-relay-password", c.SMTPRelayPassword, "password for the relay; prefer the environment variable")
	fs.DurationVar(&c.JobLease, "job-lease", c.JobLease, "how long a job stays with a worker that stopped renewing it (its process died) before another takes it over; renewed every third of it while the job runs")
	fs.DurationVar(&c.JobRetention, "job-retention", c.JobRetention, "how long finished jobs are kept before the hourly prune deletes them")
	fs.DurationVar(&c.FailedJobRetention, "failed-job-retention", c.FailedJobRetention, "how long failed jobs (their last error) are kept for an operator to look at")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "comma-separated CIDR ranges (or addresses) of the reverse proxies in front of Rapport: only a request from one of them has its X-Forwarded-For (or Forwarded) header believed, for rate limits and recorded addresses; empty trusts none")
	fs.StringVar(&c.Require2FARoles, "require-2fa-roles", c.Require2FARoles, "comma-separated roles (agent, manager, admin) whose agents must use two-factor authentication: one without it is sent to switch it on before anything else after signing in; a floor: admins can require it of more roles on /admin/sso, never of fewer")
	fs.StringVar(&c.PurchaseHookSecret, "purchase-hook-secret", c.PurchaseHookSecret, "shared secret that signs purchases sent to /api/v1/hooks/purchases (HMAC-SHA256 of the body); empty turns the webhook off; prefer the environment variable")
	// Nodes and bounded intake.
	fs.BoolVar(&c.SingleNode, "single-node", c.SingleNode, "this is the only process on its database: with PostgreSQL and no relay, outgoing mail may go to the outbox folder (otherwise it waits for a relay and /readyz says so)")
	fs.IntVar(&c.SMTPMaxSessions, "smtp-max-sessions", c.SMTPMaxSessions, "most inbound SMTP conversations at once; one more is answered 421 (try later)")
	fs.Int64Var(&c.SMTPMaxMemory, "smtp-max-memory", c.SMTPMaxMemory, "most bytes of inbound messages parsed and stored at once; larger messages wait their turn on disk")
	fs.StringVar(&c.PprofAddr, "pprof-addr", c.PprofAddr, "a loopback address (127.0.0.1:6060) where Go's CPU, heap and goroutine profiles are served under /debug/pprof/, to see where a server's time goes; empty serves none")
	c.RegisterBucket(fs)
}

// RegisterBucket defines the --s3-* settings: where new files' bytes go
// when not in the database. The server's, and those of the commands that
// read every file (export, move, backup).
func (c *Config) RegisterBucket(fs *flag.FlagSet) {
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", c.S3Endpoint, "host[:port] of an S3-compatible API (s3.eu-west-1.amazonaws.com, minio.internal:9000); with --s3-bucket, new files' bytes go to that bucket instead of the database (files already in the database stay readable there); empty keeps them in the database")
	fs.StringVar(&c.S3Bucket, "s3-bucket", c.S3Bucket, "the bucket that holds the files (it must exist); one bucket and prefix per database")
	fs.StringVar(&c.S3Region, "s3-region", c.S3Region, "the bucket's region")
	fs.StringVar(&c.S3AccessKey, "s3-access-key", c.S3AccessKey, "access key id for the bucket")
	fs.StringVar(&c.S3SecretKey, "s3-secret-key", c.S3SecretKey, "secret access key for the bucket; prefer the environment variable or --s3-secret-key-file")
	fs.StringVar(&c.S3SecretKeyFile, "s3-secret-key-file", c.S3SecretKeyFile, "a file whose content (one line) is the secret access key, instead of --s3-secret-key")
	fs.BoolVar(&c.S3TLS, "s3-tls", c.S3TLS, "reach the endpoint over https; false for plain http on a trusted network")
	fs.StringVar(&c.S3Prefix, "s3-prefix", c.S3Prefix, "folder of the files' objects in the bucket (rapport/files); empty puts them at the top")
}

// Bucket returns the --s3-* settings as the blob store takes them, and
// whether a bucket is set at all (--s3-endpoint or --s3-bucket). The
// secret key comes from --s3-secret-key-file when that is given.
func (c Config) Bucket() (blob.BucketOpts, bool, error) {
	if c.S3Endpoint == "" && c.S3Bucket == "" {
		if c.S3AccessKey != "" || c.S3SecretKey != "" || c.S3SecretKeyFile != "" || c.S3Prefix != "" {
			return blob.BucketOpts{}, false, errors.New("--s3-access-key, --s3-secret-key(-file) and --s3-prefix need --s3-endpoint and --s3-bucket")
		}
		return blob.BucketOpts{}, false, nil
	}
	o := blob.BucketOpts{Endpoint: c.S3Endpoint, Bucket: c.S3Bucket, Region: c.S3Region, AccessKey: c.S3AccessKey,
		SecretKey: c.S3SecretKey, TLS: c.S3TLS, Prefix: c.S3Prefix}
	if c.S3SecretKeyFile != "" {
		if c.S3SecretKey != "" {
			return o, true, errors.New("--s3-secret-key and --s3-secret-key-file: give one")
		}
		b, err := os.ReadFile(c.S3SecretKeyFile)
		if err != nil {
			return o, true, fmt.Errorf("--s3-secret-key-file: %w", err)
		}
		o.SecretKey = strings.TrimSpace(string(b))
		if o.SecretKey == "" {
			return o, true, fmt.Errorf("--s3-secret-key-file %s is empty", c.S3SecretKeyFile)
		}
	}
	return o, true, o.Check()
}

// ValidateBucket checks the settings RegisterBucket defines.
func (c Config) ValidateBucket() error {
	_, _, err := c.Bucket()
	return err
}

// RegisterDB defines on fs only the --db setting, for the commands that
// open the database and do nothing else a server does (migrate, user,
// token, import, churn score), so that their help lists what they use.
func (c *Config) RegisterDB(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "database: a SQLite file path, sqlite:PATH, or a postgres:// DSN")
}

// ValidateDB checks the setting RegisterDB defines.
func (c Config) ValidateDB() error {
	if c.DB == "" {
		return errors.New("--db must not be empty")
	}
	return nil
}

// Validate checks the values that flag parsing cannot.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("--addr must not be empty"))
	}
	if err := c.ValidateDB(); err != nil {
		errs = append(errs, err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	if c.AutoCloseDays < 1 {
		errs = append(errs, errors.New("--auto-close-days must be at least 1"))
	}
	if c.FollowUpDays < 0 || (c.FollowUpDays > 0 && c.FollowUpDays >= c.AutoCloseDays) {
		errs = append(errs, errors.New("--follow-up-days must be 0 or less than --auto-close-days, so the customer can answer before the ticket closes"))
	}
	if c.NotifyDelay < time.Second || c.NotifyDelay > 24*time.Hour {
		errs = append(errs, errors.New("--notify-delay must be between 1s and 24h"))
	}
	if c.Workers < 1 {
		errs = append(errs, errors.New("--workers must be at least 1"))
	}
	if c.PprofAddr != "" {
		if host, _, err := net.SplitHostPort(c.PprofAddr); err != nil || !isLoopback(host) {
			errs = append(errs, fmt.Errorf("--pprof-addr %q: want a loopback host:port such as 127.0.0.1:6060 (profiles are not for the network)", c.PprofAddr))
		}
	}
	if c.JobLease < time.Second || c.JobLease > time.Hour {
		errs = append(errs, errors.New("--job-lease must be between 1s and 1h"))
	}
	if c.JobRetention < time.Hour {
		errs = append(errs, errors.New("--job-retention must be at least 1h"))
	}
	if c.FailedJobRetention < c.JobRetention {
		errs = append(errs, errors.New("--failed-job-retention must be at least --job-retention"))
	}
	if c.AuditRetention != 0 && c.AuditRetention < 24*time.Hour {
		errs = append(errs, errors.New("--audit-retention must be 0 (keep every row) or at least 24h"))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("--max-body-bytes must be at least 1024"))
	}
	if c.MaxMessageBytes < 1024 {
		errs = append(errs, errors.New("--max-message-bytes must be at least 1024"))
	}
	if len(c.MailboxList()) == 0 {
		errs = append(errs, errors.New("--mailboxes must name at least one address"))
	}
	for _, m := range c.MailboxList() {
		if strings.Count(m, "@") != 1 || strings.ContainsAny(m, " <>+") {
			errs = append(errs, fmt.Errorf("--mailboxes: %q is not a plain address like support@example.com", m))
		}
	}
	if _, err := clientaddr.Parse(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
	}
	if _, err := c.Require2FA(); err != nil {
		errs = append(errs, err)
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("--public-url %q: want an http:// or https:// address", c.PublicURL))
	}
	if _, err := c.IMAPAccounts(); err != nil {
		errs = append(errs, err)
	}
	if c.SMTPMaxSessions < 1 {
		errs = append(errs, errors.New("--smtp-max-sessions must be at least 1"))
	}
	if c.SMTPMaxMemory < 1<<20 {
		errs = append(errs, errors.New("--smtp-max-memory must be at least 1048576 (1 MiB)"))
	}
	if (c.SMTPTLSCert == "") != (c.SMTPTLSKey == "") {
		errs = append(errs, errors.New("--smtp-tls-cert and --smtp-tls-key go together"))
	}
	if err := c.ValidateBucket(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Parse applies the environment and then args to the flags of fs, so that
// flags win. getenv is os.Getenv outside tests.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(EnvName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", EnvName(f.Name), v, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return fs.Parse(args)
}

// Usage returns a flag.FlagSet Usage function that documents every setting
// with its environment variable and default.
func Usage(fs *flag.FlagSet, synopsis string) func() {
	return func() {
		out := fs.Output()
		fmt.Fprintf(out, "%s\n\nSettings (flag, environment variable, default):\n", synopsis)
		PrintSettings(out, fs)
	}
}

// PrintSettings writes one line per flag of fs.
func PrintSettings(out io.Writer, fs *flag.FlagSet) {
	nameW, envW := 0, 0
	fs.VisitAll(func(f *flag.Flag) {
		nameW = max(nameW, len(f.Name)+2)
		envW = max(envW, len(EnvName(f.Name)))
	})
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(out, "  %-*s  %-*s  %s\n", nameW, "--"+f.Name, envW, EnvName(f.Name), def)
		fmt.Fprintf(out, "  %-*s  %s\n", nameW, "", f.Usage)
	})
}

// FromArgs is the whole path for a server command: defaults, flags,
// environment, validation. Help and flag errors go to out.
func FromArgs(name string, args []string, out io.Writer, extra func(fs *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	return fromArgs(name, args, out, extra, (*Config).Register, Config.Validate)
}

// DBFromArgs is FromArgs for a command that only opens the database: it
// defines and checks --db and extra's flags, none of the server's others.
func DBFromArgs(name string, args []string, out io.Writer, extra func(fs *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	return fromArgs(name, args, out, extra, (*Config).RegisterDB, Config.ValidateDB)
}

// FilesFromArgs is DBFromArgs with the --s3-* settings too, for the
// commands that read every file (export, move, backup).
func FilesFromArgs(name string, args []string, out io.Writer, extra func(fs *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	return fromArgs(name, args, out, extra, func(c *Config, fs *flag.FlagSet) {
		c.RegisterDB(fs)
		c.RegisterBucket(fs)
	}, func(c Config) error {
		return errors.Join(c.ValidateDB(), c.ValidateBucket())
	})
}

// ServerFromArgs is FromArgs without --db, for the demo, which always
// makes its own database.
func ServerFromArgs(name string, args []string, out io.Writer, extra func(fs *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	return fromArgs(name, args, out, extra, (*Config).RegisterServer, Config.Validate)
}

func fromArgs(name string, args []string, out io.Writer, extra func(fs *flag.FlagSet),
	register func(*Config, *flag.FlagSet), validate func(Config) error) (Config, *flag.FlagSet, error) {
	c := Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	register(&c, fs)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = Usage(fs, "usage: rapport "+name+" [flags]")
	if err := Parse(fs, args, os.Getenv); err != nil {
		return c, fs, err
	}
	return c, fs, validate(c)
}

// Require2FA is the list of --require-2fa-roles, each checked to be a role.
func (c Config) Require2FA() ([]string, error) {
	var roles []string
	for _, r := range strings.Split(c.Require2FARoles, ",") {
		r = strings.ToLower(strings.TrimSpace(r))
		switch r {
		case "":
			continue
		case "agent", "manager", "admin":
			roles = append(roles, r)
		default:
			return nil, fmt.Errorf("--require-2fa-roles: %q is not a role (agent, manager, admin)", r)
		}
	}
	return roles, nil
}

// isLoopback reports whether host is a loopback address or localhost.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
