package web

import (
	"fmt"
	"strings"
	"testing"
)

func TestDocBlocks(t *testing.T) {
	t.Parallel()
	body := "Travel\n\nIntro line.\n\nTaxis\n\n- one\n- two\n\n1. first\n2. second\n\nCity | Limit\nCity: Paris; Limit: 60 EUR\nCity: Oslo; Limit: 80 EUR\n\nA | B looks like a table but is prose."
	headings := map[int]int{0: 1, strings.Index(body, "Taxis"): 2}
	start := strings.Index(body, "two")
	end := strings.Index(body, "Oslo")
	blocks := docBlocks(body, headings, start, end)
	var kinds []string
	for _, b := range blocks {
		kinds = append(kinds, b.Kind)
	}
	if got := strings.Join(kinds, " "); got != "h p h ul ol table p" {
		t.Fatalf("blocks %q", got)
	}
	if blocks[0].Level != 2 || blocks[2].Level != 3 {
		t.Errorf("heading levels %d, %d; want 2 and 3", blocks[0].Level, blocks[2].Level)
	}
	if len(blocks[3].Items) != 2 || blocks[3].Items[0][0].Text != "one" {
		t.Errorf("list items %+v", blocks[3].Items)
	}
	table := blocks[5]
	if strings.Join(table.Head, ",") != "City,Limit" || len(table.Rows) != 2 || table.Rows[1][1][0].Text != "80 EUR" {
		t.Errorf("table %+v", table)
	}
	// The passage runs from "two" into the table's second row: marked wherever it falls, the
	// first run the scroll target.
	if s := blocks[3].Items[1]; len(s) != 1 || !s[0].Mark || !s[0].First || s[0].Text != "two" {
		t.Errorf("first marked run %+v", s)
	}
	if s := blocks[4].Items[0]; len(s) != 1 || !s[0].Mark || s[0].First {
		t.Errorf("ordered item inside the passage %+v", s)
	}
	if s := table.Rows[1][0]; len(s) != 1 || s[0].Mark {
		t.Errorf("text after the passage is marked: %+v", s)
	}
	if s := blocks[1].Items[0]; len(s) != 1 || s[0].Mark {
		t.Errorf("text before the passage is marked: %+v", s)
	}
}

// TestDocBlocksWideTables: a table is laid out with each part of a row matched to its header
// by name (a header holding ": " still wins by position), and a table wider than
// maxViewColumns shows as lines: matching parts to headers by scanning them took 4 s for a
// 1 MB body of 5,000 columns, per view of the document.
func TestDocBlocksWideTables(t *testing.T) {
	t.Parallel()
	table := func(cols, rows int, name func(int) string) string {
		var b strings.Builder
		for c := range cols {
			if c > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(name(c))
		}
		for r := range rows {
			b.WriteString("\n")
			for c := range cols {
				if c > 0 {
					b.WriteString("; ")
				}
				fmt.Fprintf(&b, "%s: v%d.%d", name(c), r, c)
			}
		}
		return b.String()
	}
	plain := func(c int) string { return fmt.Sprint("h", c) }
	for _, tc := range []struct {
		body      string
		kind      string
		rows, col int
		cell      string
	}{
		{table(maxViewColumns, 3, plain), "table", 3, maxViewColumns - 1, "v2.255"},
		{table(5000, 3, plain), "p", 0, 0, ""},
		{table(4, 2, func(c int) string { return []string{"x", "a: b", "c: d", "y"}[c] }), "table", 2, 2, "v1.2"},
	} {
		blocks := docBlocks(tc.body, nil, 0, 0)
		if blocks[0].Kind != tc.kind {
			t.Errorf("%d columns: first block %q, want %q", strings.Count(tc.body[:strings.IndexByte(tc.body, '\n')], " | ")+1, blocks[0].Kind, tc.kind)
			continue
		}
		if tc.kind != "table" {
			continue
		}
		if got := blocks[0].Rows; len(got) != tc.rows || got[tc.rows-1][tc.col][0].Text != tc.cell {
			t.Errorf("table rows %d, last row's column %d %+v; want %d rows, %q", len(got), tc.col, got[len(got)-1][tc.col], tc.rows, tc.cell)
		}
	}
}

// TestHeadingLine: a section's heading is found on its line right before the section's first
// chunk, not in running text, and never searched for further back than headingReach: a
// heading that is not there would cost a scan of the whole body, for each of its headings, on
// every view of the document.
func TestHeadingLine(t *testing.T) {
	t.Parallel()
	body := "Intro Taxis\n\nTaxis\n\nText."
	if got := headingLine(body, "Taxis\n\n", strings.Index(body, "Text.")); got != strings.Index(body, "\nTaxis")+1 {
		t.Errorf("heading line at %d", got)
	}
	far := "Taxis\n\n" + strings.Repeat("x", headingReach+100) + "\n\nText."
	if got := headingLine(far, "Taxis\n\n", strings.Index(far, "Text.")); got != -1 {
		t.Errorf("a heading %d bytes before its text found at %d", headingReach+100, got)
	}
	if got := headingLine(body, "Nowhere\n\n", len(body)); got != -1 {
		t.Errorf("a missing heading found at %d", got)
	}
}

// TestDocBlocksNestedLists: a nested list's items, indented two spaces a level by the
// extractors, are a list of their own at that level, and the list around them goes on with its
// numbers after them; the passage is marked inside them as anywhere.
func TestDocBlocksNestedLists(t *testing.T) {
	t.Parallel()
	body := "To claim:\n1. Open the form.\n  - Choice one\n  - Choice two\n    1. deep\n2. Submit it.\n- plain"
	blocks := docBlocks(body, nil, strings.Index(body, "two"), strings.Index(body, "deep")+4)
	var got []string
	for _, b := range blocks {
		var items []string
		for _, item := range b.Items {
			var text string
			for _, s := range item {
				text += s.Text
				if s.Mark {
					text += "*"
				}
			}
			items = append(items, text)
		}
		got = append(got, fmt.Sprintf("%s/%d/%d %s", b.Kind, b.Level, b.Start, strings.Join(items, ",")))
	}
	want := "p/0/0 To claim: | ol/0/0 Open the form. | ul/1/0 Choice one,Choice two* | ol/2/0 deep* | ol/0/2 Submit it. | ul/0/0 plain"
	if strings.Join(got, " | ") != want {
		t.Errorf("blocks\n got %s\nwant %s", strings.Join(got, " | "), want)
	}
	// Indented lines after a paragraph are a code block's, not a nested list.
	if blocks := docBlocks("Configure the job:\n  - name: web\n  - run: make", nil, 0, 0); len(blocks) != 3 || blocks[1].Kind != "p" || blocks[1].Items[0][0].Text != "  - name: web" {
		t.Errorf("YAML after a paragraph: %+v", blocks)
	}
}
