package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"

	"github.com/docent-search/docent/web"
)

// provider is a real OpenID Provider (zitadel/oidc's op package with its example storage and
// login form) running in the test. Its users' groups can change between sign-ins, and its
// token endpoint can be made to hand out another ID token (a compromised or confused
// provider), to check what Docent refuses.
type provider struct {
	URL     string
	clients map[string]*storage.Client
	storage *storage.Storage
	mu      sync.Mutex
	groups  map[string][]string // by user name
	// email is, by user name, an address put in the ID token instead of preferred_username,
	// with whether the provider verified it.
	email map[string]verifiedEmail
	swap  string // ID token to put in the next token response
}

const password = "correct-horse"

func newProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{clients: map[string]*storage.Client{}, groups: map[string][]string{}, email: map[string]verifiedEmail{}}
	users := users{}
	// "nul\x00name" is a name PostgreSQL cannot store, as a provider might send.
	for _, name := range []string{"alice", "bob", "admin", "nul\x00name", "carol", "mallory"} {
		users[name] = &storage.User{ID: name, Username: name, Password: password, FirstName: name, LastName: "Tester", Email: name + "@example.com", EmailVerified: true}
	}
	p.serve(t, claims{storage.NewStorageWithClients(users, p.clients), p})
	return p
}

// twin is another provider, at another issuer URL, over the same users, clients and signing
// key as p: its tokens carry valid signatures and only the issuer differs.
func (p *provider) twin(t *testing.T) *provider {
	t.Helper()
	tw := &provider{clients: p.clients, groups: p.groups}
	tw.serve(t, claims{p.storage, tw})
	return tw
}

func (p *provider) serve(t *testing.T, st claims) {
	t.Helper()
	p.storage = st.Storage
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		swap := p.swap
		p.mu.Unlock()
		if r.URL.Path != "/oauth/token" || swap == "" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("token response: %v", err)
		}
		body["id_token"] = swap
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(ts.Close)
	p.URL = ts.URL
	h = exampleop.SetupServer(ts.URL, st, slog.New(slog.DiscardHandler), false)
}

// register adds a confidential web client.
func (p *provider) register(id, secret, redirect string) {
	p.clients[id] = storage.WebClient(id, secret, redirect)
}

func (p *provider) setGroups(user string, groups ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groups[user] = groups
}

func (p *provider) swapIDToken(tok string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.swap = tok
}

type verifiedEmail struct {
	address  string
	verified any // as the provider sends it: true, false, "false"
}

type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }
func (u users) GetUserByUsername(name string) *storage.User {
	return u[name]
}
func (u users) ExampleClientID() string { return "service" }

// claims puts the user's name and groups in the ID token, as Keycloak's or Entra ID's group
// mappers do.
type claims struct {
	*storage.Storage
	p *provider
}

func (c claims) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := c.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	info.PreferredUsername = req.GetSubject()
	if e, ok := c.p.email[req.GetSubject()]; ok {
		info.PreferredUsername = ""
		info.AppendClaims("email", e.address)
		info.AppendClaims("email_verified", e.verified)
	}
	info.AppendClaims("groups", c.p.groups[req.GetSubject()])
	return nil
}

// oidcServer serves the sample documents with OIDC sign-in at p; logs collects what the
// server logs about refused sign-ins.
func oidcServer(t *testing.T, p *provider) (*httptest.Server, *web.Server, *bytes.Buffer) {
	t.Helper()
	return oidcServerOver(t, p, "http")
}

