package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/embed"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/web"
)

// chromium finds the browser; a machine without one fails the test with the fix, since a
// skipped browser test would pass unseen.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("DOCENT_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: install it (Debian: apt-get install chromium; `make test` does this as root) or set DOCENT_CHROMIUM")
	return ""
}

// TestBrowser drives Chromium through the sample handbook: ask, watch the answer stream in,
// open a citation on its highlighted passage, and start a re-index as the admin. Screenshots
// go to $TMPDIR/docent-screenshots.
func TestBrowser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	e := embed.Local{}
	src, err := ingest.AddSource(ctx, pool, ingest.Source{Name: "handbook", Root: "../examples/handbook",
		Rules: []ingest.Rule{{Glob: "hr/confidential/**", Groups: []string{"hr"}}}})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	newIndexer := func() *ingest.Indexer { return &ingest.Indexer{Pool: pool, Embedder: e, Log: log} }
	if _, err := newIndexer().Run(ctx, src); err != nil {
		t.Fatal(err)
	}
	jobs := startQueue(t, pool, newIndexer)
	s := retrieve.NewSearcher(pool, e, configForTests())
	srv := &web.Server{Pool: pool, Searcher: s, Asker: &answer.Service{Searcher: s, Answerer: answer.Extractive{}},
		Conversations: answer.Conversations{Pool: pool}, Jobs: jobs, Log: log,
		Identity: web.Identity{AdminGroup: "docent-admins", UserHeader: "X-Forwarded-User", GroupsHeader: "X-Forwarded-Groups"}}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	// Chromium may still be writing its profile as the test ends: remove it last, best effort.
	profile, err := os.MkdirTemp("", "docent-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(1100, 900), chromedp.UserDataDir(profile))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	shots := filepath.Join(os.TempDir(), "docent-screenshots")
	os.MkdirAll(shots, 0o755)
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var png []byte
			// Quality 100 makes a PNG.
			if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name), png, 0o644)
		})
	}

	var answerText, sources, passage, url string
	err = chromedp.Run(bctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`[data-testid="question"]`),
		chromedp.SendKeys(`[data-testid="question"]`, "can I expense a taxi after a late client dinner?\n"),
		chromedp.WaitVisible(`[data-testid="sources"]`),
		chromedp.Text(`[data-testid="answer-text"]`, &answerText),
		chromedp.Text(`[data-testid="sources"]`, &sources),
		shot("ask.png"),
		chromedp.Click(`a.cite`),
		chromedp.WaitVisible(`[data-testid="passage"]`),
		chromedp.Text(`[data-testid="passage"]`, &passage),
		chromedp.Location(&url),
		shot("passage.png"),
	)
	if err != nil {
		t.Fatalf("asking in the browser: %v", err)
	}
	if !strings.Contains(answerText, "taxi home is always reimbursed") || !strings.Contains(answerText, "[1]") {
		t.Errorf("streamed answer: %q", answerText)
	}
	if !strings.Contains(sources, "Travel and expenses") || !strings.Contains(sources, "policies/travel.md") {
		t.Errorf("sources: %q", sources)
	}
	if !strings.Contains(passage, "taxi home is always reimbursed") || !strings.Contains(url, "/doc/") {
		t.Errorf("citation landed on %s with passage %q", url, passage)
	}

	var job string
	err = chromedp.Run(bctx,
		chromedp.Navigate(ts.URL+"/admin"),
		chromedp.Click(`button[data-testid="reindex"][data-source="handbook"]`),
		chromedp.Poll(`document.querySelector('[data-source="handbook"] [data-testid="job"]').textContent.includes("finished")`, nil,
			chromedp.WithPollingTimeout(60*time.Second)),
		chromedp.Text(`[data-source="handbook"] [data-testid="job"]`, &job),
		shot("admin.png"),
	)
	if err != nil {
		t.Fatalf("re-indexing from the admin page: %v", err)
	}
	if !strings.Contains(job, "Re-index finished: 38 files") {
		t.Errorf("job status: %q", job)
	}
}
