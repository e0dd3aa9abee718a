package ingest

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// A PDF without an outline (exported without bookmarks, printed to PDF, typeset by a tool that
// writes none) still shows its headings: they are set larger than the body text. Those lines
// become the marks an outline would give (pdfOutline), so the page's passages get a heading
// path all the same; the larger the type, the higher the heading.

// pdfSetLine is a line of a page as set: its text, the rendered size, in points, of the type
// it is set in, and its letters and digits, which weigh it in the body's size.
type pdfSetLine struct {
	text  string
	size  float64
	chars int
}

// Bounds of the font-size headings: only a page's first maxSetLines lines are sized (each costs
// three engine calls, and a hostile page may hold a million one-glyph lines); a line of more
// than maxHeadingWords words is text, not a heading; a heading is set at least minHeadingScale
// times the body's size
// (Word's and LibreOffice's smallest heading styles are 13-14 pt over 11-12 pt); and a document
// whose headings would be more than one line in maxHeadingShare is not set that way (a poster,
// a form of large labels), and gets none. (A deck set all in large type has that type for its
// body, the size most characters are set in.)
const (
	maxSetLines     = 2000
	maxHeadingWords = 12
	minHeadingScale = 1.15
	maxHeadingShare = 2
)

// pdfSetLines reads the size each line of page i is set in. text is the page's text as PDFium
// gives it (GetPageText), whose characters are PDFium's, one a rune (less those it leaves out),
// so a line's characters are found by their index: the size of a line is the median of its
// first, middle and last letter's or digit's (three calls to the engine a line rather than one
// a character), each its font size scaled by its text matrix (writers set 12 pt either as
// "12 Tf" or as "1 Tf" in a matrix scaled by 12).
func pdfSetLines(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int, text string) []pdfSetLine {
	tp, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc, Index: i}}})
	if err != nil {
		return nil
	}
	defer inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	size := func(k int) float64 {
		fs, err := inst.FPDFText_GetFontSize(&requests.FPDFText_GetFontSize{TextPage: tp.TextPage, Index: k})
		if err != nil {
			return 0
		}
		if m, err := inst.FPDFText_GetMatrix(&requests.FPDFText_GetMatrix{TextPage: tp.TextPage, Index: k}); err == nil {
			if s := math.Hypot(float64(m.Matrix.C), float64(m.Matrix.D)); s > 0 {
				return fs.FontSize * s
			}
		}
		return fs.FontSize
	}
	runes := []rune(text)
	// GetPageText leaves out the characters PDFium reads no Unicode for (0: a glyph the font
	// maps to none), which keep their index: on a page with any, a rune's character is found
	// by reading the page's characters again, or a line would take the size of those before.
	char := func(j int) int { return j }
	n, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
	if err != nil {
		return nil
	}
	if n.Count != len(runes) {
		at := make([]int, 0, len(runes))
		for k := 0; k < n.Count && len(at) <= len(runes); k++ {
			u, err := inst.FPDFText_GetUnicode(&requests.FPDFText_GetUnicode{TextPage: tp.TextPage, Index: k})
			if err != nil {
				return nil
			}
			if u.Unicode != 0 {
				at = append(at, k)
			}
		}
		if len(at) != len(runes) {
			return nil
		}
		char = func(j int) int { return at[j] }
	}
	var out []pdfSetLine
	start := 0
	for k := 0; k <= len(runes) && len(out) < maxSetLines; k++ {
		if k < len(runes) && runes[k] != '\n' && runes[k] != '\r' {
			continue
		}
		var letters []int
		for j := start; j < k; j++ {
			if unicode.IsLetter(runes[j]) || unicode.IsDigit(runes[j]) {
				letters = append(letters, j)
			}
		}
		if len(letters) > 0 {
			sizes := []float64{size(char(letters[0])), size(char(letters[len(letters)/2])), size(char(letters[len(letters)-1]))}
			slices.Sort(sizes)
			// The text as the page's is (pdfLines): a word PDFium marks hyphenated (\x02) is
			// joined again, or outlineSections would not find a heading wrapped at one.
			out = append(out, pdfSetLine{text: collapse(joinBreaks(string(runes[start:k]))), size: roundSize(sizes[1]), chars: len(letters)})
		}
		start = k + 1
	}
	return out
}

// roundSize rounds a font size to half a point: sizes a writer meant to be one differ in the
// last digits once scaled. A size no type is set in (none, negative, not a number, or over
// maxFontSize, as a hostile matrix gives) is 0: unknown, neither body nor heading.
func roundSize(s float64) float64 {
	if !(s > 0 && s <= maxFontSize) {
		return 0
	}
	return math.Round(s*2) / 2
}