// oidcServerOver is oidcServer over http or https.
func oidcServerOver(t *testing.T, p *provider, scheme string) (*httptest.Server, *web.Server, *bytes.Buffer) {
	t.Helper()
	srv := newServer(t, "")
	ts := httptest.NewUnstartedServer(nil)
	base := scheme + "://" + ts.Listener.Addr().String()
	p.register("docent", "docent-secret", base+"/auth/callback")
	logs := &bytes.Buffer{}
	o, err := web.NewOIDC(context.Background(), srv.Pool, web.OIDCSettings{Issuer: p.URL, ClientID: "docent", ClientSecret: "docent-secret",
		PublicURL: base, Scopes: []string{"openid", "profile"}, GroupsClaim: "groups", AdminGroup: "docent-admins",
		SessionLifetime: time.Hour}, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.Identity = web.Identity{AdminGroup: "docent-admins", PublicHost: "127.0.0.1", OIDC: o}
	ts.Config.Handler = srv.Handler()
	if scheme == "https" {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return ts, srv, logs
}

// signIn opens path on Docent as a fresh browser, signs in at the provider's login form as
// user, and returns the browser and the page it lands on.
func signIn(t *testing.T, docent, op, user, path string) (*http.Client, *http.Response, string) {
	t.Helper()
	return signInWith(t, http.DefaultTransport, docent, op, user, path)
}

// signInWith is signIn through transport.
func signInWith(t *testing.T, transport http.RoundTripper, docent, op, user, path string) (*http.Client, *http.Response, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: transport}
	resp, err := c.Get(docent + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if !strings.HasPrefix(resp.Request.URL.String(), op+"/login/") || id == "" {
		t.Fatalf("opening %s led to %s, not the provider's login form", path, resp.Request.URL)
	}
	resp, err = c.PostForm(op+"/login/username", url.Values{"username": {user}, "password": {password}, "id": {id}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return c, resp, string(b)
}

// searchAs runs a search with client c and reports the status and whether the secret showed.
func searchAs(t *testing.T, c *http.Client, u string) (int, bool) {
	t.Helper()
	resp, err := c.Get(u + "/api/search?q=zygomorphic+budget+codeword")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.Contains(string(b), "PERIWINKLE")
}

func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.setGroups("alice", "hr", "staff")
	p.setGroups("bob", "staff")
	ts, srv, logs := oidcServer(t, p)

	t.Run("SignedOutReadersAreSentToSignIn", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/api/search?q=taxi")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("API without a session: %d, want 401", resp.StatusCode)
		}
	})

	alice, resp, body := signIn(t, ts.URL, p.URL, "alice", "/search?q=zygomorphic+budget+codeword")
	t.Run("LoginLandsOnTheRequestedPageWithTheClaimsGroups", func(t *testing.T) {
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/search" || !strings.Contains(body, "PERIWINKLE") {
			t.Fatalf("after sign-in: %d at %s; secret shown: %v", resp.StatusCode, resp.Request.URL, strings.Contains(body, "PERIWINKLE"))
		}
		if !strings.Contains(body, `data-testid="user">alice<`) {
			t.Errorf("the page does not name alice")
		}
	})
	t.Run("SessionCookieIsHttpOnlyAndLax", func(t *testing.T) {
		// The callback's Set-Cookie, on the redirects the browser followed.
		var set []string
		for r := resp.Request.Response; r != nil; r = r.Request.Response {
			set = append(set, r.Header.Values("Set-Cookie")...)
		}
		found := false
		for _, c := range set {
			if strings.HasPrefix(c, "docent_session=") {
				found = true
				if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") || strings.Contains(c, "Secure") {
					t.Errorf("session cookie over http = %q, want HttpOnly, SameSite=Lax, not Secure", c)
				}
			}
		}
		if !found {
			t.Errorf("no session cookie among %q", set)
		}
	})

	t.Run("RestrictedDocumentOnlyForTheRightGroup", func(t *testing.T) {
		if st, seen := searchAs(t, alice, ts.URL); st != 200 || !seen {
			t.Errorf("alice (hr): %d, secret seen %v; want 200, seen", st, seen)
		}
		bob, _, _ := signIn(t, ts.URL, p.URL, "bob", "/")
		if st, seen := searchAs(t, bob, ts.URL); st != 200 || seen {
			t.Errorf("bob (no hr): %d, secret seen %v; want 200, not seen", st, seen)
		}
		// Groups are read again at each sign-in.
		p.setGroups("bob", "staff", "hr")
		bob, _, _ = signIn(t, ts.URL, p.URL, "bob", "/")
		if st, seen := searchAs(t, bob, ts.URL); st != 200 || !seen {
			t.Errorf("bob after joining hr and signing in again: %d, secret seen %v", st, seen)
		}
	})

	t.Run("AdminGroupFromTheClaim", func(t *testing.T) {
		p.setGroups("admin", "docent-admins")
		admin, _, _ := signIn(t, ts.URL, p.URL, "admin", "/admin")
		for c, want := range map[*http.Client]int{admin: 200, alice: 403} {
			resp, err := c.Get(ts.URL + "/admin")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("/admin: %d, want %d", resp.StatusCode, want)
			}
		}
	})

	t.Run("TamperedCookieIsRefused", func(t *testing.T) {
		u, _ := url.Parse(ts.URL)
		var token string
		for _, c := range alice.Jar.Cookies(u) {
			if c.Name == "docent_session" {
				token = c.Value
			}
		}
		if token == "" {
			t.Fatal("no session cookie in alice's browser")
		}
		flipped := []byte(token)
		flipped[len(flipped)/2] ^= 1
		for _, v := range []string{string(flipped), token + "x", "", strings.Repeat("A", len(token))} {
			req, _ := http.NewRequest("GET", ts.URL+"/api/search?q=taxi", nil)
			req.AddCookie(&http.Cookie{Name: "docent_session", Value: v})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("cookie %q: %d, want 401", v, resp.StatusCode)
			}
		}
	})

	t.Run("ExpiredSessionSignsInAgain", func(t *testing.T) {
		carol, _, _ := signIn(t, ts.URL, p.URL, "bob", "/")
		if _, err := srv.Pool.Exec(context.Background(), `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_name = 'bob'`); err != nil {
			t.Fatal(err)
		}
		if st, _ := searchAs(t, carol, ts.URL); st != http.StatusUnauthorized {
			t.Errorf("expired session: %d, want 401", st)
		}
		resp, err := carol.Get(ts.URL + "/search")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !strings.HasPrefix(resp.Request.URL.String(), p.URL+"/login/") {
			t.Errorf("a page with an expired session led to %s, not the sign-in", resp.Request.URL)
		}
	})

	t.Run("SignOutRevokesTheSession", func(t *testing.T) {
		dave, _, _ := signIn(t, ts.URL, p.URL, "alice", "/")
		u, _ := url.Parse(ts.URL)
		cookies := dave.Jar.Cookies(u)
		resp, err := dave.Post(ts.URL+"/auth/logout", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "signed out") {
			t.Fatalf("sign-out: %d %s", resp.StatusCode, b)
		}
		// The old cookie, replayed, is dead too: the session is gone server-side.
		req, _ := http.NewRequest("GET", ts.URL+"/api/search?q=taxi", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("replayed cookie after sign-out: %d, want 401", resp.StatusCode)
		}
	})

	t.Run("KeysLoseAGroupWhenTheirOwnerSignsInWithoutIt", func(t *testing.T) {
		p.setGroups("alice", "hr", "staff")
		c, _, _ := signIn(t, ts.URL, p.URL, "alice", "/keys")
		resp, err := c.PostForm(ts.URL+"/keys", url.Values{"name": {"laptop"}, "expires": {"90d"}, "scope": {"read"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := newKey.FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("no key created: %d %.300s", resp.StatusCode, b)
		}
		if status, body := do(t, "GET", ts.URL+secretQuery, "", bearer(m[1])); status != 200 || !strings.Contains(body, "PERIWINKLE") {
			t.Errorf("alice's key while she is in hr: %d", status)
		}
		p.setGroups("alice", "staff")
		signIn(t, ts.URL, p.URL, "alice", "/")
		if status, body := do(t, "GET", ts.URL+secretQuery, "", bearer(m[1])); status != 200 || strings.Contains(body, "PERIWINKLE") {
			t.Errorf("alice's key after she signed in without hr: %d, secret seen %v", status, strings.Contains(body, "PERIWINKLE"))
		}
	})

	t.Run("ForgedCallbackIsRefused", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/auth/callback?code=abc&state=xyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("callback without a sign-in in progress: %d, want 400", resp.StatusCode)
		}
	})

	t.Run("WrongAudienceOrIssuerIsRefused", func(t *testing.T) {
		// A real ID token from the same provider, for another application.
		p.register("other", "other-secret", "http://127.0.0.1:1/other")
		otherApp := idToken(t, p, "other", "other-secret", "http://127.0.0.1:1/other", "alice")
		// A real ID token for docent, signed with the provider's own key, from another issuer
		// URL, and one from another provider altogether.
		otherIssuer := idToken(t, p.twin(t), "docent", "docent-secret", ts.URL+"/auth/callback", "alice")
		p2 := newProvider(t)
		p2.register("docent", "docent-secret", "http://127.0.0.1:1/elsewhere")
		otherProvider := idToken(t, p2, "docent", "docent-secret", "http://127.0.0.1:1/elsewhere", "alice")
		for name, tc := range map[string]struct{ token, logged string }{
			"audience":       {otherApp, "expected audience"},
			"issuer":         {otherIssuer, "issued by a different provider"},
			"other provider": {otherProvider, "failed to verify signature"},
		} {
			p.swapIDToken(tc.token)
			c, resp, _ := signIn(t, ts.URL, p.URL, "bob", "/")
			p.swapIDToken("")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: sign-in ended %d at %s, want 401", name, resp.StatusCode, resp.Request.URL)
			}
			if st, _ := searchAs(t, c, ts.URL); st != http.StatusUnauthorized {
				t.Errorf("%s: the browser is signed in (%d)", name, st)
			}
			if !strings.Contains(logs.String(), tc.logged) {
				t.Errorf("%s: the log does not say %q:\n%s", name, tc.logged, logs)
			}
		}
	})
}

