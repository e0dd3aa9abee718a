package ingest

import (
	"context"

	"github.com/docent-search/docent/internal/source"
)

// minRepeatPages is the fewest HTML pages a source needs before blocks repeated across them
// are taken for site chrome: on a handful of pages, a shared sentence is as likely content.
const minRepeatPages = 5

// repeatedBlocks returns the fingerprints of text blocks (paragraphs, list items, table rows)
// found on at least half of the source's HTML pages, given at least minRepeatPages of them:
// the chrome a site generator repeats on every page (a footer in a <div>, a version banner,
// a copyright line), whatever markup it uses.
//
// The state lives in the run: a first pass reads every HTML page of the source, so the counts
// are those of the whole site as it is now. It is skipped when no HTML page needs extracting
// (nothing changed since the last run), so an unchanged site costs nothing; a run that
// re-extracts any page reads them all once more, which costs a tokenizer pass per page (about
// a second for a 1,000-page manual), far less than embedding.
func (ix *Indexer) repeatedBlocks(ctx context.Context, src source.Source, files []file, known map[string]existing) map[uint64]bool {
	var pages []file
	changed := false
	for _, f := range files {
		if f.Skip != "" || f.Fail != "" || source.Supported(f.Rel) != "html" || f.Size > ix.MaxFileSize {
			continue
		}
		pages = append(pages, f)
		changed = changed || !sameFile(known[f.Rel], f)
	}
	if !changed || len(pages) < minRepeatPages {
		return nil
	}
	counts := map[uint64]int{}
	read := 0
	for _, f := range pages {
		if ctx.Err() != nil {
			return nil
		}
		data, err := readFile(ix.root, f, ix.MaxFileSize)
		if err != nil || looksBinary(data) {
			continue // the file's own extraction records why
		}
		_, prints, redirect, err := readHTML(cleanText(data), nil, "")
		if err != nil || redirect != "" {
			continue // a stub, not a page of the site (see refreshTarget), or one refused
		}
		read++
		for _, p := range prints {
			counts[p]++
		}
	}
	out := map[uint64]bool{}
	for p, n := range counts {
		if read >= minRepeatPages && n*2 >= read {
			out[p] = true
		}
	}
	ix.Log.Info("repeated blocks", "source", src.Name, "pages", read, "blocks", len(out))
	return out
}
