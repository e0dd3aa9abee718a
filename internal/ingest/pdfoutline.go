package ingest

import (
	"regexp"
	"slices"
	"strings"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// A PDF has no headings in its text, but most PDFs written from a word processor carry an
// outline (the bookmarks a viewer shows beside the pages: Word and LibreOffice write one entry
// per heading). Its entries give each page's passages the heading path they fall under, as
// the headings of a Word or HTML document do: "Travel policy › Taxis", not "page 4" alone, in
// the citation, in the passage the answerer quotes from, and in what search matches.

// pdfMark is an entry of a PDF's outline: a heading, its depth (0 the top) and the page, from
// 0, it opens on (-1 when it names none).
type pdfMark struct {
	level int
	title string
	page  int
}

// The outline read is bounded: a hostile file's outline may loop (PDFium leaves cycles to the
// caller) or nest without end.
const (
	maxPDFMarks     = 4096
	maxPDFMarkDepth = 16
)

// pdfOutline reads the outline of doc in document order, at most maxPDFMarks entries and
// maxPDFMarkDepth levels deep. A damaged outline gives what was read before the damage.
func pdfOutline(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT) []pdfMark {
	var marks []pdfMark
	var walk func(parent *references.FPDF_BOOKMARK, level int)
	walk = func(parent *references.FPDF_BOOKMARK, level int) {
		if level >= maxPDFMarkDepth {
			return
		}
		first, err := inst.FPDFBookmark_GetFirstChild(&requests.FPDFBookmark_GetFirstChild{Document: doc, Bookmark: parent})
		if err != nil || first.Bookmark == nil {
			return
		}
		for b := *first.Bookmark; len(marks) < maxPDFMarks; {
			m := pdfMark{level: level, page: pdfMarkPage(inst, doc, b)}
			if t, err := inst.FPDFBookmark_GetTitle(&requests.FPDFBookmark_GetTitle{Bookmark: b}); err == nil {
				m.title = t.Title
			}
			marks = append(marks, m)
			walk(&b, level+1)
			next, err := inst.FPDFBookmark_GetNextSibling(&requests.FPDFBookmark_GetNextSibling{Document: doc, Bookmark: b})
			if err != nil || next.Bookmark == nil {
				return
			}
			b = *next.Bookmark
		}
	}
	walk(nil, 0)
	return marks
}

// pdfMarkPage returns the page an outline entry opens, from its destination or its go-to
// action (the two ways writers link an entry to its page), or -1.
func pdfMarkPage(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, b references.FPDF_BOOKMARK) int {
	var dest *references.FPDF_DEST
	if d, err := inst.FPDFBookmark_GetDest(&requests.FPDFBookmark_GetDest{Document: doc, Bookmark: b}); err == nil && d.Dest != nil {
		dest = d.Dest
	} else if a, err := inst.FPDFBookmark_GetAction(&requests.FPDFBookmark_GetAction{Bookmark: b}); err == nil && a.Action != nil {
		if t, err := inst.FPDFAction_GetType(&requests.FPDFAction_GetType{Action: *a.Action}); err == nil && t.Type == enums.FPDF_ACTION_ACTION_GOTO {
			if d, err := inst.FPDFAction_GetDest(&requests.FPDFAction_GetDest{Document: doc, Action: *a.Action}); err == nil {
				dest = d.Dest
			}
		}
	}
	if dest == nil {
		return -1
	}
	i, err := inst.FPDFDest_GetDestPageIndex(&requests.FPDFDest_GetDestPageIndex{Document: doc, Dest: *dest})
	if err != nil {
		return -1
	}
	return i.Index
}

// outlineSections divides a PDF's pages (a section each, in order) at its outline's headings:
// a heading found at a line's start on its page starts a section there, under the heading path
// of the entries before it, and leaves the text (the body of a section holds no heading, as
// for other formats); one not found applies from where the page's text stands. Entries that
// name no page, or go back to an earlier page than the entry before, are out of order and
// ignored: the pages are read in order; so is an entry of the same title on the same page as
// one before it.
func outlineSections(pages []Section, marks []pdfMark) []Section {
	var path []string
	var out []Section
	seen := map[pdfMark]bool{} // an outline that loops names the same entry again and again
	k := 0
	for i, p := range pages {
		pos := 0
		for ; k < len(marks) && marks[k].page <= i; k++ {
			m := marks[k]
			title := collapse(m.title)
			if m.page != i || title == "" || seen[pdfMark{title: title, page: i}] {
				continue // no page, one before the entry before it, or a repeat
			}
			seen[pdfMark{title: title, page: i}] = true
			if at, end, ok := headingAt(p.Text, pos, title); ok {
				if body := p.Text[pos:at]; strings.TrimSpace(body) != "" {
					out = append(out, pageSection(p, path, body))
				}
				pos = end
			}
			path = append(path[:min(m.level, len(path))], title)
		}
		out = append(out, pageSection(p, path, p.Text[pos:]))
	}
	return out
}

// pageSection is a part of the page p under the heading path.
func pageSection(p Section, path []string, text string) Section {
	p.Headings, p.Text = slices.Clone(path), text
	return p
}

// printedNumber matches the number printed before a heading whose outline entry does not
// hold it ("1.2", "A.3", "Chapter 4"), at the end of the text before the heading on its line,
// alone or after a sentence's end. It leaves the text with the heading (whose title is the
// outline's): left there, each section's text ended in the next one's number ("… a single
// piece of data analysis. 1.2").
var printedNumber = regexp.MustCompile(`(?:^|[.!?] )((?:\d{1,3}(?:\.\d{1,3})*\.?|[A-Z]\.\d{1,3}(?:\.\d{1,3})*\.?|(?:Chapter|Appendix|Part|Section) [0-9A-Z]{1,3}[.:]?))$`)

// headingAt finds an outline entry's title on its page, in the text at or after pos, ignoring
// case, and returns where the text before it ends (at) and the text after it begins (end).
// Best is a line that is the title alone, which then goes from the text. Next, the title ending
// a line: joining a page's lines into paragraphs (joinPDFLines) runs a heading on from a full
// line before it, from which it is cut. Last, a line that starts with it, which stays whole:
// the heading may be the line's first words as well as its own paragraph ("Annex text.").
func headingAt(text string, pos int, title string) (at, end int, ok bool) {
	for pass := range 3 {
		for start := pos; start < len(text); {
			line := text[start:]
			if nl := strings.IndexByte(line, '\n'); nl >= 0 {
				line = line[:nl]
			}
			n, t := len(line), len(title)
			switch {
			case pass == 0 && strings.EqualFold(strings.TrimSpace(line), title):
				return start, min(start+n+1, len(text)), true
			case pass == 1 && n > t && line[n-t-1] == ' ' && strings.EqualFold(line[n-t:], title):
				before := line[:n-t-1]
				if m := printedNumber.FindStringSubmatchIndex(before); m != nil {
					before = before[:m[2]] // "1.2 The R environment": the number leaves with its title
				}
				return start + len(strings.TrimRight(before, " ")), min(start+n+1, len(text)), true
			case pass == 2 && n > t && line[t] == ' ' && strings.EqualFold(line[:t], title):
				return start, start, true
			}
			start += n + 1
		}
	}
	return 0, 0, false
}