func TestOIDCCookiesAreSecureOverHTTPS(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.setGroups("alice", "hr")
	ts, _, _ := oidcServerOver(t, p, "https")
	_, resp, body := signInWith(t, ts.Client().Transport, ts.URL, p.URL, "alice", "/search?q=zygomorphic+budget+codeword")
	if resp.StatusCode != 200 || !strings.Contains(body, "PERIWINKLE") {
		t.Fatalf("sign-in over https: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	var set []string
	for r := resp.Request.Response; r != nil; r = r.Request.Response {
		set = append(set, r.Header.Values("Set-Cookie")...)
	}
	names := map[string]bool{}
	for _, c := range set {
		name, _, _ := strings.Cut(c, "=")
		names[name] = true
		if !strings.Contains(c, "; Secure") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("cookie over https = %q, want Secure, HttpOnly, SameSite=Lax", c)
		}
	}
	if !names["docent_session"] || !names["docent_signin"] {
		t.Errorf("cookies set: %v", set)
	}
}

// TestOIDCClaimsThatAreNotTextAreRefused: a user name or a group holding a NUL, which
// PostgreSQL refuses, was a 503 "Sign-in failed" as if the database were down. The sign-in is
// refused with 403 naming the claim, and no session starts.
func TestOIDCClaimsThatAreNotTextAreRefused(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.setGroups("alice", "staff", "h\x00r")
	p.setGroups("nul\x00name", "staff")
	ts, _, _ := oidcServer(t, p)
	for user, claim := range map[string]string{"alice": "groups", "nul\x00name": "preferred_username"} {
		c, resp, body := signIn(t, ts.URL, p.URL, user, "/")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "s "+claim+" claim must be valid UTF-8 text without NUL characters") {
			t.Errorf("%q signing in: %d %.300s, want 403 naming the %s claim", user, resp.StatusCode, body, claim)
		}
		if st, _ := searchAs(t, c, ts.URL); st != http.StatusUnauthorized {
			t.Errorf("%q: the browser is signed in (%d)", user, st)
		}
	}
}

