package web

import (
	"net"
	"net/http"
	"strings"
)

// localHosts are the only Host names served in local mode. A page on any other name that
// resolves to 127.0.0.1 (DNS rebinding) reaches this server from the victim's own browser,
// from loopback, and would otherwise be served as the local admin; the browser still sends
// that other name as Host, which is what gives it away.
var localHosts = []string{"localhost", "127.0.0.1", "::1"}

// allowedHost reports whether the request's Host is Docent's own: in local mode a loopback
// name, behind a proxy the host of DOCENT_PUBLIC_URL. Any port is accepted in both, since the
// port a reader or proxy uses is not something an attacker's name can change.
func (id Identity) allowedHost(r *http.Request) bool {
	host := hostName(r.Host)
	if id.local() {
		for _, h := range localHosts {
			if host == h {
				return true
			}
		}
		return false
	}
	return id.PublicHost != "" && host == strings.ToLower(id.PublicHost)
}

// hostName is the name of a Host header without its port or IPv6 brackets, lower-cased.
func hostName(h string) string {
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
}

// hostCheck refuses requests addressed to a name that is not Docent's with 421 Misdirected
// Request. Health checks are exempt: they carry no data, and probes address servers by IP.
func (id Identity) hostCheck(next http.Handler, refuse func(w http.ResponseWriter, r *http.Request, status int, msg string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || id.allowedHost(r) {
			next.ServeHTTP(w, r)
			return
		}
		msg := "This address is not Docent's: in local mode open it at http://localhost or http://127.0.0.1."
		if !id.local() {
			msg = "This address is not Docent's: open it at its public URL (DOCENT_PUBLIC_URL)."
		}
		refuse(w, r, http.StatusMisdirectedRequest, msg)
	})
}

// noStore keeps every response out of shared and browser caches, since pages, JSON, answer
// streams, document views and downloads all carry document text a cache could hand to the
// next user behind the same proxy. Static assets hold no document content and stay cacheable.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			w.Header().Set("Cache-Control", "private, no-store")
		}
		next.ServeHTTP(w, r)
	})
}
