package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/docent-search/docent/internal/auth"
)

// withKeys authenticates a request that carries an API key by the key alone: identity
// headers, cookies and the identity mode play no part, so a script behind or beside the SSO
// proxy acts exactly as the key's owner with the key's groups. Requests without a key go to
// byIdentity. Keys open only the JSON API and the MCP endpoint, never the browser pages.
func (s *Server) withKeys(byIdentity, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		if authz == "" {
			byIdentity.ServeHTTP(w, r)
			return
		}
		refuse := func(msg string) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="docent"`)
			s.fail(w, r, http.StatusUnauthorized, msg)
		}
		token, ok := strings.CutPrefix(authz, "Bearer ")
		switch {
		case !ok:
			refuse("Authorization: want \"Bearer docent_…\" with a personal API key.")
			return
		case !strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/mcp":
			refuse("API keys are accepted on /api/… and /mcp only; open pages in the browser.")
			return
		case s.Identity.local() && !remoteAddr(r).IsLoopback():
			s.fail(w, r, http.StatusForbidden, "Docent runs in local mode and serves only this machine.")
			return
		}
		key, err := auth.UseKey(r.Context(), s.Pool, strings.TrimSpace(token))
		switch {
		case errors.Is(err, auth.ErrInvalid):
			refuse("Invalid API key: unknown, revoked or expired.")
			return
		case err != nil:
			s.error(w, r, err)
			return
		}
		u := User{Name: key.User, Groups: key.Groups, Key: key.Name,
			// An admin key whose owner has since left the admin group reads only.
			Admin: key.Scope == auth.ScopeAdmin && slices.Contains(key.Groups, s.Identity.AdminGroup)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

// keysPage lists the reader's keys with a form to create one.
func (s *Server) keysPage(w http.ResponseWriter, r *http.Request) {
	s.renderKeys(w, r, http.StatusOK, "", "", "")
}

func (s *Server) renderKeys(w http.ResponseWriter, r *http.Request, status int, created, notice, problem string) {
	u := userFrom(r.Context())
	keys, err := auth.ListKeys(r.Context(), s.Pool, u.Name)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, status, keysPage(keysModel{page: s.pageFor(r, "API keys", "keys"), Keys: keys, Created: created,
		Notice: notice, Error: problem, MCPURL: s.baseURL(r) + "/mcp"}))
}

// createKey creates a key for the signed-in reader with their current groups and shows its
// secret once, in this response only (never in a redirect URL or a log).
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	u := userFrom(r.Context())
	// PostFormValue reads a field it cannot decode as absent: say what is wrong with the form
	// rather than that another field is missing.
	if err := r.ParseForm(); err != nil {
		s.renderKeys(w, r, http.StatusBadRequest, "", "", "the key form could not be read: "+err.Error())
		return
	}
	ttl, err := auth.ParseTTL(r.PostFormValue("expires"))
	var token string
	var key auth.Key
	if err == nil {
		token, key, err = auth.CreateKey(r.Context(), s.Pool, auth.NewKey{User: u.Name, Name: r.PostFormValue("name"),
			Groups: u.Groups, Scope: r.PostFormValue("scope"), TTL: ttl, AdminGroup: s.Identity.AdminGroup})
	}
	if err != nil {
		s.renderKeys(w, r, http.StatusBadRequest, "", "", err.Error())
		return
	}
	s.audit(r, "key created", key.User+"/"+key.Name, "scope="+key.Scope+" expires="+key.Expires.UTC().Format("2006-01-02"))
	s.renderKeys(w, r, http.StatusOK, token, "Key "+key.Name+" created. Copy it now: it is not shown again.", "")
}

// revokeKey revokes one of the reader's own keys.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	key, err := auth.RevokeKey(r.Context(), s.Pool, u.Name, r.PathValue("name"))
	switch {
	case errors.Is(err, auth.ErrNotFound):
		s.renderKeys(w, r, http.StatusNotFound, "", "", err.Error())
	case err != nil:
		s.error(w, r, err)
	default:
		s.audit(r, "key revoked", key.User+"/"+key.Name, "")
		s.renderKeys(w, r, http.StatusOK, "", "Key "+key.Name+" revoked.", "")
	}
}

// baseURL is where clients reach Docent: DOCENT_PUBLIC_URL, or the request's own origin.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// keyGroupsSeen remembers, per reader, the groups last written to their API keys and when, so
// that behind a proxy a key follows its owner's groups without a write per request.
//
// What it remembers holds only for recheck (keyGroupsRecheck): behind a load balancer
// another server may have written other groups since (the reader's, then), and a server that
// trusted its memory for good never wrote again while the reader's groups were the ones it
// remembered: a key kept a group its owner had lost for as long as the owner's requests went to
// that server.
type keyGroupsSeen struct {
	mu      sync.Mutex
	seen    map[string]seenGroups
	recheck time.Duration
}

type seenGroups struct {
	groups string
	at     time.Time
}

// keyGroupsRecheck is how long a server trusts that a reader's keys still hold the groups
// it last wrote to them: at most one write (a no-op when nothing changed) per reader and server
// this often, and the longest a key may read with a group its owner has lost, behind several
// servers, once the owner's next request comes.
const keyGroupsRecheck = 10 * time.Second

// syncKeyGroups keeps a proxy reader's API keys at the groups the proxy gives the reader now:
// a key must never read with groups its owner has lost. (In OIDC mode sign-in does this.)
func (s *Server) syncKeyGroups(next http.Handler) http.Handler {
	if s.Identity.OIDC != nil || s.Identity.local() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userFrom(r.Context())
		if u.Name != "" && u.Key == "" {
			groups := strings.Join(u.Groups, "\x00")
			now := time.Now()
			s.keyGroups.mu.Lock()
			prev, ok := s.keyGroups.seen[u.Name]
			recheck := cmp.Or(s.keyGroups.recheck, keyGroupsRecheck)
			s.keyGroups.mu.Unlock()
			same := ok && prev.groups == groups
			if !same || now.Sub(prev.at) >= recheck {
				if err := auth.SetKeyGroups(r.Context(), s.Pool, u.Name, u.Groups); err != nil {
					if !same {
						s.error(w, r, err)
						return
					}
					// Only checking again groups this server wrote: a database that cannot
					// take the write (the primary down, searches on a replica) fails no page,
					// and is tried again after recheck, not at every request.
					s.Log.Warn("checking the groups of a reader's API keys", "user", u.Name, "err", err)
				}
				s.keyGroups.mu.Lock()
				if s.keyGroups.seen == nil {
					s.keyGroups.seen = map[string]seenGroups{}
				}
				s.keyGroups.seen[u.Name] = seenGroups{groups, now}
				s.keyGroups.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}
