package ingest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/sampledocs"
)

// A size no type is set in (a hostile or broken text matrix) is unknown: neither the body's
// size nor a heading's, so a page of such lines gets no headings rather than every line one.
func TestFontHeadingsUnknownSizes(t *testing.T) {
	for in, want := range map[float64]float64{12.26: 12.5, 11.9: 12, math.NaN(): 0, math.Inf(1): 0, -12: 0, 0: 0, 1e9: 0} {
		if got := roundSize(in); got != want {
			t.Errorf("roundSize(%v) = %v, want %v", in, got, want)
		}
	}
	body := pdfSetLine{text: "Staff travel by train in second class.", size: 12, chars: 30}
	pages := [][]pdfSetLine{{{text: "Travel", size: 0, chars: 6}, body, body, {text: "Taxis", size: 18, chars: 5}, body, body}}
	marks := fontHeadings(pages, nil)
	if len(marks) != 1 || marks[0].title != "Taxis" || marks[0].level != 0 {
		t.Errorf("marks = %+v, want Taxis alone", marks)
	}
	if marks := fontHeadings([][]pdfSetLine{{{text: "Travel", chars: 6}, {text: "Taxis", chars: 5}}}, nil); marks != nil {
		t.Errorf("lines of unknown size: marks = %+v, want none", marks)
	}
}

