package clientaddr

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestOf(t *testing.T) {
	proxies, err := Parse("10.0.0.0/8, 192.0.2.7 ::1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		proxies Proxies
		peer    string
		xff     []string
		fwd     string
		want    string
	}{
		{name: "no proxy trusted: the header is ignored", peer: "198.51.100.4:5000", xff: []string{"203.0.113.9"}, want: "198.51.100.4"},
		{name: "untrusted peer: the header is ignored", proxies: proxies, peer: "198.51.100.4:5000", xff: []string{"203.0.113.9"}, want: "198.51.100.4"},
		{name: "trusted peer: the forwarded client", proxies: proxies, peer: "10.1.2.3:5000", xff: []string{"203.0.113.9"}, want: "203.0.113.9"},
		{name: "a forged left part is skipped", proxies: proxies, peer: "10.1.2.3:5000", xff: []string{"1.1.1.1, 203.0.113.9"}, want: "203.0.113.9"},
		{name: "trusted hops are skipped", proxies: proxies, peer: "10.1.2.3:5000", xff: []string{"1.1.1.1, 203.0.113.9, 10.9.9.9, 192.0.2.7"}, want: "203.0.113.9"},
		{name: "several header lines", proxies: proxies, peer: "10.1.2.3:5000", xff: []string{"1.1.1.1", "203.0.113.9"}, want: "203.0.113.9"},
		{name: "all hops trusted: the farthest", proxies: proxies, peer: "10.1.2.3:5000", xff: []string{"10.0.0.5, 10.0.0.6"}, want: "10.0.0.5"},
		{name: "no header: the proxy", proxies: proxies, peer: "10.1.2.3:5000", want: "10.1.2.3"},
		{name: "garbage hop: the last trusted one", proxies: proxies, peer: "10.1.2.3:5000", xff: []string{"203.0.113.9, unknown"}, want: "10.1.2.3"},
		{name: "IPv6 peer and hop with port", proxies: proxies, peer: "[::1]:443", xff: []string{"[2001:db8::5]:1234"}, want: "2001:db8::5"},
		{name: "IPv4-mapped", proxies: proxies, peer: "[::ffff:10.0.0.1]:443", xff: []string{"::ffff:203.0.113.9"}, want: "203.0.113.9"},
		{name: "Forwarded header", proxies: proxies, peer: "10.1.2.3:5000", fwd: `for=1.1.1.1, for="[2001:db8::7]:80";proto=https`, want: "2001:db8::7"},
		{name: "X-Forwarded-For wins over Forwarded", proxies: proxies, peer: "10.1.2.3:5000", xff: []string{"203.0.113.9"}, fwd: "for=1.1.1.1", want: "203.0.113.9"},
		{name: "peer without a port", peer: "198.51.100.4", want: "198.51.100.4"},
		{name: "peer that is no address", peer: "@", want: "@"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tc.fwd != "" {
				r.Header.Set("Forwarded", tc.fwd)
			}
			if got := tc.proxies.Of(r); got != tc.want {
				t.Errorf("Of = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	p, err := Parse(" 10.0.0.0/8 ,2001:db8::/32\t127.0.0.1 ")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.String(), "10.0.0.0/8,2001:db8::/32,127.0.0.1/32"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0.1/8/8"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if p, err := Parse(""); err != nil || len(p.nets) != 0 {
		t.Errorf("empty list: %v %v", p, err)
	}
}

// FuzzOf feeds arbitrary forwarding headers to a trusted peer: Of never
// panics and always answers an address, the peer's or one from the header.
func FuzzOf(f *testing.F) {
	for _, s := range []string{"203.0.113.9", "1.1.1.1, 10.0.0.1", "[::1]:80", "unknown", ",,,", "for=\"[2001:db8::1]\"", "\x00", "10.0.0.1%eth0"} {
		f.Add(s, s)
	}
	proxies, _ := Parse("10.0.0.0/8")
	f.Fuzz(func(t *testing.T, xff, fwd string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "10.0.0.2:1"
		r.Header["X-Forwarded-For"] = []string{xff}
		r.Header["Forwarded"] = []string{fwd}
		if xff == "" {
			delete(r.Header, "X-Forwarded-For")
		}
		got := proxies.Of(r)
		if _, err := netip.ParseAddr(got); err != nil {
			t.Fatalf("Of = %q, not an address", got)
		}
	})
}
