package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// docbookPage writes a page as DocBook's chunked HTML output does: navigation tables in
// div.navheader and div.navfooter, headings wrapped in title divs with the id on an inner
// anchor, paragraphs hard-wrapped at 60 columns, and a footer every page repeats in a plain
// <div> that no class names.
func docbookPage(n, total int, title string, paras []string) string {
	wrap := func(s string) string {
		var b strings.Builder
		col := 0
		for _, w := range strings.Fields(s) {
			if col+len(w) > 60 {
				b.WriteString("\n  ")
				col = 0
			} else if col > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
			col += len(w) + 1
		}
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<html><head><title>%s</title></head><body>
<div class="navheader"><table width="100%%" summary="Navigation header">
<tr><th colspan="5" align="center">%s</th></tr>
<tr><td width="10%%" align="left"><a accesskey="p" href="p%d.html">Prev</a> </td>
<td width="10%%" align="left"><a accesskey="u" href="index.html">Up</a></td>
<th width="60%%" align="center">Chapter 11. Indexes</th>
<td width="10%%" align="right"><a accesskey="h" href="index.html">Home</a></td>
<td width="10%%" align="right"> <a accesskey="n" href="p%d.html">Next</a></td></tr>
</table><hr></div>
<div class="sect1"><div class="titlepage"><div><div><h2 class="title" style="clear: both">
<a id="SEC-%d"></a>%s</h2></div></div></div>
`, title, title, n-1, n+1, n, title)
	for _, p := range paras {
		if items, ok := strings.CutPrefix(p, "LIST:"); ok {
			b.WriteString("<div class=\"itemizedlist\"><ul class=\"itemizedlist\">\n")
			for _, it := range strings.Split(items, "|") {
				fmt.Fprintf(&b, "<li class=\"listitem\"><p>\n  %s\n</p></li>\n", wrap(it))
			}
			b.WriteString("</ul></div>\n")
			continue
		}
		fmt.Fprintf(&b, "<p>\n  %s\n</p>\n", wrap(p))
	}
	fmt.Fprintf(&b, `</div>
<div class="navfooter"><hr><table width="100%%" summary="Navigation footer">
<tr><td width="40%%" align="left"><a accesskey="p" href="p%d.html">Prev</a> </td>
<td width="20%%" align="center"><a accesskey="u" href="index.html">Up</a></td>
<td width="40%%" align="right"> <a accesskey="n" href="p%d.html">Next</a></td></tr>
<tr><td width="40%%" align="left" valign="top">Previous section </td>
<td width="20%%" align="center"><a accesskey="h" href="index.html">Home</a></td>
<td width="40%%" align="right" valign="top"> Next section</td></tr>
</table></div>
<div><p>Copyright 2026 The Example Group. Page %d of %d.</p><p>Built with the
  example site generator, version 4.2.</p></div>
</body></html>`, n-1, n+1, n, total)
	return b.String()
}

// TestDocBookManualIndexesNoChrome indexes a hard-wrapped, DocBook-style page set and checks
// the index holds no page chrome and no sentence broken by a line break.
func TestDocBookManualIndexesNoChrome(t *testing.T) {
	b := setup(t)
	var sentences []string
	names := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	pages := len(names)
	for n, name := range names {
		n++
		paras := []string{
			fmt.Sprintf("A B-tree index on the %s table can be used with comparisons such as less than, equal or greater than. The planner also considers it for pattern matching when the pattern is anchored, e.g. a prefix, at the start of the string.", name),
			fmt.Sprintf("LIST:Hash indexes of %s store only a 32-bit hash code of each value.|GiST indexes of %s are an infrastructure within which many strategies can be implemented.", name, name),
			fmt.Sprintf("Version 1.2.3 of the %s engine introduced multicolumn indexes. They may have up to 32 key columns, a limit that can be changed when building the server.", name),
		}
		for _, p := range paras {
			p = strings.TrimPrefix(p, "LIST:")
			sentences = append(sentences, strings.Split(p, "|")...)
		}
		b.write(t, fmt.Sprintf("manual/p%d.html", n), docbookPage(n, pages, fmt.Sprintf("11.%d. Index Types %d", n, n), paras))
	}
	b.run(t)
	rows, err := b.pool.Query(context.Background(), `SELECT c.text, c.anchor FROM chunks c JOIN documents d ON d.id = c.document_id`)
	if err != nil {
		t.Fatal(err)
	}
	var chunks []string
	for rows.Next() {
		var text, anchor string
		if err := rows.Scan(&text, &anchor); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(anchor, "SEC-") {
			t.Errorf("chunk anchored at %q, want the heading's inner anchor id: %q", anchor, text)
		}
		for _, chrome := range []string{"Prev", "Next", "Home", "Up", "Chapter 11", "Copyright", "site generator", "Previous section"} {
			if strings.Contains(text, chrome) {
				t.Errorf("chunk holds page chrome %q:\n%s", chrome, text)
			}
		}
		chunks = append(chunks, text)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(chunks, "\n")
	for _, s := range sentences {
		// Each source paragraph's text must be on one line: a line break inside it would
		// make the search not find it as written.
		if !strings.Contains(all, s) {
			t.Errorf("no chunk holds the text %q on one line; chunks:\n%s", s, all)
		}
	}
	if !strings.Contains(all, "- Hash indexes of alpha") {
		t.Errorf("list items are not kept as a list:\n%s", all)
	}
}

// TestNewExtractorReindexes checks a file extracted by an older version of the extractors is
// read again though it did not change, and that an unchanged file is then left alone.
func TestNewExtractorReindexes(t *testing.T) {
	b := setup(t)
	b.write(t, "a.md", "# A\n\nSome text\nwrapped here.\n")
	b.run(t)
	if _, err := b.pool.Exec(context.Background(), `UPDATE documents SET extractor = 1`); err != nil {
		t.Fatal(err)
	}
	if sum := b.run(t); sum.Updated != 1 {
		t.Fatalf("after an extractor change: %+v, want the file re-read (updated 1)", sum)
	}
	if sum := b.run(t); sum.Unchanged != 1 {
		t.Fatalf("second run: %+v, want unchanged 1", sum)
	}
}