// TestOIDCUnverifiedEmailNamesNoOne: without preferred_username the user is named by the email
// claim, but only an address the provider verified: whoever typed alice's address into their
// own account at a provider that lets them would otherwise sign in as alice, with her
// conversations and keys. They are named by their subject instead.
func TestOIDCUnverifiedEmailNamesNoOne(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.email["carol"] = verifiedEmail{"carol@example.com", true}
	p.email["mallory"] = verifiedEmail{"alice@example.com", false}
	p.email["admin"] = verifiedEmail{"alice@example.com", "false"}
	ts, srv, _ := oidcServer(t, p)
	for user, want := range map[string]string{"carol": "carol@example.com", "mallory": "mallory", "admin": "admin"} {
		if _, resp, body := signIn(t, ts.URL, p.URL, user, "/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s signing in: %d %.300s", user, resp.StatusCode, body)
		}
		rows, _ := srv.Pool.Query(context.Background(), `SELECT DISTINCT user_name FROM sessions WHERE user_name IN ($1, $2, 'alice@example.com')`, user, user+"@example.com")
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || !slices.Equal(names, []string{want}) {
			t.Errorf("%s signed in as %q (%v), want %q", user, names, err, want)
		}
	}
}

func TestOIDCProviderMustBeTheConfiguredIssuer(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	// Another URL serving p's discovery document, which names p's issuer.
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, p.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer relay.Close()
	for _, issuer := range []string{relay.URL, p.URL + "/realms/none"} {
		_, err := web.NewOIDC(context.Background(), nil, web.OIDCSettings{Issuer: issuer, ClientID: "docent", PublicURL: "http://127.0.0.1"}, slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), "DOCENT_OIDC_ISSUER") {
			t.Errorf("issuer %s: err = %v, want a refusal naming DOCENT_OIDC_ISSUER", issuer, err)
		}
	}
}

// idToken signs user in at p for client id and returns the ID token it issues.
func idToken(t *testing.T, p *provider, id, secret, redirect, user string) string {
	t.Helper()
	cfg := oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: redirect, Scopes: []string{"openid", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: p.URL + "/auth", TokenURL: p.URL + "/oauth/token"}}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	verifier := oauth2.GenerateVerifier()
	resp, err := c.Get(cfg.AuthCodeURL("state", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.PostForm(p.URL+"/login/username", url.Values{"username": {user}, "password": {password}, "id": {resp.Request.URL.Query().Get("authRequestID")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("no redirect to the client: %d %v", resp.StatusCode, err)
	}
	tok, err := cfg.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no ID token")
	}
	return raw
}
