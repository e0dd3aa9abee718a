package web

import (
	"fmt"
	"testing"
)

// After sign-in the browser goes back to where it was, but never to another site.
func TestLocalPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/search?q=taxi":         "/search?q=taxi",
		"/doc/3#p":               "/doc/3#p",
		"":                       "/",
		"https://evil.example/":  "/",
		"//evil.example/x":       "/",
		"/\\evil.example":        "/",
		"javascript:alert(1)":    "/",
		"/ok\r\nSet-Cookie: x=1": "/",
		"/\t/evil.example/x":     "/",
		"/%09/evil.example":      "/%09/evil.example",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClaimGroups(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   any
		want string
	}{
		{[]any{"hr", " finance ", "", 7}, "[hr finance]"},
		{"hr, finance", "[hr finance]"},
		{nil, "[]"},
		{map[string]any{"hr": true}, "[]"},
	} {
		if got := fmt.Sprint(claimGroups(c.in)); got != c.want {
			t.Errorf("claimGroups(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}
