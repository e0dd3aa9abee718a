package web_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/sampledocs"
	"github.com/docent-search/docent/web"
)

// TestOCRMarkedEverywhere: a sentence only a scan holds is found by search with "ocr": true in
// the JSON, cited in an answer, and shown in results, citations and the document view as
// "text recognised from a scan"; a born-digital passage carries no mark.
func TestOCRMarkedEverywhere(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	pool := pgtest.NewPool(t)
	root := t.TempDir()
	docenttest.Write(t, root, map[string]string{
		"scan.pdf": string(sampledocs.ScanPDF("Boiler log", sampledocs.TextImage("The boiler pressure is checked every Monday"))),
		"typed.md": "# Heating\n\nRadiators are bled every autumn.\n",
	})
	src := docenttest.Add(t, pool, "docs", root)
	ix := docenttest.NewIndexer(pool)
	ix.OCR = &ingest.OCR{Languages: "eng"}
	if _, err := ix.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	s := &retrieve.Searcher{Pool: pool, Embedder: docenttest.Embedder}
	srv := &web.Server{Pool: pool, Searcher: s, Asker: &answer.Service{Searcher: s, Answerer: answer.Extractive{}},
		Conversations: answer.Conversations{Pool: pool}, Log: docenttest.Log, Identity: web.Identity{AdminGroup: "docent-admins"}}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	status, body := get(t, ts.URL+"/api/search?q="+url.QueryEscape("how often is the boiler pressure checked"))
	var res struct {
		Results []struct {
			Document string `json:"document"`
			OCR      *bool  `json:"ocr"`
			URL      string `json:"url"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || status != 200 || len(res.Results) == 0 {
		t.Fatalf("search: %d %s", status, body)
	}
	for _, r := range res.Results {
		if r.OCR == nil || *r.OCR != (r.Document == "scan.pdf") {
			t.Errorf("%s: ocr = %v, want it true for the scan only", r.Document, r.OCR)
		}
	}
	if res.Results[0].Document != "scan.pdf" {
		t.Fatalf("top result %s, want scan.pdf", res.Results[0].Document)
	}

	_, page := get(t, ts.URL+"/search?q="+url.QueryEscape("boiler pressure"))
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	if got := doc.Find(`[data-testid=ocr]`).First().Text(); got != "text recognised from a scan" {
		t.Errorf("search page OCR mark %q", got)
	}
	_, page = get(t, ts.URL+"/?q="+url.QueryEscape("how often is the boiler pressure checked?"))
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(page))
	if doc.Find(`[data-testid=ocr]`).Length() == 0 {
		t.Errorf("the answer's citation of the scan has no OCR mark:\n%s", page)
	}
	_, page = get(t, ts.URL+res.Results[0].URL)
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(page))
	if got := doc.Find(`[data-testid=document] [data-testid=ocr]`).Text(); got != "text recognised from a scan" {
		t.Errorf("document view OCR mark %q", got)
	}
}
