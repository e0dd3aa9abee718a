package web

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/oauth2"

	"github.com/docent-search/docent/internal/auth"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// OIDCSettings configure sign-in with an OpenID Connect provider (DOCENT_OIDC_* in README).
type OIDCSettings struct {
	Issuer, ClientID, ClientSecret string
	// PublicURL is where readers open Docent; the provider sends them back to PublicURL +
	// /auth/callback, which must be registered there.
	PublicURL       string
	Scopes          []string
	GroupsClaim     string
	AdminGroup      string
	SessionLifetime time.Duration
	// HTTPClient talks to the provider; nil: http.DefaultClient.
	HTTPClient *http.Client
}

// OIDC signs readers in with the organisation's identity provider (authorization code flow
// with PKCE) and keeps them signed in with a server-side session: the cookie holds only a
// random token, so signing out or expiry ends it for good, and groups are the provider's at
// the last sign-in.
type OIDC struct {
	pool        *pgxpool.Pool
	oauth       oauth2.Config
	verifier    *oidc.IDTokenVerifier
	client      *http.Client
	groupsClaim string
	adminGroup  string
	lifetime    time.Duration
	// secure marks cookies Secure: Docent is served over https.
	secure bool
	log    *slog.Logger
}

// Cookie names: the session, and the short-lived state of a sign-in in progress.
const (
	sessionCookie = "docent_session"
	signinCookie  = "docent_signin"
)

// NewOIDC discovers the provider. go-oidc refuses a provider whose discovery document names
// another issuer, so a wrong DOCENT_OIDC_ISSUER stops the server at start.
func NewOIDC(ctx context.Context, pool *pgxpool.Pool, s OIDCSettings, log *slog.Logger) (*OIDC, error) {
	client := s.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	// The provider keeps this context to fetch signing keys later: it must outlive start-up.
	ctx = oidc.ClientContext(context.WithoutCancel(ctx), client)
	p, err := oidc.NewProvider(ctx, s.Issuer)
	if err != nil {
		return nil, fmt.Errorf("DOCENT_OIDC_ISSUER %s: discovering the provider: %w", s.Issuer, err)
	}
	return &OIDC{
		pool: pool,
		oauth: oauth2.Config{ClientID: s.ClientID, ClientSecret: s.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: strings.TrimRight(s.PublicURL, "/") + "/auth/callback", Scopes: s.Scopes},
		verifier:    p.Verifier(&oidc.Config{ClientID: s.ClientID}),
		client:      client,
		groupsClaim: s.GroupsClaim,
		adminGroup:  s.AdminGroup,
		lifetime:    s.SessionLifetime,
		secure:      strings.HasPrefix(s.PublicURL, "https://"),
		log:         log,
	}, nil
}

// middleware attaches the session's user, or sends the browser to sign in (API clients get
// 401). The sign-in routes themselves need no session.
func (o *OIDC) middleware(next http.Handler, refuse func(w http.ResponseWriter, r *http.Request, status int, msg string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/auth/login", "/auth/callback", "/auth/logout":
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(sessionCookie); err == nil {
			s, err := auth.LookupSession(r.Context(), o.pool, c.Value)
			if err == nil {
				u := User{Name: s.User, Groups: s.Groups, Admin: slices.Contains(s.Groups, o.adminGroup)}
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
				return
			}
			if !errors.Is(err, auth.ErrInvalid) {
				_, msg, _ := classify(err)
				o.log.Error("reading a session", "err", err)
				refuse(w, r, http.StatusServiceUnavailable, "Sessions cannot be read. "+msg)
				return
			}
		}
		if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/mcp" {
			http.Redirect(w, r, "/auth/login?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
			return
		}
		refuse(w, r, http.StatusUnauthorized, "Not signed in: sign in at /auth/login, or send an API key (Authorization: Bearer docent_…).")
	})
}

// login starts a sign-in: a fresh state, nonce and PKCE verifier go into a short-lived
// cookie, and the browser to the provider.
func (o *OIDC) login(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	next := localPath(r.URL.Query().Get("next"))
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Path: "/auth/", MaxAge: 600, HttpOnly: true, Secure: o.secure,
		// Lax: the provider's redirect back is a top-level GET from its site, which Lax lets through.
		SameSite: http.SameSiteLaxMode,
		Value:    strings.Join([]string{state, nonce, verifier, base64.RawURLEncoding.EncodeToString([]byte(next))}, ".")})
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
}

// signinState is what login left in its cookie.
type signinState struct{ state, nonce, verifier, next string }

