package mailout_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
)

var (
	allowedTags  = map[string]bool{"html": true, "head": true, "meta": true, "title": true, "body": true, "div": true, "p": true, "br": true, "a": true, "img": true, "span": true}
	allowedAttrs = map[string]bool{"lang": true, "charset": true, "name": true, "content": true, "style": true, "href": true, "src": true, "alt": true}
)

// FuzzLayout: whatever an agent writes or an admin signs with, the HTML
// part carries it escaped (no markup of its own), and the text part ends
// with the signature.
func FuzzLayout(f *testing.F) {
	f.Add("Hello <b>Carla</b>,\n\nsee https://aurora.example/track?a=1&b=\"2\" now.", "The team\n<script>alert(1)</script>", "https://x.example/l.png")
	f.Add("http://", "a\r\nb", "")
	f.Add("https://a.example/<img src=x onerror=alert(1)>", "", "https://x.example/\"><script>")
	f.Fuzz(func(t *testing.T, text, signature, logo string) {
		p := business.Profile{Name: "Aurora <Home> & \"Garden\"", Signature: signature, LogoURL: logo}
		plain, html := mailout.Layout(p, "en", text, "", "")
		if !strings.HasSuffix(plain, p.SignOff()+"\n") {
			t.Fatalf("text part does not end with the signature: %q", plain)
		}
		// Read as a mail client would: only the layout's own elements and
		// attributes, none from the text, the signature or the logo.
		z := xhtml.NewTokenizer(strings.NewReader(html))
		for {
			tt := z.Next()
			if tt == xhtml.ErrorToken {
				break
			}
			if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			if !allowedTags[tok.Data] {
				t.Fatalf("element <%s> in %q", tok.Data, html)
			}
			for _, a := range tok.Attr {
				if !allowedAttrs[a.Key] {
					t.Fatalf("attribute %s on <%s> in %q", a.Key, tok.Data, html)
				}
				if a.Key == "href" && !strings.HasPrefix(a.Val, "http://") && !strings.HasPrefix(a.Val, "https://") {
					t.Fatalf("link to %q", a.Val)
				}
			}
		}
	})
}

// FuzzRelaySettings: an accepted relay address is a host and a port
// between 1 and 65535, and nothing panics.
func FuzzRelaySettings(f *testing.F) {
	for _, s := range []string{"smtp.example.com:587", "[::1]:25", "host", ":25", "h:0", "h:99999", " h:25 ", "a b:25"} {
		f.Add(s, "user")
	}
	f.Fuzz(func(t *testing.T, addr, user string) {
		r, err := mailout.RelaySettings{Addr: addr, Username: user}.Check()
		if err != nil || r.Addr == "" {
			return
		}
		host, port, serr := net.SplitHostPort(r.Addr)
		n, perr := strconv.Atoi(port)
		if serr != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			t.Fatalf("accepted %q", r.Addr)
		}
	})
}
