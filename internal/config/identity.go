package config

import "fmt"

// Identity modes: exactly one decides who a request comes from (see web.Identity).
const (
	ModeLocal = "local"
	ModeProxy = "proxy"
	ModeOIDC  = "oidc"
)

// IdentityMode is the mode the settings select: OIDC when DOCENT_OIDC_ISSUER is set, the
// proxy's headers when DOCENT_TRUSTED_PROXIES is, else local.
func (c Config) IdentityMode() string {
	switch {
	case c.OIDCIssuer != "":
		return ModeOIDC
	case len(c.TrustedProxies) > 0:
		return ModeProxy
	}
	return ModeLocal
}

// checkIdentity refuses settings that mix identity modes or leave one half configured, since
// a server that guessed would either lock everyone out or let in whoever it should not.
func (c Config) checkIdentity() error {
	switch c.IdentityMode() {
	case ModeOIDC:
		switch {
		case len(c.TrustedProxies) > 0:
			return fmt.Errorf("invalid DOCENT_TRUSTED_PROXIES: it selects proxy sign-in, but DOCENT_OIDC_ISSUER selects OIDC; set only one of them")
		case c.OIDCClientID == "":
			return fmt.Errorf("invalid DOCENT_OIDC_CLIENT_ID \"\": required with DOCENT_OIDC_ISSUER (the client ID of Docent's application at the provider)")
		case c.PublicURL == "":
			return fmt.Errorf("invalid DOCENT_PUBLIC_URL \"\": required with DOCENT_OIDC_ISSUER, to build the redirect URL (DOCENT_PUBLIC_URL + /auth/callback) registered at the provider")
		}
	default:
		if c.OIDCClientID != "" || c.OIDCClientSecret != "" {
			return fmt.Errorf("invalid DOCENT_OIDC_ISSUER \"\": DOCENT_OIDC_CLIENT_ID or DOCENT_OIDC_CLIENT_SECRET is set, but OIDC sign-in needs the provider's issuer URL too")
		}
	}
	return nil
}
