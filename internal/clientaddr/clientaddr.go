// Package clientaddr decides which address a request came from: the peer's,
// or, when the peer is a reverse proxy the operator trusts
// (--trusted-proxies), the right-most address in the forwarding header that
// is not one of those proxies. Every rate limit, and anything that records
// an address (sessions, the audit log), takes the address from Proxies.Of,
// so that a client behind a proxy has its own limits and a client talking
// to Rapport directly cannot choose its address by sending the header.
package clientaddr

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the address ranges of the reverse proxies whose forwarding
// headers are believed. The zero value trusts nobody: the peer's address is
// the client's.
type Proxies struct {
	nets []netip.Prefix
}

// Parse reads a list of CIDR ranges or single addresses separated by commas
// or spaces ("10.0.0.0/8, 192.0.2.7, ::1"); "" trusts nobody.
func Parse(list string) (Proxies, error) {
	var p Proxies
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			pre, err := netip.ParsePrefix(f)
			if err != nil {
				return Proxies{}, fmt.Errorf("clientaddr: %q is not a CIDR range like 10.0.0.0/8", f)
			}
			p.nets = append(p.nets, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return Proxies{}, fmt.Errorf("clientaddr: %q is not an address or a CIDR range", f)
		}
		a = a.Unmap()
		p.nets = append(p.nets, netip.PrefixFrom(a, a.BitLen()))
	}
	return p, nil
}

// String lists the ranges as Parse reads them.
func (p Proxies) String() string {
	out := make([]string, len(p.nets))
	for i, n := range p.nets {
		out[i] = n.String()
	}
	return strings.Join(out, ",")
}

// trusted reports whether a is one of the proxies.
func (p Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Of is the address r came from, as text ("203.0.113.7", "2001:db8::1").
// The peer's address, unless the peer is a trusted proxy: then the hops of
// X-Forwarded-For (or, when a request has none, of the Forwarded header's
// for= parameters) are read from the right, and the first that is not a
// trusted proxy is the client. A hop that is not an address (a proxy's
// "unknown", a mangled header) ends the walk at the last trusted hop, which
// is then taken as the client: an address nobody can forge.
func (p Proxies) Of(r *http.Request) string {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if len(p.nets) == 0 || !p.trusted(peer) {
		return peer.String()
	}
	hops := forwardedFor(r.Header)
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHost(hops[i])
		if !ok {
			break
		}
		client = a
		if !p.trusted(a) {
			break
		}
	}
	return client.String()
}

// forwardedFor lists the hops the proxies reported, left (the farthest) to
// right (the nearest): every X-Forwarded-For line, else every Forwarded
// element's for= parameter.
func forwardedFor(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for _, hop := range strings.Split(line, ",") {
				hops = append(hops, strings.TrimSpace(hop))
			}
		}
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range strings.Split(line, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
					hops = append(hops, strings.Trim(strings.TrimSpace(v), `"`))
				}
			}
		}
	}
	return hops
}

// parseHost reads an address with or without a port, IPv6 in brackets or
// not; IPv4-mapped IPv6 addresses become IPv4, and a zone is dropped.
func parseHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, false
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}
