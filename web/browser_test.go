package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/modeltest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
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

// browser starts a headless Chromium for the test, closed when it ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	// Chromium may still be writing its profile as the test ends: remove it last, best effort.
	profile, err := os.MkdirTemp("", "docent-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(1100, 900), chromedp.UserDataDir(profile))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return bctx
}

// TestBrowserCompromisedModel asks, in Chromium, a question answered by a stand-in model that
// plays a fully compromised one: script, a javascript: link, an inline event handler, remote
// images and citations to sources it was never given. No dialog may open, no request may leave
// Docent's origin, no link or image may be made of it, and the unknown citation must go.
func TestBrowserCompromisedModel(t *testing.T) {
	t.Parallel()
	llm := modeltest.New(t)
	llm.Reply = `Taxis are reimbursed [1]. <script>alert(1)</script> [click](javascript:alert(2)) ` +
		`<img src=x onerror=alert(3)> ![x](https://evil.example/leak.png) <a href="https://evil.example/">more</a> ` +
		`<iframe src="https://evil.example/"></iframe> See the salary bands [7].` +
		"\n\n- Keep the **receipt** [1].\n- Name the client."
	ts := setupWithAnswerer(t, web.Identity{AdminGroup: "docent-admins"}, llm.URL+"/v1")
	bctx := browser(t)

	var mu sync.Mutex
	var dialogs, outside []string
	requests := 0
	chromedp.ListenTarget(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			dialogs = append(dialogs, ev.Message)
			go chromedp.Run(bctx, page.HandleJavaScriptDialog(false))
		case *network.EventRequestWillBeSent:
			requests++
			if !strings.HasPrefix(ev.Request.URL, ts.URL) && !strings.HasPrefix(ev.Request.URL, "data:") {
				outside = append(outside, ev.Request.URL)
			}
		}
	})
	var answerText string
	var made, items, strong int
	err := chromedp.Run(bctx,
		network.Enable(),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`[data-testid="question"]`),
		chromedp.SendKeys(`[data-testid="question"]`, "is a taxi home after a client dinner reimbursed?\n"),
		chromedp.WaitVisible(`[data-testid="sources"]`),
		chromedp.Sleep(time.Second), // time for anything the answer might have started to load or run
		chromedp.Text(`[data-testid="answer-text"]`, &answerText),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="answer-text"] :is(script, img, iframe, a:not(.cite)), a[href^="javascript:"], [onerror]').length`, &made),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="answer-text"] ul > li').length`, &items),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="answer-text"] li strong').length`, &strong),
	)
	if err != nil {
		t.Fatalf("asking in the browser: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("the model's answer opened dialogs: %q", dialogs)
	}
	if len(outside) > 0 {
		t.Errorf("the page made requests outside Docent: %q", outside)
	}
	if requests < 3 { // the page, its script and the answer stream at least
		t.Errorf("only %d requests observed: the network check is not watching", requests)
	}
	if made > 0 {
		t.Errorf("%d elements (script, image, frame, link) were made from the model's text", made)
	}
	if !strings.Contains(answerText, "<script>alert(1)</script>") || !strings.Contains(answerText, "[1]") {
		t.Errorf("the answer should show the model's text as text, with its valid citation: %q", answerText)
	}
	if items != 2 || strong != 1 {
		t.Errorf("the answer's Markdown list shows as %d list items, %d in bold; want 2 and 1", items, strong)
	}
	if strings.Contains(answerText, "[7]") {
		t.Errorf("the citation of a source the model was never given survived: %q", answerText)
	}
}

// TestBrowser drives Chromium through the sample handbook: ask, watch the answer stream in,
// open a citation on its highlighted passage, and start a re-index as the admin. Screenshots
// go to $TMPDIR/docent-screenshots.
func TestBrowser(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	docenttest.Index(t, pool, "handbook", "../examples/handbook", source.Rule{Glob: "hr/confidential/**", Groups: []string{"hr"}})
	jobs := docenttest.Queue(t, pool, reindex.Config{Workers: 1})
	s := retrieve.NewSearcher(pool, docenttest.Embedder, configForTests())
	srv := &web.Server{Pool: pool, Searcher: s, Asker: &answer.Service{Searcher: s, Answerer: answer.Extractive{}},
		Conversations: answer.Conversations{Pool: pool}, Jobs: jobs, Log: docenttest.Log,
		Identity: web.Identity{AdminGroup: "docent-admins", UserHeader: "X-Forwarded-User", GroupsHeader: "X-Forwarded-Groups"}}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	bctx := browser(t)

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
	err := chromedp.Run(bctx,
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

	// "/" focuses the search box from anywhere on the page, and dark mode follows the system.
	var focused, lightBG, darkBG string
	err = chromedp.Run(bctx,
		chromedp.Navigate(ts.URL+"/search"),
		chromedp.WaitVisible(`[data-testid="search-query"]`),
		chromedp.Evaluate(`document.activeElement.blur()`, nil),
		chromedp.KeyEvent("/"),
		chromedp.Evaluate(`document.activeElement.id`, &focused),
		chromedp.Evaluate(`getComputedStyle(document.body).backgroundColor`, &lightBG),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}),
		chromedp.Evaluate(`getComputedStyle(document.body).backgroundColor`, &darkBG),
		shot("search-dark.png"),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}),
	)
	if err != nil {
		t.Fatalf("keyboard and colour scheme: %v", err)
	}
	if focused != "sq" {
		t.Errorf(`"/" focused %q, want the search box`, focused)
	}
	if lightBG == darkBG || darkBG != "rgb(18, 21, 28)" {
		t.Errorf("background light %s, dark %s: dark mode does not follow prefers-color-scheme", lightBG, darkBG)
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
