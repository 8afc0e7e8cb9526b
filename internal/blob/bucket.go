package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// BucketOpts are the settings of an S3-compatible bucket (--s3-*).
type BucketOpts struct {
	Endpoint  string // host[:port], no scheme
	Bucket    string
	Region    string // "" for us-east-1
	AccessKey string
	SecretKey string // never logged
	TLS       bool   // https to the endpoint
	Prefix    string // folder of the objects in the bucket, "" for the top
}

// Check reports what is wrong with o, before anything is sent: every
// problem at once, each naming its setting.
func (o BucketOpts) Check() error {
	var errs []error
	switch {
	case o.Endpoint == "":
		errs = append(errs, errors.New("--s3-endpoint must not be empty"))
	case strings.Contains(o.Endpoint, "://"):
		errs = append(errs, fmt.Errorf("--s3-endpoint %q: want host or host:port without a scheme (--s3-tls chooses https)", o.Endpoint))
	default:
		if _, err := url.Parse("http://" + o.Endpoint); err != nil || strings.ContainsAny(o.Endpoint, "/?# ") {
			errs = append(errs, fmt.Errorf("--s3-endpoint %q: want host or host:port", o.Endpoint))
		}
	}
	if err := s3utils.CheckValidBucketNameStrict(o.Bucket); err != nil {
		errs = append(errs, fmt.Errorf("--s3-bucket %q: %v", o.Bucket, err))
	}
	if (o.AccessKey == "") != (o.SecretKey == "") || o.AccessKey == "" {
		errs = append(errs, errors.New("--s3-access-key and the secret key (--s3-secret-key or --s3-secret-key-file) are both needed"))
	}
	if o.Prefix != "" && !prefixPattern.MatchString(o.Prefix) {
		errs = append(errs, fmt.Errorf("--s3-prefix %q: want letters, digits, '-', '_', '.' and '/' between names, such as rapport/files", o.Prefix))
	}
	return errors.Join(errs...)
}

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?$`)

// Bucket keeps blobs' bytes as objects of an S3-compatible bucket, each
// named by its blob's SHA-256 (under the prefix), through minio-go.
type Bucket struct {
	c      *minio.Core
	bucket string
	prefix string // "" or ending in '/'
	where  string // endpoint/bucket, for messages
}

// NewBucket checks o and returns a Bucket; it sends nothing (Check does).
func NewBucket(o BucketOpts) (*Bucket, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	c, err := minio.NewCore(o.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: o.TLS, Region: region,
		// A few quick retries of a failed request (not of refused keys);
		// past them the upload's request fails and says why.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: bucket: %w", err)
	}
	prefix := strings.TrimSuffix(o.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &Bucket{c: c, bucket: o.Bucket, prefix: prefix, where: o.Endpoint + "/" + o.Bucket}, nil
}

// String names the bucket for logs: endpoint/bucket/prefix, no keys.
func (b *Bucket) String() string { return b.where + "/" + b.prefix }

// key is the object name of the blob with address sum.
func (b *Bucket) key(sum string) string { return b.prefix + sum }

// partSize is the size of each part of a multipart upload: S3's least,
// so that the client's buffers stay small.
const partSize = 5 << 20

// put uploads size bytes of r as the object of sum. Larger than partSize
// it goes in parts; an io.ReaderAt (a file) is read in place.
func (b *Bucket) put(ctx context.Context, sum string, r io.Reader, size int64) error {
	_, err := b.c.Client.PutObject(ctx, b.bucket, b.key(sum), r, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream", PartSize: partSize, NumThreads: 1,
	})
	if err != nil {
		return fmt.Errorf("blob: upload %s to %s: %w", sum, b.where, err)
	}
	return nil
}

// get returns the object of sum from byte off to its end.
func (b *Bucket) get(ctx context.Context, sum string, off int64) (io.ReadCloser, error) {
	opts := minio.GetObjectOptions{}
	if off > 0 {
		if err := opts.SetRange(off, 0); err != nil {
			return nil, err
		}
	}
	body, _, _, err := b.c.GetObject(ctx, b.bucket, b.key(sum), opts)
	if err != nil {
		return nil, fmt.Errorf("blob: read %s from %s: %w", sum, b.where, err)
	}
	return body, nil
}

// Open returns the object of sum from its start, for a reader of every
// file (an export).
func (b *Bucket) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	return b.get(ctx, sum, 0)
}

// remove deletes the object of sum; one already gone is no error.
func (b *Bucket) remove(ctx context.Context, sum string) error {
	if err := b.c.Client.RemoveObject(ctx, b.bucket, b.key(sum), minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("blob: remove %s from %s: %w", sum, b.where, err)
	}
	return nil
}

// modified returns when the object of sum was last written, or
// store.ErrNotFound-like ok=false when there is none.
func (b *Bucket) modified(ctx context.Context, sum string) (time.Time, bool, error) {
	info, err := b.c.Client.StatObject(ctx, b.bucket, b.key(sum), minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, fmt.Errorf("blob: stat %s in %s: %w", sum, b.where, err)
	}
	return info.LastModified, true, nil
}

// object is one blob's object found by a listing.
type object struct {
	sum      string
	modified time.Time
}

// list calls fn for every object under the prefix whose name is a blob
// address; other objects are not Rapport's and are left alone.
func (b *Bucket) list(ctx context.Context, fn func(object) error) error {
	for o := range b.c.Client.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{Prefix: b.prefix}) {
		if o.Err != nil {
			return fmt.Errorf("blob: list %s: %w", b.where, o.Err)
		}
		sum := strings.TrimPrefix(o.Key, b.prefix)
		if !isSum(sum) {
			continue
		}
		if err := fn(object{sum: sum, modified: o.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

func isSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Check asks the endpoint whether the bucket is there and the keys are
// accepted, and returns a message for an operator when not: unreachable,
// credentials refused, or no such bucket. "" means all is well.
func (b *Bucket) Check(ctx context.Context) string {
	ok, err := b.c.Client.BucketExists(ctx, b.bucket)
	if err == nil && ok {
		return ""
	}
	if err == nil {
		return fmt.Sprintf("files: bucket %q does not exist at %s; create it, or correct --s3-bucket", b.bucket, endpointOf(b.where))
	}
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case minio.NoSuchBucket:
		return fmt.Sprintf("files: bucket %q does not exist at %s; create it, or correct --s3-bucket", b.bucket, endpointOf(b.where))
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken":
		return fmt.Sprintf("files: %s refused the credentials for bucket %q (%s); check --s3-access-key and the secret key",
			endpointOf(b.where), b.bucket, resp.Code)
	}
	if resp.StatusCode == http.StatusForbidden {
		return fmt.Sprintf("files: %s refused the credentials for bucket %q; check --s3-access-key and the secret key",
			endpointOf(b.where), b.bucket)
	}
	var nerr net.Error
	var uerr *url.Error
	if errors.As(err, &nerr) || errors.As(err, &uerr) || resp.Code == "" {
		return fmt.Sprintf("files: the bucket's endpoint %s cannot be reached: %v", endpointOf(b.where), err)
	}
	return fmt.Sprintf("files: bucket %q at %s: %v", b.bucket, endpointOf(b.where), err)
}

func endpointOf(where string) string {
	e, _, _ := strings.Cut(where, "/")
	return e
}
