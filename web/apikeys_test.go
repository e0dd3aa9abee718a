package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/auth"
	"github.com/docent-search/docent/web"
)

var newKey = regexp.MustCompile(`value="(docent_[0-9a-f]+)" data-testid="new-key"`)

// createKey creates an API key in the browser as the proxy's user with groups, and returns
// the key shown once on the page.
func createKey(t *testing.T, base, user, groups string, form url.Values) string {
	t.Helper()
	status, body := do(t, "POST", base+"/keys", form.Encode(), map[string]string{"X-Forwarded-User": user, "X-Forwarded-Groups": groups,
		"Content-Type": "application/x-www-form-urlencoded"})
	m := newKey.FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("creating key %v for %s: %d, no key on the page: %.500s", form, user, status, body)
	}
	return m[1]
}

func bearer(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }

const secretQuery = "/api/search?q=zygomorphic+budget+codeword"

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, proxied(), "")
	hrKey := createKey(t, ts.URL, "bo", "hr,staff", url.Values{"name": {"laptop"}, "expires": {"90d"}, "scope": {"read"}})
	salesKey := createKey(t, ts.URL, "ann", "sales", url.Values{"name": {"script"}, "expires": {"30d"}, "scope": {"read"}})
	adminKey := createKey(t, ts.URL, "root", "docent-admins", url.Values{"name": {"ci"}, "expires": {"30d"}, "scope": {"admin"}})

	t.Run("KeyActsAsItsOwnerWithTheirGroups", func(t *testing.T) {
		status, body := do(t, "GET", ts.URL+secretQuery, "", bearer(hrKey))
		if status != 200 || !strings.Contains(body, "PERIWINKLE") {
			t.Errorf("hr key: %d, secret seen %v", status, strings.Contains(body, "PERIWINKLE"))
		}
		status, body = do(t, "GET", ts.URL+secretQuery, "", bearer(salesKey))
		if status != 200 || strings.Contains(body, "PERIWINKLE") || strings.Contains(body, "budget.md") {
			t.Errorf("sales key: %d, secret seen %v", status, strings.Contains(body, "PERIWINKLE"))
		}
	})

	t.Run("IdentityHeadersAreIgnoredWithAKey", func(t *testing.T) {
		h := bearer(salesKey)
		h["X-Forwarded-User"], h["X-Forwarded-Groups"] = "root", "hr,docent-admins"
		status, body := do(t, "GET", ts.URL+secretQuery, "", h)
		if status != 200 || strings.Contains(body, "PERIWINKLE") {
			t.Errorf("sales key with hr headers: %d, secret seen %v", status, strings.Contains(body, "PERIWINKLE"))
		}
		if status, _ := do(t, "GET", ts.URL+"/api/audit", "", h); status != http.StatusForbidden {
			t.Errorf("sales key with admin headers on /api/audit: %d, want 403", status)
		}
	})

	t.Run("ReadKeyCannotReachAdminEndpoints", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/audit"}, {"POST", "/api/sources/docs/reindex"}, {"GET", "/api/admin/oversharing"}, {"GET", "/api/jobs/1"},
			{"GET", "/api/insights"}, {"GET", "/api/insights/gaps"}, {"POST", "/api/insights/gaps/1"},
		} {
			if status, _ := do(t, c.method, ts.URL+c.path, "", bearer(hrKey)); status != http.StatusForbidden {
				t.Errorf("read key %s %s: %d, want 403", c.method, c.path, status)
			}
		}
	})

	t.Run("AdminKeyReachesTheAdminAPIAndIsAudited", func(t *testing.T) {
		status, body := do(t, "POST", ts.URL+"/api/sources/docs/reindex", "", bearer(adminKey))
		if status != http.StatusAccepted {
			t.Fatalf("admin key re-index: %d %s", status, body)
		}
		status, body = do(t, "GET", ts.URL+"/api/audit", "", bearer(adminKey))
		var got struct{ Entries []auth.Entry }
		if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil {
			t.Fatalf("audit: %d %v", status, err)
		}
		found := map[string]bool{}
		for _, e := range got.Entries {
			found[e.Action+" "+e.Actor+" "+e.Target] = true
			if e.Action == "re-index started" && (!strings.Contains(e.Detail, "API key ci") || e.Remote != "127.0.0.1" || e.At.IsZero()) {
				t.Errorf("re-index entry = %+v", e)
			}
		}
		for _, want := range []string{"key created bo bo/laptop", "key created root root/ci", "re-index started root docs"} {
			if !found[want] {
				t.Errorf("audit log lacks %q: %v", want, found)
			}
		}
	})

	t.Run("AdminScopeNeedsTheAdminGroup", func(t *testing.T) {
		status, body := do(t, "POST", ts.URL+"/keys", url.Values{"name": {"sneaky"}, "expires": {"30d"}, "scope": {"admin"}}.Encode(),
			map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr", "Content-Type": "application/x-www-form-urlencoded"})
		if status != http.StatusBadRequest || newKey.MatchString(body) || !strings.Contains(body, "admin group") {
			t.Errorf("admin key for a non-admin: %d %.300s", status, body)
		}
	})

	t.Run("KeysOpenOnlyTheAPI", func(t *testing.T) {
		for _, p := range []string{"/", "/admin", "/keys", "/search?q=taxi"} {
			if status, _ := do(t, "GET", ts.URL+p, "", bearer(adminKey)); status != http.StatusUnauthorized {
				t.Errorf("admin key on %s: %d, want 401", p, status)
			}
		}
	})

	t.Run("RevokedExpiredAndUnknownKeysGet401", func(t *testing.T) {
		gone := createKey(t, ts.URL, "bo", "hr", url.Values{"name": {"old"}, "expires": {"90d"}, "scope": {"read"}})
		if status, _ := do(t, "GET", ts.URL+secretQuery, "", bearer(gone)); status != 200 {
			t.Fatalf("fresh key: %d", status)
		}
		status, body := do(t, "POST", ts.URL+"/keys/old/revoke", "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"})
		if status != 200 || !strings.Contains(body, "revoked") {
			t.Fatalf("revoking: %d %.300s", status, body)
		}
		if status, _ := do(t, "GET", ts.URL+secretQuery, "", bearer(gone)); status != http.StatusUnauthorized {
			t.Errorf("revoked key: %d, want 401", status)
		}
		expiring := createKey(t, ts.URL, "bo", "hr", url.Values{"name": {"brief"}, "expires": {"1d"}, "scope": {"read"}})
		if _, err := srv.Pool.Exec(context.Background(), `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE name = 'brief'`); err != nil {
			t.Fatal(err)
		}
		for name, h := range map[string]map[string]string{
			"expired":   bearer(expiring),
			"unknown":   bearer("docent_" + strings.Repeat("0", 64)),
			"tampered":  bearer(hrKey[:len(hrKey)-1] + "x"),
			"no prefix": bearer(strings.TrimPrefix(hrKey, "docent_")),
			"basic":     {"Authorization": "Basic Ym86aHI="},
		} {
			if status, _ := do(t, "GET", ts.URL+secretQuery, "", h); status != http.StatusUnauthorized {
				t.Errorf("%s key: %d, want 401", name, status)
			}
		}
	})

	t.Run("ListShowsLastUseNeverTheSecret", func(t *testing.T) {
		status, body := do(t, "GET", ts.URL+"/keys", "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"})
		if status != 200 || strings.Contains(body, hrKey) || !strings.Contains(body, hrKey[:13]) || strings.Contains(body, `data-key="ci"`) {
			t.Errorf("keys page: %d; shows the secret %v, the prefix %v", status, strings.Contains(body, hrKey), strings.Contains(body, hrKey[:13]))
		}
		keys, err := auth.ListKeys(context.Background(), srv.Pool, "bo")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if k.Name == "laptop" && k.LastUsed == nil {
				t.Errorf("laptop was used but has no last use")
			}
		}
		var stored string
		if err := srv.Pool.QueryRow(context.Background(), `SELECT string_agg(encode(hash, 'escape') || prefix, ' ') FROM api_keys`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, hrKey[13:]) {
			t.Error("the key's secret part is stored")
		}
	})
}

