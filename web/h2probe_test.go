package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/web"
)

func TestH2Probe(t *testing.T) {
	pool := pgtest.NewPool(t)
	base, _ := filepath.EvalSymlinks(t.TempDir())
	os.MkdirAll(filepath.Join(base, "roots/a"), 0o755)
	jobs := docenttest.Queue(t, pool, reindex.Config{Workers: 1})
	srv := &web.Server{Pool: pool, Jobs: jobs, Log: docenttest.Log, SourceRoots: []string{filepath.Join(base, "roots")}}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	dir := filepath.Join(base, "roots/a")
	for _, form := range []url.Values{
		{"name": {"a\x00b"}, "path": {dir}},
		{"name": {"a\xffb"}, "path": {dir}},
		{"name": {"ok1"}, "path": {dir}, "groups": {"g\x00"}},
		{"name": {"ok2"}, "path": {dir}, "groups": {"g\xff"}},
		{"name": {"ok3"}, "path": {dir}, "rules": {"a\x00 = g"}},
		{"name": {"ok4"}, "path": {dir}, "rules": {"a = g\xff"}},
		{"name": {"ok5"}, "path": {dir + "\x00"}},
	} {
		resp, err := client.PostForm(ts.URL+"/admin/sources", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		t.Logf("%q: %d %q", form, resp.StatusCode, loc.Query())
	}
}