// maxFontSize is the largest size, in points, taken for type: a PDF page is at most 14,400
// points wide.
const maxFontSize = 14400

// fontHeadings returns the lines of pages (each page's lines as set) that are headings by
// their size, as outline marks: the body's size is the one most characters are set in, a
// heading's is at least minHeadingScale times it, and its level is the rank of its size among
// the headings' (the largest 0). Consecutive heading lines of one size are one heading
// wrapped. Lines that run on every other page (running heads, in running) are not headings.
func fontHeadings(pages [][]pdfSetLine, running map[uint64]bool) []pdfMark {
	lines := 0
	for _, p := range pages {
		lines += len(p)
	}
	body := bodySize(pages)
	if body <= 0 {
		return nil
	}
	var marks []pdfMark
	var markSize []float64 // each mark's size, its level once the sizes are ranked
	var sizes []float64
	for i, p := range pages {
		prev := -1.0 // the size of the heading line before, on this page
		for _, l := range p {
			if !headingLine(l, body, running) {
				prev = -1
				continue
			}
			if n := len(marks) - 1; l.size == prev && marks[n].page == i {
				marks[n].title += " " + l.text
				continue
			}
			marks = append(marks, pdfMark{title: l.text, page: i})
			markSize = append(markSize, l.size)
			if !slices.Contains(sizes, l.size) {
				sizes = append(sizes, l.size)
			}
			prev = l.size
		}
	}
	if len(marks)*maxHeadingShare > lines || len(marks) > maxPDFMarks {
		return nil
	}
	slices.SortFunc(sizes, func(a, b float64) int { return cmp.Compare(b, a) })
	for k := range marks {
		marks[k].level = slices.Index(sizes, markSize[k])
	}
	return marks
}

// bodySize is the size most of the pages' letters and digits are set in (the smaller of two
// that tie); 0 when none is known.
func bodySize(pages [][]pdfSetLine) float64 {
	chars := map[float64]int{}
	for _, p := range pages {
		for _, l := range p {
			if l.size > 0 {
				chars[l.size] += l.chars
			}
		}
	}
	body := 0.0
	for s, c := range chars {
		if c > chars[body] || c == chars[body] && s < body {
			body = s
		}
	}
	return body
}

// titlePages is how many of a PDF's first pages titleLine weighs the body's size over: a
// title page holds little but large type.
const titlePages = 3

// titleLine returns the title set on a PDF's first page, for a PDF whose metadata names none
// (TeX and many printers write none, and the file's name stood for it: "R-intro" for "An
// Introduction to R"): the first page's largest type, a heading by the size of the first
// pages' body (headingLine), two words or more, its lines joined when it wraps; "" when there
// is none.
func titleLine(pages [][]pdfSetLine, running map[uint64]bool) string {
	if len(pages) == 0 {
		return ""
	}
	body := bodySize(pages)
	largest := 0.0
	for _, l := range pages[0] {
		if headingLine(l, body, running) {
			largest = max(largest, l.size)
		}
	}
	var title []string
	for _, l := range pages[0] {
		switch {
		case l.size == largest && largest > 0 && headingLine(l, body, running):
			title = append(title, l.text)
		case len(title) > 0:
			return joinTitle(title)
		}
	}
	return joinTitle(title)
}

// joinTitle joins a title's lines, or gives "" for a title of one word (a logo, "DRAFT").
func joinTitle(lines []string) string {
	t := strings.Join(lines, " ")
	if len(strings.Fields(t)) < 2 {
		return ""
	}
	return t
}

// headingLine reports whether a line is set as a heading over body text of size body: larger
// type, a few words with a letter among them, no sentence's or clause's end (in CJK text
// too: '。', '，'), not a running line. A line of one letter or digit is a paragraph's drop
// cap, not a heading (a glossary's "A" goes with it).
func headingLine(l pdfSetLine, body float64, running map[uint64]bool) bool {
	if l.size < body*minHeadingScale || len(strings.Fields(l.text)) > maxHeadingWords || l.chars < 2 {
		return false
	}
	if last, _ := utf8.DecodeLastRuneInString(l.text); !strings.ContainsFunc(l.text, unicode.IsLetter) || strings.ContainsRune(".,;。、，；．", last) {
		return false
	}
	return !running[blockPrint([]byte(l.text))]
}
