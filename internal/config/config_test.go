package config

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParsePrecedence(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    func(c Config) string // returns a mismatch description or ""
		wantErr string
	}{
		{name: "defaults", want: func(c Config) string {
			if c.Addr != "localhost:8080" || c.DB != "rapport.db" || c.AutoCloseDays != 4 {
				return "defaults not applied"
			}
			return ""
		}},
		{name: "env applies", env: map[string]string{"RAPPORT_DB": "postgres://x/y", "RAPPORT_AUTO_CLOSE_DAYS": "7", "RAPPORT_SHUTDOWN_TIMEOUT": "3s"},
			want: func(c Config) string {
				if c.DB != "postgres://x/y" || c.AutoCloseDays != 7 || c.ShutdownTimeout != 3*time.Second {
					return "env not applied"
				}
				return ""
			}},
		{name: "flag wins over env", env: map[string]string{"RAPPORT_ADDR": ":1"}, args: []string{"--addr", ":2"},
			want: func(c Config) string {
				if c.Addr != ":2" {
					return "addr = " + c.Addr
				}
				return ""
			}},
		{name: "bad env value", env: map[string]string{"RAPPORT_WORKERS": "many"}, wantErr: "RAPPORT_WORKERS"},
		{name: "bad flag", args: []string{"--workers", "0"}, wantErr: "--workers"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: "--log-level"},
		{name: "trusted proxies from env", env: map[string]string{"RAPPORT_TRUSTED_PROXIES": "10.0.0.0/8, ::1"},
			want: func(c Config) string {
				if c.TrustedProxies != "10.0.0.0/8, ::1" {
					return "trusted proxies = " + c.TrustedProxies
				}
				return ""
			}},
		{name: "bad trusted proxies", args: []string{"--trusted-proxies", "10.0.0.0/99"}, wantErr: "--trusted-proxies"},
		{name: "roles that must use 2FA", args: []string{"--require-2fa-roles", "Admin, manager"},
			want: func(c Config) string {
				if r, err := c.Require2FA(); err != nil || strings.Join(r, "|") != "admin|manager" {
					return fmt.Sprintf("require 2FA = %v %v", r, err)
				}
				return ""
			}},
		{name: "bad 2FA role", args: []string{"--require-2fa-roles", "admin,boss"}, wantErr: "--require-2fa-roles"},
		{name: "bucket from env", env: map[string]string{"RAPPORT_S3_ENDPOINT": "minio.internal:9000", "RAPPORT_S3_BUCKET": "files",
			"RAPPORT_S3_ACCESS_KEY": "id", "RAPPORT_S3_SECRET_KEY": "sekrit", "RAPPORT_S3_TLS": "false"},
			want: func(c Config) string {
				o, ok, err := c.Bucket()
				if err != nil || !ok || o.Endpoint != "minio.internal:9000" || o.SecretKey != "sekrit" || o.TLS || o.Region != "us-east-1" {
					return fmt.Sprintf("bucket = %+v %v %v", o.Endpoint, ok, err)
				}
				return ""
			}},
		{name: "no bucket by default", want: func(c Config) string {
			if _, ok, err := c.Bucket(); ok || err != nil {
				return fmt.Sprintf("a bucket by default: %v %v", ok, err)
			}
			return ""
		}},
		{name: "bucket with a scheme", args: []string{"--s3-endpoint", "https://s3.example.com", "--s3-bucket", "files",
			"--s3-access-key", "a", "--s3-secret-key", "b"}, wantErr: "--s3-endpoint"},
		{name: "bucket without keys", args: []string{"--s3-endpoint", "s3.example.com", "--s3-bucket", "files"}, wantErr: "--s3-access-key"},
		{name: "bucket name", args: []string{"--s3-endpoint", "s3.example.com", "--s3-bucket", "My_Files",
			"--s3-access-key", "a", "--s3-secret-key", "b"}, wantErr: "--s3-bucket"},
		{name: "keys without a bucket", args: []string{"--s3-access-key", "a"}, wantErr: "--s3-endpoint"},
		{name: "secret file missing", args: []string{"--s3-endpoint", "s3.example.com", "--s3-bucket", "files",
			"--s3-access-key", "a", "--s3-secret-key-file", "/nonexistent/secret"}, wantErr: "--s3-secret-key-file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(new(bytes.Buffer))
			c.Register(fs)
			err := Parse(fs, tc.args, func(k string) string { return tc.env[k] })
			if err == nil {
				err = c.Validate()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.want(c); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestUsageDocumentsEverySetting(t *testing.T) {
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Register(fs)
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	Usage(fs, "usage")()
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(buf.String(), "--"+f.Name) || !strings.Contains(buf.String(), EnvName(f.Name)) {
			t.Errorf("usage does not document --%s / %s", f.Name, EnvName(f.Name))
		}
	})
}

func TestIMAPAccounts(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // TLS|Addr|Username|Password|Folder|After of the first account
		wantErr string
	}{
		{name: "none", in: "", want: ""},
		{name: "imaps", in: "imaps://support%40shop.example:s3cr%3At@imap.shop.example/INBOX?after=seen",
			want: "tls|imap.shop.example|support@shop.example|s3cr:t|INBOX|seen"},
		{name: "starttls with move", in: "imap+starttls://u:p@mail.example:143/Support?after=move:Done",
			want: "starttls|mail.example:143|u|p|Support|move:Done"},
		{name: "bad scheme hides the password", in: "pop3://u:hunter2@mail.example", wantErr: "scheme"},
		{name: "no user", in: "imaps://mail.example/INBOX", wantErr: "user name"},
		{name: "bad after", in: "imaps://u:p@mail.example/INBOX?after=delete", wantErr: "after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.IMAP = tc.in
			as, err := c.IMAPAccounts()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(as) > 0 {
				a := as[0]
				got = strings.Join([]string{a.TLS, a.Addr, a.Username, a.Password, a.Folder, a.After}, "|")
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDBFromArgsTakesOnlyTheDatabase(t *testing.T) {
	// A server setting in the environment, even a bad one, is no concern
	// of a command that only opens the database.
	t.Setenv("RAPPORT_WORKERS", "many")
	t.Setenv("RAPPORT_DB", "postgres://x/y")
	var out bytes.Buffer
	c, fs, err := DBFromArgs("user add", nil, &out, func(fs *flag.FlagSet) { fs.String("email", "", "") })
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "postgres://x/y" {
		t.Errorf("DB = %q, want the environment's", c.DB)
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if strings.Join(names, ",") != "db,email" {
		t.Errorf("flags %v, want db and email", names)
	}
	if _, _, err := DBFromArgs("migrate", []string{"--db", ""}, &out, nil); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("empty --db: err = %v", err)
	}
	if _, _, err := DBFromArgs("migrate", []string{"--workers", "2"}, &out, nil); err == nil {
		t.Error("migrate took --workers")
	}
}

func TestPprofAddrOnlyOnLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"": true, "127.0.0.1:6060": true, "localhost:6060": true, "[::1]:6060": true,
		"0.0.0.0:6060": false, ":6060": false, "10.0.0.5:6060": false, "127.0.0.1": false,
	} {
		c := Default()
		c.PprofAddr = addr
		err := c.Validate()
		if got := err == nil || !strings.Contains(err.Error(), "--pprof-addr"); got != ok {
			t.Errorf("--pprof-addr %q: err = %v, want accepted %v", addr, err, ok)
		}
	}
}

// The secret key can come from a file, trimmed; the error of a bad
// setting never shows it.
func TestBucketSecretFile(t *testing.T) {
	path := t.TempDir() + "/secret"
	if err := os.WriteFile(path, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.S3Endpoint, c.S3Bucket, c.S3AccessKey, c.S3SecretKeyFile = "s3.example.com", "files", "id", path
	o, ok, err := c.Bucket()
	if err != nil || !ok || o.SecretKey != "from-a-file" {
		t.Fatalf("secret %q, %v, %v", o.SecretKey, ok, err)
	}
	c.S3SecretKey = "both-given"
	if _, _, err := c.Bucket(); err == nil || strings.Contains(err.Error(), "both-given") {
		t.Fatalf("both secrets: %v", err)
	}
}
