package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/docent-search/docent/internal/source"
)

// User is the signed-in reader.
type User struct {
	Name   string
	Groups []string
	Admin  bool
	// Key is the name of the API key that authenticated the request; empty for a browser.
	Key string
}

// Identity decides who a request comes from. Behind an SSO proxy, the user and groups come
// from headers, honoured only from the trusted proxy addresses; a request from anywhere else
// that carries them is rejected, since anyone could write them. With OIDC set, Docent signs
// readers in itself (oidc.go). With neither, local mode serves one built-in admin, and only to
// this machine. API keys are checked before any of these (apikeys.go).
type Identity struct {
	TrustedProxies []netip.Prefix
	UserHeader     string
	GroupsHeader   string
	AdminGroup     string
	// PublicHost is the host readers reach Docent at behind the proxy (DOCENT_PUBLIC_URL's):
	// the only Host header served then. Unset behind a proxy, no request is served.
	PublicHost string
	// OIDC, when set, signs readers in with an OpenID Connect provider instead (oidc.go).
	OIDC *OIDC
}

// LocalUser is the built-in user of local mode.
const LocalUser = "local-admin"

type userKey struct{}

// userFrom returns the request's user, set by the middleware.
func userFrom(ctx context.Context) User {
	u, _ := ctx.Value(userKey{}).(User)
	return u
}

func (id Identity) local() bool { return len(id.TrustedProxies) == 0 && id.OIDC == nil }

// middleware attaches the user to the request, or refuses it.
func (id Identity) middleware(next http.Handler, refuse func(w http.ResponseWriter, r *http.Request, status int, msg string)) http.Handler {
	if id.OIDC != nil {
		return id.OIDC.middleware(next, refuse)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		addr := remoteAddr(r)
		var u User
		switch {
		case id.local():
			if !addr.IsLoopback() {
				refuse(w, r, http.StatusForbidden, "Docent runs in local mode and serves only this machine. To serve others, put it behind an SSO proxy and set DOCENT_TRUSTED_PROXIES and DOCENT_PUBLIC_URL.")
				return
			}
			u = User{Name: LocalUser, Groups: []string{id.AdminGroup}, Admin: true}
		case !slices.ContainsFunc(id.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(addr) }):
			if r.Header.Get(id.UserHeader) != "" || r.Header.Get(id.GroupsHeader) != "" {
				refuse(w, r, http.StatusForbidden, "Identity headers are accepted only from the trusted proxy.")
				return
			}
			refuse(w, r, http.StatusUnauthorized, "Not signed in: open Docent through your organisation's sign-in.")
			return
		default:
			// Two copies of a header are two claims, one perhaps added by the client and passed
			// on by the proxy: refuse rather than guess which one the proxy meant.
			for _, h := range []string{id.UserHeader, id.GroupsHeader} {
				if len(r.Header.Values(h)) > 1 {
					refuse(w, r, http.StatusBadRequest, "Ambiguous identity: the request carries more than one "+h+" header.")
					return
				}
				// net/http refuses NUL in a header but passes other bytes on: a name a gateway
				// sent in Latin-1 reached PostgreSQL and made every request of its reader a 500.
				if err := checkText(h, r.Header.Get(h)); err != nil {
					refuse(w, r, http.StatusBadRequest, err.Error())
					return
				}
			}
			u.Name = strings.TrimSpace(r.Header.Get(id.UserHeader))
			if u.Name == "" {
				refuse(w, r, http.StatusUnauthorized, "Not signed in: the proxy sent no user.")
				return
			}
			u.Groups = source.SplitGroups(r.Header.Get(id.GroupsHeader))
			u.Admin = slices.Contains(u.Groups, id.AdminGroup)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// limiter is a per-user limit on questions: a rate, and how many may be in progress at once.
// One bucket per user, forgotten after an idle hour.
type limiter struct {
	perMinute float64
	mu        sync.Mutex
	buckets   map[string]*bucket
}

type bucket struct {
	lim    *rate.Limiter
	seen   time.Time
	asking int // questions in progress
}

func newLimiter(perMinute float64) *limiter {
	return &limiter{perMinute: perMinute, buckets: map[string]*bucket{}}
}

// maxAsking bounds the questions one user has in progress. A question holds its admission slot
// for as long as the model takes: without this bound, a burst within the rate held every slot
// of a server answering through a slow model, and every other reader was refused meanwhile.
const maxAsking = 2

// errAsking refuses a question while the user already has maxAsking in progress.
var errAsking = problem{http.StatusTooManyRequests, fmt.Sprintf("You already have %d questions being answered: wait for one to finish.", maxAsking)}

// start admits one of user's questions, or says why not (errRateLimited, errAsking); done,
// called once the question is over, frees its place. With no rate set, nothing is limited.
func (l *limiter) start(user string) (done func(), err error) {
	if l == nil || l.perMinute <= 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.buckets) > 10000 {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > time.Hour && b.asking == 0 {
				delete(l.buckets, k)
			}
		}
	}
	b := l.buckets[user]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.perMinute/60), 10)}
		l.buckets[user] = b
	}
	b.seen = now
	switch {
	case b.asking >= maxAsking: // checked first: a refused question spends none of the rate
		return nil, errAsking
	case !b.lim.Allow():
		return nil, errRateLimited
	}
	b.asking++
	return func() {
		l.mu.Lock()
		b.asking--
		l.mu.Unlock()
	}, nil
}
