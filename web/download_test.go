package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/web"
)

// TestDownloadServesOnlyTheIndexedFile: /doc/{id}/file checks the groups stored at index time,
// so it must serve the file that was indexed and nothing a link or an edit put at its path
// since; names that are not UTF-8 are still served.
func TestDownloadServesOnlyTheIndexedFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	root := docenttest.Folder(t, map[string]string{
		"public.md":       "# Public\n\nPUBLIC-TEXT-0123456789\n",
		"edited.md":       "# Edited\n\nEDITED-TEXT-0123456789\n",
		"secret/plan.md":  "# Plan\n\nSECRET-PLAN-0123456789\n", // the same size as public.md
		"caf\xe9 100%.md": "# Latin-1 name\n\nLATIN-1-NAME\n",
		"100% plan ü.md":  "# Percent\n\nPERCENT-NAME\n",
	})
	docenttest.Index(t, pool, "eng", root, source.Rule{Glob: "secret/**", Groups: []string{"eng-leads"}})
	srv := &web.Server{Pool: pool, Identity: proxied(), Log: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	ann := map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "sales"}
	download := func(path string) (int, string) {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM documents WHERE path = $1 AND status = 'indexed'`, path).Scan(&id); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return do(t, "GET", ts.URL+"/doc/"+itoa(id)+"/file", "", ann)
	}

	if status, body := download("caf%E9 100%25.md"); status != 200 || !strings.Contains(body, "LATIN-1-NAME") {
		t.Errorf("a file whose name is not UTF-8: %d %q", status, body)
	}
	// Saved under the name on disk: unescaped when it is UTF-8, escaped when it is not.
	for stored, want := range map[string]string{"100%25 plan ü.md": `attachment; filename*=utf-8''100%25%20plan%20%C3%BC.md`, "caf%E9 100%25.md": `attachment; filename="caf%E9 100%25.md"`} {
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM documents WHERE path = $1`, stored).Scan(&id); err != nil {
			t.Fatalf("%s: %v", stored, err)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/doc/"+itoa(id)+"/file", nil)
		for k, v := range ann {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Disposition"); got != want {
			t.Errorf("%s downloads as %q, want %q", stored, got, want)
		}
	}
	if status, body := download("public.md"); status != 200 || !strings.Contains(body, "PUBLIC-TEXT") {
		t.Fatalf("public.md: %d %q", status, body)
	}

	t.Run("ReplacedByALinkToARestrictedFile", func(t *testing.T) {
		os.Remove(filepath.Join(root, "public.md"))
		if err := os.Symlink("secret/plan.md", filepath.Join(root, "public.md")); err != nil {
			t.Fatal(err)
		}
		status, body := download("public.md")
		if strings.Contains(body, "SECRET") {
			t.Fatalf("restricted bytes served through a link: %d %q", status, body)
		}
		if status != 409 || !strings.Contains(body, "re-index needed") {
			t.Errorf("status %d %q, want 409 saying re-index needed", status, body)
		}
	})

	t.Run("RewrittenInPlace", func(t *testing.T) {
		docenttest.Write(t, root, map[string]string{"edited.md": "# Edited\n\nOTHER!-TEXT-0123456789\n"})
		if status, body := download("edited.md"); status != 409 || strings.Contains(body, "OTHER!") {
			t.Errorf("a file rewritten since indexing: %d %q, want 409", status, body)
		}
	})
}