// Behind a proxy a key acts with its owner's groups as the proxy last gave them: a reader who
// leaves hr loses hr through their key at their next request, and regains it on rejoining.
func TestProxyKeysFollowTheirOwnersGroups(t *testing.T) {
	t.Parallel()
	ts, _ := setupServer(t, proxied(), "")
	key := createKey(t, ts.URL, "bo", "hr,staff", url.Values{"name": {"laptop"}, "expires": {"90d"}, "scope": {"read"}})
	sees := func() bool {
		status, body := do(t, "GET", ts.URL+secretQuery, "", bearer(key))
		if status != 200 {
			t.Fatalf("search with the key: %d %.200s", status, body)
		}
		return strings.Contains(body, "PERIWINKLE")
	}
	if !sees() {
		t.Fatal("a key made while its owner was in hr does not see hr's document")
	}
	do(t, "GET", ts.URL+"/search", "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "staff"})
	if sees() {
		t.Error("the key still reads hr's document after its owner left hr")
	}
	do(t, "GET", ts.URL+"/search", "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "staff,hr"})
	if !sees() {
		t.Error("the key does not read hr's document once its owner is back in hr")
	}
}

// TestProxyKeysFollowTheirOwnersGroupsAcrossServers: behind a load balancer, a reader's requests
// reach several servers, and each remembered the groups it had last written to the reader's
// keys, writing again only when the reader's groups differed from those. Server A saw bo in
// staff; server B then saw bo in staff and hr and gave his key hr; bo left hr, and his next
// requests reached A, which saw the groups it remembered and wrote nothing: the key read hr's
// documents for as long as bo's requests went to A. What a server remembers now holds only
// for a short while (keyGroupsRecheck; shortened here), after which it writes again.
func TestProxyKeysFollowTheirOwnersGroupsAcrossServers(t *testing.T) {
	t.Parallel()
	ts, a := setupServer(t, proxied(), "")
	web.RecheckKeyGroupsAfter(a, 10*time.Millisecond)
	b := &web.Server{Pool: a.Pool, Searcher: a.Searcher, Asker: a.Asker, Conversations: a.Conversations, Jobs: a.Jobs,
		Log: a.Log, QueryLog: a.QueryLog, Identity: proxied()}
	tsB := httptest.NewServer(b.Handler())
	t.Cleanup(tsB.Close)
	key := createKey(t, ts.URL, "bo", "staff", url.Values{"name": {"laptop"}, "expires": {"90d"}, "scope": {"read"}})
	sees := func() bool {
		status, body := do(t, "GET", ts.URL+secretQuery, "", bearer(key))
		if status != 200 {
			t.Fatalf("search with the key: %d %.200s", status, body)
		}
		return strings.Contains(body, "PERIWINKLE")
	}
	as := func(base, groups string) {
		if status, body := do(t, "GET", base+"/search", "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": groups}); status != 200 {
			t.Fatalf("bo in %s: %d %.200s", groups, status, body)
		}
	}
	if sees() {
		t.Fatal("a key made while its owner was in staff alone reads hr's document")
	}
	as(tsB.URL, "staff,hr")
	if !sees() {
		t.Fatal("the key does not read hr's document once its owner, seen by the other server, is in hr")
	}
	time.Sleep(20 * time.Millisecond)
	as(ts.URL, "staff")
	if sees() {
		t.Error("the key still reads hr's document after its owner, back on the first server, left hr")
	}
}

// TestKeyFormThatDoesNotDecodeIsRefused: a key form with an escape that does not decode was read
// as if the field were absent (net/http's PostFormValue drops what it cannot parse), and the
// reader was told about another field ("expires: want a lifetime…" for a bad name); it is
// refused as the other forms are, saying the form could not be read and why.
func TestKeyFormThatDoesNotDecodeIsRefused(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	status, body := do(t, "POST", ts.URL+"/keys", "expires=30d&scope=read&name=laptop%zz",
		map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "staff", "Content-Type": "application/x-www-form-urlencoded"})
	if status != http.StatusBadRequest || !strings.Contains(body, "the key form could not be read") || !strings.Contains(body, "%zz") {
		t.Errorf("a name that does not decode: %d %.300s", status, body[max(0, strings.Index(body, `role="alert"`)):])
	}
}

// TestKeyNameThatIsNotTextIsNamed: a key name with a NUL or invalid UTF-8 is refused with a
// message naming the field, not PostgreSQL's own ("invalid byte sequence … SQLSTATE 22021").
func TestKeyNameThatIsNotTextIsNamed(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	for _, name := range []string{"a%00b", "a%FFb"} {
		status, body := do(t, "POST", ts.URL+"/keys", "name="+name+"&expires=30d&scope=read",
			map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "staff", "Content-Type": "application/x-www-form-urlencoded"})
		if status != http.StatusBadRequest || !strings.Contains(body, "name: must be UTF-8 text without NUL characters") || strings.Contains(body, "SQLSTATE") {
			t.Errorf("key named %s: %d %.300s", name, status, body[max(0, strings.Index(body, `role="alert"`)):])
		}
	}
}
