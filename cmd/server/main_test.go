package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
)

// TestServe starts the server as main does, on a free port, and loads the home page; metrics
// are served on their own address, not to readers.
func TestServe(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	addr, metricsAddr := docenttest.FreeAddr(t), docenttest.FreeAddr(t)
	env := map[string]string{"DATABASE_URL": db, "DOCENT_ADDR": addr, "DOCENT_METRICS_ADDR": metricsAddr, "DOCENT_LOG_LEVEL": "error"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }) }()

	var body string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		break
	}
	if !strings.Contains(body, "Docent") || !strings.Contains(body, `data-testid="question"`) {
		t.Fatalf("home page: %q", body)
	}
	for _, c := range []struct {
		url    string
		status int
	}{{"http://" + addr + "/metrics", http.StatusNotFound}, {"http://" + metricsAddr + "/metrics", http.StatusOK}} {
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || (c.status == 200) != strings.Contains(string(b), `docent_http_request_seconds_count{route="GET /{$}",status="200"} 1`) {
			t.Errorf("%s: %d %.300s", c.url, resp.StatusCode, b)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not shut down")
	}
}

func TestInvalidConfigurationFailsAtStart(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"--addr", "nonsense"}, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "DOCENT_ADDR") {
		t.Fatalf("run with a bad address: %v", err)
	}
	// Behind a proxy, a server that knows no public host would serve any Host header.
	err = run(context.Background(), []string{"--trusted-proxies", "10.0.0.5"}, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "DOCENT_PUBLIC_URL") {
		t.Fatalf("run behind a proxy without a public URL: %v", err)
	}
	// Two identity modes at once, and an OIDC provider that cannot be discovered.
	oidc := map[string]string{"DOCENT_OIDC_ISSUER": "http://127.0.0.1:1/realms/none", "DOCENT_OIDC_CLIENT_ID": "docent",
		"DOCENT_PUBLIC_URL": "https://docent.example.com", "DATABASE_URL": pgtest.NewDatabase(t)}
	err = run(context.Background(), []string{"--trusted-proxies", "10.0.0.5"}, func(k string) string { return oidc[k] })
	if err == nil || !strings.Contains(err.Error(), "DOCENT_TRUSTED_PROXIES") {
		t.Fatalf("run with both a proxy and OIDC: %v", err)
	}
	err = run(context.Background(), []string{"--metrics-addr", "off", "--addr", "127.0.0.1:0", "--workers", "0",
		"--embed-model", "docent-local-v2"}, func(k string) string { return oidc[k] })
	if err == nil || !strings.Contains(err.Error(), "DOCENT_OIDC_ISSUER") {
		t.Fatalf("run with an unreachable OIDC provider: %v", err)
	}
}