// TestPDFHeadingsAfterUnmappedGlyphs: characters PDFium reads no Unicode for (here code 0,
// which the font names no glyph for) are left out of a page's text but not out of PDFium's
// count, so a line's letters are found at their own characters, not at the ones before them:
// the headings after such glyphs keep their size.
func TestPDFHeadingsAfterUnmappedGlyphs(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	got := sectionsOf(t, x, onePagePDF("/F1 11 Tf 1 0 0 1 72 740 Tm ("+strings.Repeat(`\000`, 40)+"Form 7) Tj\n",
		"# Travel policy", "Staff travel by train in second class.", "Trains are booked by the travel desk.", "# Taxis", "Taxis are paid after nine in the evening."))
	want := []string{"p1 : Form 7", "p1 Travel policy: Staff travel by train in second class. Trains are booked by the travel desk.", "p1 Taxis: Taxis are paid after nine in the evening."}
	if !slices.Equal(got, want) {
		t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFontHeadingsDropCap: a paragraph's large first letter (a drop cap), which PDFium gives
// a line of its own, is not a heading: the page would otherwise fall under "T".
func TestFontHeadingsDropCap(t *testing.T) {
	body := pdfSetLine{text: "Staff travel by train in second class.", size: 11, chars: 30}
	pages := [][]pdfSetLine{{{text: "Travel policy", size: 18, chars: 12}, {text: "T", size: 40, chars: 1},
		{text: "he staff travel by train in second class.", size: 11, chars: 33}, body, body, body}}
	marks := fontHeadings(pages, nil)
	if len(marks) != 1 || marks[0].title != "Travel policy" || marks[0].level != 0 {
		t.Errorf("marks = %+v, want Travel policy alone", marks)
	}
}

// TestPDFHeadingsHyphenated: a heading wrapped at a hyphen, which PDFium gives as one line
// with the hyphen marked \x02, is found on its page as the page's text has it (the word
// joined again), so the page is divided at it and the heading leaves the text.
func TestPDFHeadingsHyphenated(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	got := sectionsOf(t, x, onePagePDF("", "Staff travel by train in second class, booked through the desk a week ahead.",
		"Trains are booked by the travel desk, which keeps the tickets until the day.", "#Rules of the travel-", "#desk and its staff",
		"Taxis are paid after nine in the evening, and on Sundays at any hour of the day.", "Receipts are kept for a year."))
	want := []string{
		"p1 : Staff travel by train in second class, booked through the desk a week ahead. Trains are booked by the travel desk, which keeps the tickets until the day.",
		"p1 Rules of the traveldesk and its staff: Taxis are paid after nine in the evening, and on Sundays at any hour of the day. Receipts are kept for a year.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFontHeadingsCJKSentence: a larger line that ends a sentence with a CJK full stop or
// comma is a pull quote, as one ending in '.' is, not a heading.
func TestFontHeadingsCJKSentence(t *testing.T) {
	body := pdfSetLine{text: "出張は原則として二等車を利用し、切符は総務課が手配する。", size: 10.5, chars: 26}
	pages := [][]pdfSetLine{{{text: "出張規程", size: 16, chars: 4}, body, body, {text: "領収書は一年間保管すること。", size: 14, chars: 13}, body, body}}
	marks := fontHeadings(pages, nil)
	if len(marks) != 1 || marks[0].title != "出張規程" {
		t.Errorf("marks = %+v, want 出張規程 alone", marks)
	}
}

// TestPDFHeadingsBySize: a PDF without an outline gets its heading paths from the type its
// lines are set in: a line set larger than the body is a heading, the larger the higher, and a
// larger line that ends a sentence (a pull quote) is not. A document set all in large type
// (slides) has none.
func TestPDFHeadingsBySize(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	got := sectionsOf(t, x, sampledocs.PDF("Travel policy",
		[]string{"# Travel policy", "Staff travel by train.", "## Taxis", "Taxis are paid after 9 pm.", "## Keep every receipt for a year.", "Claims go to the travel desk."},
		[]string{"Receipts are scanned.", "## Hotels", "Four stars at most.", "# Annex", "Annex text."}))
	want := []string{
		"p1 Travel policy: Staff travel by train.",
		"p1 Travel policy › Taxis: Taxis are paid after 9 pm. / Keep every receipt for a year. / Claims go to the travel desk.",
		"p2 Travel policy › Taxis: Receipts are scanned.",
		"p2 Travel policy › Hotels: Four stars at most.",
		"p2 Annex: Annex text.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = sectionsOf(t, x, sampledocs.PDF("Slides", []string{"# Quarterly review", "# Revenue grew", "# Costs fell", "Thank you"}))
	if len(got) != 1 || !strings.HasPrefix(got[0], "p1 : Quarterly review") {
		t.Errorf("a deck set in large type: sections %q, want one without headings", got)
	}
}

// TestPDFTitleFromTheFirstPage: a PDF whose metadata names no title (TeX writes none) takes the
// line set largest on its first page, wrapped lines joined; a one-word line in large type (a
// logo, "DRAFT") is no title, and the file's name stands for it as before.
func TestPDFTitleFromTheFirstPage(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	body := []string{"R is an integrated suite of software facilities for data manipulation.", "It has an effective data handling and storage facility.", "It is a suite of operators for calculations on arrays."}
	for _, c := range []struct {
		first []string
		want  string
	}{
		{[]string{"# An Introduction", "# to R", "## Notes on R: A Programming Environment", "Version 4.2.2"}, "An Introduction to R"},
		{[]string{"# DRAFT", "Notes for the team meeting on Monday."}, "R-intro"},
	} {
		doc, err := x.Parse("R-intro.pdf", sampledocs.PDF("", c.first, body, body))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Title != c.want {
			t.Errorf("title %q, want %q", doc.Title, c.want)
		}
	}
	// The metadata's title, where there is one, is the title.
	doc, err := x.Parse("r.pdf", sampledocs.PDF("R manual", []string{"# An Introduction to R"}, body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "R manual" {
		t.Errorf("title %q, want the metadata's", doc.Title)
	}
}

// onePagePDF returns a one-page PDF whose content stream opens with head, then sets each line
// at its own text matrix in 11 pt Helvetica, a line starting "#" at 18 pt (without the "#").
func onePagePDF(head string, lines ...string) []byte {
	var b strings.Builder
	b.WriteString("BT\n" + head)
	y := 720
	for _, l := range lines {
		size := 11
		if h, ok := strings.CutPrefix(l, "#"); ok {
			l, size = strings.TrimSpace(h), 18
		}
		fmt.Fprintf(&b, "/F1 %d Tf 1 0 0 1 72 %d Tm (%s) Tj\n", size, y, l)
		y -= 24
	}
	b.WriteString("ET")
	content := b.String()
	return sampledocs.Objects([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}, "")
}

// sectionsOf parses pdf and returns its sections as "pPAGE heading path: text", lines joined
// by " / ".
func sectionsOf(t *testing.T, x *Extractor, pdf []byte) []string {
	t.Helper()
	doc, err := x.Parse("travel.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range doc.Sections {
		got = append(got, fmt.Sprintf("p%d %s: %s", s.Page, strings.Join(s.Headings, " › "), strings.ReplaceAll(s.Text, "\n", " / ")))
	}
	return got
}
