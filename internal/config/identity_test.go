package config_test

import (
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/config"
)

func TestIdentityModeIsExactlyOne(t *testing.T) {
	t.Parallel()
	oidc := map[string]string{"DOCENT_OIDC_ISSUER": "https://login.example.com/realms/acme", "DOCENT_OIDC_CLIENT_ID": "docent",
		"DOCENT_PUBLIC_URL": "https://docent.example.com/", "DOCENT_OIDC_CLIENT_SECRET": "s3cret-value"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		mode string
	}{
		{"local", nil, config.ModeLocal},
		{"proxy", map[string]string{"DOCENT_TRUSTED_PROXIES": "10.0.0.5", "DOCENT_PUBLIC_URL": "https://docent.example.com"}, config.ModeProxy},
		{"oidc", oidc, config.ModeOIDC},
	} {
		c, err := load(t, tc.env)
		if err != nil || c.IdentityMode() != tc.mode {
			t.Errorf("%s: mode %q, err %v; want %q", tc.name, c.IdentityMode(), err, tc.mode)
		}
	}
	c, _ := load(t, oidc)
	if c.PublicURL != "https://docent.example.com" || strings.Join(c.OIDCScopes, " ") != "openid profile email" || c.OIDCGroupsClaim != "groups" {
		t.Errorf("OIDC settings = %q %q %q", c.PublicURL, c.OIDCScopes, c.OIDCGroupsClaim)
	}

	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range oidc {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		env     map[string]string
		setting string
	}{
		{with("DOCENT_TRUSTED_PROXIES", "10.0.0.5"), "DOCENT_TRUSTED_PROXIES"},
		{with("DOCENT_OIDC_CLIENT_ID", ""), "DOCENT_OIDC_CLIENT_ID"},
		{with("DOCENT_PUBLIC_URL", ""), "DOCENT_PUBLIC_URL"},
		{map[string]string{"DOCENT_OIDC_CLIENT_ID": "docent"}, "DOCENT_OIDC_ISSUER"},
		{map[string]string{"DOCENT_OIDC_CLIENT_SECRET": "s3cret-value"}, "DOCENT_OIDC_ISSUER"},
		{with("DOCENT_OIDC_ISSUER", "login.example.com"), "DOCENT_OIDC_ISSUER"},
	} {
		_, err := load(t, tc.env)
		if err == nil || !strings.Contains(err.Error(), "invalid "+tc.setting) {
			t.Errorf("%v: err = %v, want one naming %s", tc.env, err, tc.setting)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret-value") {
			t.Errorf("the client secret appears in %q", err)
		}
	}
}
