// Package blobtest runs an S3-protocol server for tests: gofakes3, an
// in-process implementation of the S3 HTTP protocol (not AWS, not MinIO)
// over memory, served on 127.0.0.1 by an httptest server. It checks the
// access key of every request (gofakes3 does not), so that refused
// credentials can be tested. Only tests import it.
package blobtest

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/rapport/rapport/internal/blob"
)

// The keys the server accepts.
const (
	AccessKey = "rapport-test"
	SecretKey = "rapport-test-secret"
)

// Server is a running S3-protocol server.
type Server struct {
	Endpoint string // 127.0.0.1:port
	Backend  *s3mem.Backend
}

// Start serves a new, empty server until the test ends, with the named
// buckets made.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(Handler(backend))
	t.Cleanup(srv.Close)
	return &Server{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Backend: backend}
}

// Handler is the server's HTTP handler over backend.
func Handler(backend gofakes3.Backend) http.Handler {
	return checkKey(decodeParts(gofakes3.New(backend).Server()))
}

// decodeParts decodes the aws-chunked body of a multipart upload's part
// signed chunk by chunk (what minio-go sends over plain HTTP): gofakes3
// decodes it for a whole object but keeps a part's framing as data.
func decodeParts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Query().Get("partNumber") != "" &&
			r.Header.Get("X-Amz-Content-Sha256") == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" {
			n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
			if err != nil {
				http.Error(w, "bad X-Amz-Decoded-Content-Length", http.StatusBadRequest)
				return
			}
			r.Body = struct {
				io.Reader
				io.Closer
			}{&chunked{r: bufio.NewReader(r.Body)}, r.Body}
			r.ContentLength = n
			r.Header.Set("Content-Length", strconv.FormatInt(n, 10))
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		}
		next.ServeHTTP(w, r)
	})
}

// chunked reads the data of "SIZE;chunk-signature=…\r\nDATA\r\n" chunks up
// to the empty one.
type chunked struct {
	r    *bufio.Reader
	left int64 // of the current chunk
	done bool
}

func (c *chunked) Read(p []byte) (int, error) {
	for c.left == 0 {
		if c.done {
			return 0, io.EOF
		}
		line, err := c.r.ReadString('\n')
		if err != nil {
			return 0, err
		}
		line = strings.TrimSpace(line)
		if line == "" { // the CRLF after a chunk's data
			continue
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(size, 16, 64)
		if err != nil {
			return 0, fmt.Errorf("aws-chunked: %q: %w", line, err)
		}
		c.left, c.done = n, n == 0
	}
	n, err := c.r.Read(p[:min(int64(len(p)), c.left)])
	c.left -= int64(n)
	return n, err
}

// Opts are the settings that reach bucket on s.
func (s *Server) Opts(bucket string) blob.BucketOpts {
	return blob.BucketOpts{Endpoint: s.Endpoint, Bucket: bucket, AccessKey: AccessKey, SecretKey: SecretKey}
}

// Objects lists the object names in bucket.
func (s *Server) Objects(t testing.TB, bucket string) []string {
	t.Helper()
	res, err := s.Backend.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range res.Contents {
		out = append(out, o.Key)
	}
	return out
}

var credential = regexp.MustCompile(`Credential=([^/]+)/`)

// checkKey answers 403 InvalidAccessKeyId to a request signed with
// another access key.
func checkKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := credential.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil || m[1] != AccessKey {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>`+
				`<Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// envServe names the bucket a helper process serves.
const envServe = "RAPPORT_BLOBTEST_SERVE"

// ServeIfHelper is for a test binary's TestMain: in the process
// StartProcess starts, it serves until its standard input closes, then
// exits; elsewhere it returns at once.
func ServeIfHelper() {
	bucket := os.Getenv(envServe)
	if bucket == "" {
		return
	}
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	srv := httptest.NewServer(Handler(backend))
	fmt.Println(strings.TrimPrefix(srv.URL, "http://"))
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	os.Exit(0)
}

// StartProcess serves bucket from another process (this test binary run
// again, see ServeIfHelper), so that the server's memory is not counted
// in this one's.
func StartProcess(t testing.TB, bucket string) *Server {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"="+bucket)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the S3 server process: %v", err)
	}
	return &Server{Endpoint: strings.TrimSpace(line)}
}
