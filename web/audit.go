package web

import (
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/docent-search/docent/internal/auth"
)

// audit records an admin action of the request's user. The action has happened by then: a
// failure to record it is logged, not turned into an error the admin would retry.
func (s *Server) audit(r *http.Request, action, target, detail string) {
	u := userFrom(r.Context())
	if u.Key != "" {
		detail = strings.TrimSpace(detail + " (API key " + u.Key + ")")
	}
	e := auth.Entry{Actor: u.Name, Action: action, Target: target, Detail: detail, Remote: s.remote(r)}
	if err := auth.Record(r.Context(), s.Pool, e); err != nil {
		s.Log.Error("recording an admin action in the audit log", "action", action, "target", target, "user", u.Name, "err", err)
	}
}

// remote is where the request came from: the peer address, and behind a trusted proxy the
// client address the proxy forwarded (from anyone else that header is not believed).
func (s *Server) remote(r *http.Request) string {
	addr := remoteAddr(r)
	from := addr.String()
	fwd := strings.TrimSpace(r.Header.Get("X-Forwarded-For"))
	if fwd != "" && userFrom(r.Context()).Key == "" && slices.ContainsFunc(s.Identity.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(addr) }) {
		from += " for " + fwd
	}
	return from
}

// audited records action once h has succeeded: a status below 400. The target is the route's {name} or {id}; the
// detail is the submitted form.
func (s *Server) audited(action string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h(rec, r)
		if rec.status >= 400 {
			return
		}
		target := r.PathValue("name")
		if target == "" {
			target = r.PathValue("id")
		}
		if target == "" && r.PostForm != nil {
			target = r.PostForm.Get("name")
		}
		detail := ""
		if r.PostForm != nil {
			detail = formDetail(r.PostForm)
		}
		s.audit(r, action, target, detail)
	}
}

// formDetail writes a submitted form as name=value pairs, in a stable order.
func formDetail(f url.Values) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(f)) {
		parts = append(parts, k+"="+strconv.Quote(strings.Join(f[k], ",")))
	}
	return strings.Join(parts, " ")
}

// auditLimit reads ?limit= (default 100, at most 1000).
func auditLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, badRequest("limit: want a whole number from 1 to 1000")
	}
	return n, nil
}

// apiAudit lists the newest admin actions, for admins.
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	n, err := auditLimit(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	entries, err := auth.AuditLog(r.Context(), s.Pool, n)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

// auditPage shows the newest admin actions.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	n, err := auditLimit(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	entries, err := auth.AuditLog(r.Context(), s.Pool, n)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, auditPage(s.pageFor(r, "Audit log", "admin"), entries))
}