func readSignin(r *http.Request) (signinState, bool) {
	c, err := r.Cookie(signinCookie)
	if err != nil {
		return signinState{}, false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 4 {
		return signinState{}, false
	}
	next, err := base64.RawURLEncoding.DecodeString(parts[3])
	if err != nil {
		return signinState{}, false
	}
	return signinState{parts[0], parts[1], parts[2], localPath(string(next))}, true
}

// callback finishes a sign-in: the code is exchanged with the PKCE verifier, the ID token is
// verified (signature, issuer, audience, expiry, nonce), and a session starts with the groups
// of the token's groups claim.
func (o *OIDC) callback(w http.ResponseWriter, r *http.Request, fail func(w http.ResponseWriter, r *http.Request, status int, msg string)) {
	st, ok := readSignin(r)
	q := r.URL.Query()
	if !ok || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.state)) != 1 {
		fail(w, r, http.StatusBadRequest, "This sign-in was not started here or has expired: sign in again at /auth/login.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Path: "/auth/", MaxAge: -1, HttpOnly: true, Secure: o.secure, SameSite: http.SameSiteLaxMode})
	if e := q.Get("error"); e != "" {
		fail(w, r, http.StatusUnauthorized, "The identity provider refused the sign-in: "+e+" "+q.Get("error_description"))
		return
	}
	u, err := o.exchange(r.Context(), q.Get("code"), st)
	if err != nil {
		o.log.Warn("sign-in refused", "err", err, "remote", r.RemoteAddr)
		status, msg := http.StatusUnauthorized, "Sign-in failed: the identity provider's answer could not be verified. Try again; if it persists, the server log says why."
		if p := (problem{}); errors.As(err, &p) {
			status, msg = p.status, p.msg
		}
		fail(w, r, status, msg)
		return
	}
	token, s, err := auth.StartSession(r.Context(), o.pool, u.Name, u.Groups, o.lifetime)
	if err != nil {
		_, msg, _ := classify(err)
		o.log.Error("starting a session", "err", err)
		fail(w, r, http.StatusServiceUnavailable, "Sign-in failed. "+msg)
		return
	}
	o.log.Info("signed in", "user", u.Name, "groups", u.Groups)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", Expires: s.Expires, HttpOnly: true, Secure: o.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, st.next, http.StatusSeeOther)
}

// exchange redeems the code and returns the user the verified ID token names.
func (o *OIDC) exchange(ctx context.Context, code string, st signinState) (User, error) {
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.verifier))
	if err != nil {
		return User{}, fmt.Errorf("exchanging the code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return User{}, errors.New("the token response has no id_token")
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return User{}, fmt.Errorf("verifying the ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.nonce)) != 1 {
		return User{}, errors.New("the ID token's nonce is not this sign-in's")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return User{}, fmt.Errorf("reading the ID token's claims: %w", err)
	}
	u := User{Name: idt.Subject, Groups: claimGroups(claims[o.groupsClaim])}
	nameClaim := "sub"
	for _, c := range []string{"preferred_username", "email"} {
		if c == "email" && !emailVerified(claims) {
			continue
		}
		if v, ok := claims[c].(string); ok && strings.TrimSpace(v) != "" {
			u.Name, nameClaim = strings.TrimSpace(v), c
			break
		}
	}
	if strings.TrimSpace(u.Name) == "" {
		// A nameless reader would share one owner with every other: their conversations, and
		// the key list that lists everyone's keys for an empty name (the CLI's list-all).
		return User{}, errors.New("the ID token names no user (no sub, preferred_username or email)")
	}
	// A name or group PostgreSQL cannot store (a NUL) failed the session's insert, a 503 as if
	// the database were down: the provider's answer is at fault, and the reader is told which
	// claim.
	if !postgres.StorableText(u.Name) {
		return User{}, notText(nameClaim)
	}
	for _, g := range u.Groups {
		if !postgres.StorableText(g) {
			return User{}, notText(o.groupsClaim)
		}
	}
	return u, nil
}

// emailVerified reports whether the ID token's email may name its user: not where the provider
// says it has not verified the address (email_verified false, or "false" as some send it), which
// whoever typed it could then sign in with as its owner, with their conversations and keys. A
// provider that does not say (Entra ID) is trusted with its addresses.
func emailVerified(claims map[string]any) bool {
	v, ok := claims["email_verified"]
	return !ok || v == true || v == "true"
}

// notText refuses a sign-in whose claim holds text Docent cannot store.
func notText(claim string) error {
	return forbidden("Sign-in refused: the identity provider's " + claim + " claim must be valid UTF-8 text without NUL characters. Ask its administrators to correct it.")
}

// claimGroups reads a groups claim: a list of strings (Keycloak, Entra ID, Okta) or one
// comma-separated string.
func claimGroups(v any) []string {
	switch g := v.(type) {
	case string:
		return source.SplitGroups(g)
	case []any:
		var out []string
		for _, x := range g {
			if s, ok := x.(string); ok && strings.TrimSpace(s) != "" {
				out = append(out, strings.TrimSpace(s))
			}
		}
		return out
	}
	return nil
}

// logout ends the session for good and clears the cookie.
func (o *OIDC) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := auth.EndSession(r.Context(), o.pool, c.Value); err != nil {
			o.log.Error("ending a session", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: o.secure, SameSite: http.SameSiteLaxMode})
}

// localPath keeps a post-sign-in destination on this site: a path, never another host
// ("//evil.example" or "/\evil.example" are other hosts to browsers, and browsers drop tabs
// and line breaks from URLs, so "/\t/evil.example" is one too). A path with any control
// character, or one url.Parse reads as having a scheme or host, goes home instead.
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.IndexFunc(p, unicode.IsControl) >= 0 ||
		!strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

// randomToken is 32 random bytes, URL-safe: the same as a PKCE verifier.
func randomToken() string { return oauth2.GenerateVerifier() }

// Routes of OIDC sign-in; in the other identity modes there is nothing to sign in to here.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if s.oidcOnly(w, r) {
		s.Identity.OIDC.login(w, r)
	}
}

func (s *Server) signInCallback(w http.ResponseWriter, r *http.Request) {
	if s.oidcOnly(w, r) {
		s.Identity.OIDC.callback(w, r, s.fail)
	}
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if s.oidcOnly(w, r) {
		s.Identity.OIDC.logout(w, r)
		s.render(w, r, http.StatusOK, signedOutPage(page{Title: "Signed out"}))
	}
}

func (s *Server) oidcOnly(w http.ResponseWriter, r *http.Request) bool {
	if s.Identity.OIDC == nil {
		s.fail(w, r, http.StatusNotFound, "Docent does not sign readers in itself here: sign-in is your organisation's proxy, or local mode.")
		return false
	}
	return true
}
