package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/textseg"
	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// pdfEngine extracts PDF text with PDFium compiled to WebAssembly: a mature parser, sandboxed
// (no file system, no network), in pure Go with no external binary. It is started on the first
// PDF, since compiling the module takes seconds; the compiled code is cached on disk.
type pdfEngine struct {
	once sync.Once
	pool pdfium.Pool
	err  error
}

func (e *pdfEngine) start() error {
	e.once.Do(func() {
		rc := wazero.NewRuntimeConfig().
			WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
			WithCloseOnContextDone(true).
			// A decompression bomb grows PDFium's memory, not ours: cap it at 64 MiB, plenty
			// for text extraction. (Each growth copies the memory, so the process's peak is a
			// few times the cap: a 1 GB flate bomb raises it by about 190 MB at this cap, by
			// 520 MB at 128 MiB.)
			WithMemoryLimitPages(1024)
		if dir, err := os.UserCacheDir(); err == nil {
			if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "docent", "wazero")); err == nil {
				rc = rc.WithCompilationCache(cache)
			}
		}
		e.pool, e.err = webassembly.Init(webassembly.Config{
			MinIdle: 0, MaxIdle: 2, MaxTotal: 4,
			RuntimeConfig: rc,
			FSConfig:      wazero.NewFSConfig(), // nothing mounted: PDFium sees only the bytes given
		})
		if e.err != nil {
			e.err = fmt.Errorf("starting the PDF engine: %w", e.err)
		}
	})
	return e.err
}

func (e *pdfEngine) close() {
	if e.pool != nil {
		e.pool.Close()
	}
}

// parsePDF extracts the text of each page as a section numbered by page, and the metadata
// title; pages without a text layer are read by OCR when it is on. A scan with OCR off is
// skipped with a reason that says how to turn it on.
func (x *Extractor) parsePDF(data []byte, timeout time.Duration) (Parsed, error) {
	var doc Parsed
	var blank []int
	var marks []pdfMark
	err := x.pdf.with(timeout, pdfPages*timeout, "PDF extraction", func(inst pdfium.Pdfium, page func()) (err error) {
		doc, blank, marks, err = extractPDF(inst, data, page)
		return err
	})
	if err != nil {
		return Parsed{}, err
	}
	if len(blank) > 0 && x.OCR != nil {
		x.ocrPDF(&doc, data, blank, timeout)
	}
	doc.Sections = outlineSections(doc.Sections, marks)
	if len(doc.Sections) > 0 && doc.OCRPages == 0 && doc.OCRNote == "" &&
		!slices.ContainsFunc(doc.Sections, func(s Section) bool { return strings.TrimSpace(s.Text) != "" }) {
		if x.OCR == nil {
			return Parsed{}, ErrSkip{Reason: ocrOffReason("scanned PDF: no text layer")}
		}
		return Parsed{}, ErrSkip{Reason: "scanned PDF: no text layer, and OCR found no text"}
	}
	return doc, nil
}

// pdfPages bounds a PDF's extraction at this many times the parse timeout, which bounds each
// of its pages: the engine (PDFium compiled to WebAssembly) reads about 35 pages a second on
// 2 cores, so a 480-page manual took 13.5 s and failed the 10 s timeout as a whole; now it may
// take as long as its pages need, up to 12 times the timeout (2 minutes by default).
const pdfPages = 12

// with runs fn on an engine instance, killing the instance when fn goes longer than timeout
// without calling its page function (it calls it as each page is done), or runs past limit in
// all; what names the work in that error.
func (e *pdfEngine) with(timeout, limit time.Duration, what string, fn func(inst pdfium.Pdfium, page func()) error) error {
	if err := e.start(); err != nil {
		return err
	}
	inst, err := e.pool.GetInstance(timeout)
	if err != nil {
		return fmt.Errorf("PDF engine busy: %w", err)
	}
	done, paged := make(chan error, 1), make(chan struct{}, 1)
	go func() {
		done <- fn(inst, func() {
			select {
			case paged <- struct{}{}:
			default:
			}
		})
	}()
	idle, whole := time.NewTimer(timeout), time.NewTimer(max(limit, timeout))
	defer idle.Stop()
	defer whole.Stop()
	for {
		select {
		case err := <-done:
			inst.Close()
			return err
		case <-paged:
			idle.Reset(timeout)
		case <-idle.C:
			inst.Kill()
			if limit > timeout {
				return fmt.Errorf("%s took longer than %s on one page", what, timeout)
			}
			return fmt.Errorf("%s took longer than %s", what, timeout)
		case <-whole.C:
			inst.Kill()
			return fmt.Errorf("%s took longer than %s", what, limit)
		}
	}
}

// renderPage renders page i (0-based) of a PDF as a grey PNG for OCR, at dpi or at the
// resolution that keeps it within maxPixels.
func (e *pdfEngine) renderPage(data []byte, i, dpi, maxPixels int, timeout time.Duration) ([]byte, error) {
	var out []byte
	err := e.with(timeout, timeout, "rendering the page for OCR", func(inst pdfium.Pdfium, _ func()) error {
		doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
		if err != nil {
			return fmt.Errorf("opening PDF: %w", err)
		}
		defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
		size, err := inst.FPDF_GetPageSizeByIndex(&requests.FPDF_GetPageSizeByIndex{Document: doc.Document, Index: i})
		if err != nil {
			return fmt.Errorf("reading the page size: %w", err)
		}
		scale := float64(dpi) / 72
		if px := size.Width * size.Height * scale * scale; px > float64(maxPixels) {
			scale *= math.Sqrt(float64(maxPixels) / px)
		}
		w, h := max(int(size.Width*scale), 1), max(int(size.Height*scale), 1)
		r, err := inst.RenderPageInPixels(&requests.RenderPageInPixels{Width: w, Height: h,
			Page:        requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}},
			ImageFormat: requests.RenderImageFormatGrayscale})
		if err != nil {
			if strings.Contains(err.Error(), "wasm error") {
				return errors.New("the page needs more memory than the 64 MiB allowed")
			}
			return fmt.Errorf("rendering: %w", err)
		}
		defer r.Cleanup()
		var b bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, r.Result.RenderedImage); err != nil {
			return fmt.Errorf("encoding the page image: %w", err)
		}
		out = b.Bytes()
		return nil
	})
	return out, err
}

// extractPDF returns the text of each page, the 0-based indexes of the pages with almost no
// text (under 10 letters or digits: a scan, perhaps stamped with a page number), and the
// outline. It calls page as each page is read.
func extractPDF(inst pdfium.Pdfium, data []byte, page func()) (Parsed, []int, []pdfMark, error) {
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword), errors.Is(err, pdfiumerrors.ErrSecurity):
		return Parsed{}, nil, nil, ErrSkip{Reason: "encrypted PDF (password required)"}
	case errors.Is(err, pdfiumerrors.ErrFormat), errors.Is(err, pdfiumerrors.ErrFile):
		return Parsed{}, nil, nil, errors.New("not a valid PDF (damaged, truncated or another format)")
	case err != nil:
		return Parsed{}, nil, nil, fmt.Errorf("opening PDF: %w", err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	var p Parsed
	if m, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: "Title"}); err == nil {
		p.Title = strings.TrimSpace(m.Value)
	}
	n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return Parsed{}, nil, nil, fmt.Errorf("counting PDF pages: %w", err)
	}
	pages := make([][]string, 0, n.PageCount)
	raw := make([]string, 0, n.PageCount) // each page's text as PDFium gave it, a rune a character
	for i := range n.PageCount {
		t, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}})
		if err != nil {
			if strings.Contains(err.Error(), "wasm error") {
				return Parsed{}, nil, nil, fmt.Errorf("PDF page %d needs more memory than the 64 MiB allowed (a decompression bomb, or a page too complex to read)", i+1)
			}
			return Parsed{}, nil, nil, fmt.Errorf("reading PDF page %d: %w", i+1, err)
		}
		pages = append(pages, pdfLines(t.Text))
		raw = append(raw, t.Text)
		page()
	}
	running := runningLines(pages)
	numbered := numberedLines(pages)
	var blank []int
	for i, lines := range pages {
		text := joinPDFLines(dropRunningLines(lines, running, numbered[i], len(pages)))
		if scanned(text) {
			blank = append(blank, i)
		}
		p.Sections = append(p.Sections, Section{Page: i + 1, Text: text})
	}
	joinPageBreaks(p.Sections)
	marks := pdfOutline(inst, doc.Document)
	var set [][]pdfSetLine // the pages' lines as set, read as far as needed
	setLines := func(upTo int) {
		for i := len(set); i < upTo; i++ {
			set = append(set, pdfSetLines(inst, doc.Document, i, raw[i]))
			page()
		}
	}
	if p.Title == "" {
		setLines(min(titlePages, n.PageCount))
		p.Title = titleLine(set, running)
	}
	if len(marks) == 0 {
		setLines(n.PageCount)
		marks = fontHeadings(set, running)
	}
	return p, blank, marks, nil
}

// joinPageBreaks moves the end of a sentence that a page break cut off, from the top of the
// next page to the page where the sentence began: each page is a section of its own (its
// number is what a citation opens), so a passage ended mid-sentence ("One can also
// seamlessly integrate") and the next page's began with the rest ("with a revision control
// system …"), and neither half answered. A page's text ends mid-sentence when its last line is
// a full line of prose (six words or more) without a stop, and the next page goes on in lower
// case; what moves is the next page's text up to its first sentence's end, at most
// maxCarriedBytes.
func joinPageBreaks(pages []Section) {
	for i := 0; i+1 < len(pages); i++ {
		a, b := strings.TrimRight(pages[i].Text, " \n"), strings.TrimLeft(pages[i+1].Text, " \n")
		lastLine := a[strings.LastIndexByte(a, '\n')+1:]
		first, _ := utf8.DecodeRuneInString(b)
		last, _ := utf8.DecodeLastRuneInString(a)
		if !unicode.IsLower(first) || len(strings.Fields(lastLine)) < 6 || strings.ContainsRune(".!?:;)]\"”", last) || pdfListItem.MatchString(b) {
			continue
		}
		para, _, _ := strings.Cut(b, "\n")
		end := len(para)
		if s := textseg.Sentences(para); len(s) > 0 {
			end = s[0].End
		}
		if end > maxCarriedBytes {
			continue
		}
		if hyphenated(a) && !addressBreak(lastLine, b) {
			a = strings.TrimRight(a, "-\u00ad")
		} else {
			a += " "
		}
		pages[i].Text, pages[i+1].Text = a+b[:end], strings.TrimLeft(b[end:], " \n")
	}
}

// maxCarriedBytes bounds the end of a sentence joinPageBreaks moves to the page before.
const maxCarriedBytes = 600

// pdfLines splits a page's text into lines, trimmed. PDFium joins a word it finds hyphenated
// across lines itself, marking the hyphen \x02.
func pdfLines(page string) []string {
	page = joinBreaks(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(page))
	lines := strings.Split(page, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

// joinBreaks undoes the hyphens PDFium marks \x02 (a word it found broken at a line's end),
// keeping one that breaks an e-mail address, host name or path (see addressBreak): PDFium
// takes "security@northwind-" + "labs.com" for a hyphenated word too.
func joinBreaks(page string) string {
	if !strings.Contains(page, "\x02") {
		return page
	}
	var b strings.Builder
	for {
		before, after, found := strings.Cut(page, "\x02")
		b.WriteString(before)
		if !found {
			return b.String()
		}
		// The broken word's start: the text since the last space or line, less marks before.
		word := before[strings.LastIndexAny(before, " \t\n")+1:]
		// At the page's end the word goes on on the next page: the hyphen stays for
		// joinPageBreaks to judge.
		if addressBreak(strings.ReplaceAll(word, "\x02", "")+"-", strings.TrimLeft(after, "\r\n")) || strings.TrimSpace(after) == "" {
			b.WriteByte('-')
		}
		page = after
	}
}

// maxRunningLines is how many lines at the top and at the foot of a page may be its running
// header and footer: a title and a page number, on one line or two.
const maxRunningLines = 2

// runningLines returns the fingerprints (see blockPrint: numbers aside) of the lines that
// begin or end at least half of a document's pages, or three in four of its odd or of its
// even pages (minRepeatPages of them at least), given minRepeatPages pages: running headers and footers and page numbers ("Debian New
// Maintainers' Guide 14 / 57" atop each of 57 pages), which otherwise open or close a
// paragraph of every page's text. A book sets its header on the outer edge, so it reads
// "gnuplot 5.4 61" on odd pages and "60 gnuplot 5.4" on even ones, each form on under half
// of all pages.
func runningLines(pages [][]string) map[uint64]bool {
	if len(pages) < minRepeatPages {
		return nil
	}
	var counts [2]map[uint64]int // by the page's parity
	counts[0], counts[1] = map[uint64]int{}, map[uint64]int{}
	for i, lines := range pages {
		seen := map[uint64]bool{}
		top, foot := edgeLines(lines)
		for _, k := range append(top, foot...) {
			if p := blockPrint([]byte(lines[k])); !seen[p] {
				seen[p] = true
				counts[i%2][p]++
			}
		}
	}
	out := map[uint64]bool{}
	for parity, c := range counts {
		half := (len(pages) + 1 - parity) / 2 // the pages of this parity
		for p, n := range c {
			if (n+counts[1-parity][p])*2 >= len(pages) || half >= minRepeatPages && n*4 >= half*3 {
				out[p] = true
			}
		}
	}
	return out
}

// numberedLines returns, for each page, the lines at its edges that carry its page number:
// a line that begins or ends with a number (or a lower-case Roman one) that counts on with the
// pages around it, on at least two other pages of the five from two before to two after (a
// number alone, on one). Such headers name the chapter or topic ("Chapter 1: Introduction and
// preliminaries 3", a reference manual's "callCC 69" / "70 CallExternal"), so they differ from
// chapter to chapter and no one of them edges half the pages (runningLines); they cut every
// page's first sentence off the last page's, and the refman topics' headers were taken for
// their headings. A footnote's number counts on too when each page has one: a line that it
// opens and a stop ends is a footnote.
func numberedLines(pages [][]string) []map[int]bool {
	type edgeNumber struct {
		line, n int
		alone   bool
	}
	numbers := make([][]edgeNumber, len(pages))
	for i, lines := range pages {
		top, foot := edgeLines(lines)
		for _, k := range append(top, foot...) {
			f := strings.Fields(lines[k])
			if len(f) > maxNumberedLineWords {
				continue
			}
			if n, ok := pageNumber(f[len(f)-1]); ok {
				numbers[i] = append(numbers[i], edgeNumber{k, n, len(f) == 1})
			}
			// A footnote's number opens a sentence ("1 See the canteen policy."); a header's
			// is followed by a name ("70 CallExternal").
			if n, ok := pageNumber(f[0]); ok && len(f) > 1 && !strings.ContainsAny(lines[k][len(lines[k])-1:], ".!?") {
				numbers[i] = append(numbers[i], edgeNumber{k, n, false})
			}
		}
	}
	out := make([]map[int]bool, len(pages))
	for i, nums := range numbers {
		for _, e := range nums {
			found := 0
			for j := max(i-2, 0); j <= min(i+2, len(pages)-1); j++ {
				if j != i && slices.ContainsFunc(numbers[j], func(o edgeNumber) bool { return o.n-e.n == j-i }) {
					found++
				}
			}
			if found >= 2 || e.alone && found >= 1 {
				if out[i] == nil {
					out[i] = map[int]bool{}
				}
				out[i][e.line] = true
			}
		}
	}
	return out
}

// maxNumberedLineWords bounds the words of a line that numberedLines takes for a page's header
// or footer.
const maxNumberedLineWords = 16

// pageNumber reads a token as a page number: digits, or a lower-case Roman numeral as front
// matter is numbered ("iv").
func pageNumber(tok string) (int, bool) {
	if n, err := strconv.Atoi(tok); err == nil && n >= 0 && n < 1_000_000 && tok[0] != '+' && tok[0] != '-' {
		return n, true
	}
	return romanNumber(tok)
}

// romanNumber reads a lower-case Roman numeral up to 39 ("xxxix").
func romanNumber(tok string) (int, bool) {
	if tok == "" || len(tok) > 7 || strings.Trim(tok, "ivx") != "" {
		return 0, false
	}
	tens := len(tok) - len(strings.TrimLeft(tok, "x"))
	units := map[string]int{"": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}
	u, ok := units[tok[tens:]]
	if !ok || tens > 3 || tens == 0 && u == 0 {
		return 0, false
	}
	return tens*10 + u, true
}

// edgeLines returns the indexes of the first and of the last maxRunningLines lines of a page
// that are not empty, each from the page's edge inwards.
func edgeLines(lines []string) (top, foot []int) {
	for i := 0; i < len(lines) && len(top) < maxRunningLines; i++ {
		if lines[i] != "" {
			top = append(top, i)
		}
	}
	for i := len(lines) - 1; i >= 0 && len(foot) < maxRunningLines; i-- {
		if lines[i] != "" && !slices.Contains(top, i) {
			foot = append(foot, i)
		}
	}
	return top, foot
}

// dropRunningLines returns the page's text without the running lines that begin or end it,
// those that carry its number (numbered), and the entries of a table of contents or an
// index (contentsEntries) of a document of pages pages.
func dropRunningLines(lines []string, running map[uint64]bool, numbered map[int]bool, pages int) string {
	drop := contentsEntries(lines, pages)
	if drop == nil {
		drop = map[int]bool{}
	}
	top, foot := edgeLines(lines)
	for _, edge := range [][]int{top, foot} {
		for _, i := range edge {
			if !running[blockPrint([]byte(lines[i]))] && !numbered[i] {
				break
			}
			drop[i] = true
		}
	}
	kept := make([]string, 0, len(lines))
	for i, l := range lines {
		if !drop[i] {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// contentsEntries returns the lines of a page that are entries of a table of contents or an
// index, when the page is one: a page number or numbers after a dot leader ("1.5 Using R
// interactively . . . . . 3", "Introduction.......iv", "cat . . . . 4, 27"), ending a line,
// two of them on one line (two columns of an index), or the number on a line of its own after
// a leader of six dots or more (an ellipsis ending a sentence has three or four). The headings
// they list are indexed where they stand; joined into paragraphs, a contents page read as "3
// 1.5 Using R interactively . . . . 3 1.6 An introductory session . . . . 4" and answered
// questions with it. A page is a contents page with three such entries or more, all numbers
// within the document's pages, in order (contents) or with lists of pages among eight entries
// or more (an index): a phone list or a price list set with leaders ("Reception . . . . 4400")
// is text.
func contentsEntries(lines []string, pages int) map[int]bool {
	entries := map[int]bool{} // the lines
	count := 0                // the entries, two to a line in an index's two columns
	var order []int           // the arabic page numbers, in the order the entries give them
	lists, within := false, true
	refs := func(s string) {
		parts := strings.Split(s, ",")
		lists = lists || len(parts) > 1
		for _, part := range parts {
			part = strings.TrimSpace(part)
			n, ok := pageNumber(part)
			within = within && ok && n <= pages
			if _, err := strconv.Atoi(part); err == nil {
				order = append(order, n)
			}
		}
	}
	pending := false // a leader without its number ended a line before this one
	for i, l := range lines {
		m := leader.FindAllStringSubmatch(l, -1)
		switch {
		case len(m) >= 2 || len(m) == 1 && leaderEnd.MatchString(l):
			entries[i] = true
			count += len(m)
			for _, r := range m {
				refs(r[2])
			}
		case dotsEnd.MatchString(l):
			entries[i], pending = true, true
			count++
			continue
		case pending && pageList.MatchString(l):
			entries[i] = true
			refs(l)
		}
		pending = pending && l == ""
	}
	if count < 3 || !within || !slices.IsSorted(order) && !(lists && count >= 8) {
		return nil
	}
	return entries
}

// The parts of a contents entry (contentsEntries): a leader and the page numbers after it,
// a line ending in one, a line ending in a leader alone, and page numbers alone.
var (
	leader    = regexp.MustCompile(`(\. ?){4,}\s*([0-9]{1,6}(?:, ?[0-9]{1,6})*|[ivxlc]{1,8})\b`)
	leaderEnd = regexp.MustCompile(`(\. ?){4,}\s*([0-9]{1,6}(, ?[0-9]{1,6})*|[ivxlc]{1,8})$`)
	dotsEnd   = regexp.MustCompile(`(\. ?){6,}$`)
	pageList  = regexp.MustCompile(`^([0-9]{1,6}(, ?[0-9]{1,6})*|[ivxlc]{1,8})$`)
)

// scanned reports a page with under 10 letters or digits: no text layer, or one that holds
// only a stamped page number.
func scanned(text string) bool {
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if n++; n >= 10 {
				return false
			}
		}
	}
	return true
}

// joinPDFLines turns a page's text lines into paragraphs, one per line, as the other
// extractors write them: a PDF has no paragraphs, only lines placed on the page. A line joins
// the one before unless that one is clearly shorter than the page's full lines (a paragraph's
// last line, a heading), the line starts a list item, or a blank line separates them; a word
// hyphenated at a line's end is joined again ("docu-" + "ment" = "document").
func joinPDFLines(page string) string {
	lines := pdfLines(page)
	full := 0 // the length of the page's full lines: most are, a few are rejoined longer
	lengths := make([]int, 0, len(lines))
	for _, l := range lines {
		lengths = append(lengths, utf8.RuneCountInString(l))
	}
	slices.Sort(lengths)
	if len(lengths) > 0 {
		full = lengths[len(lengths)*3/4]
	}
	var b strings.Builder
	prev := ""
	for i, l := range lines {
		next := ""
		if i+1 < len(lines) {
			next = lines[i+1]
		}
		switch {
		case l == "":
			if prev != "" {
				b.WriteString("\n\n")
			}
		case prev == "":
			b.WriteString(l)
		case pdfListItem.MatchString(l) || full < 30 || utf8.RuneCountInString(prev)*4 < full*3 && !noteBreak(prev, l) || pdfHeading(prev, l, next, full):
			b.WriteByte('\n')
			b.WriteString(l)
		default:
			if r, _ := utf8.DecodeRuneInString(l); hyphenated(prev) && unicode.IsLower(r) {
				if !addressBreak(prev, l) || strings.HasSuffix(prev, "\u00ad") {
					trimmed := strings.TrimRight(b.String(), "-\u00ad")
					b.Reset()
					b.WriteString(trimmed)
				}
			} else if !urlBreak(prev, l) {
				b.WriteByte(' ')
			}
			b.WriteString(l)
		}
		prev = l
	}
	return b.String()
}

// pdfHeading reports a line l that is a heading of its own between prev and next: it follows
// a sentence's end, is clearly shorter than the page's full lines, has no stop of its own,
// opens with a capital or a digit, and the line after it (if any) does not go on in lower
// case (a short line before a long URL or word is a paragraph's, wrapped early).
func pdfHeading(prev, l, next string, full int) bool {
	if utf8.RuneCountInString(l)*4 >= full*3 || !strings.ContainsAny(prev[len(prev)-1:], ".!?:") {
		return false
	}
	if strings.ContainsAny(l[len(l)-1:], ".,;:!?") {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(l); !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(next)
	return !unicode.IsLower(r)
}

// addressBreak reports a line broken at a hyphen of an e-mail address, a host name or a path
// rather than a word's: the broken word holds '@' or '/', or the word it goes on with holds a
// '.', '/' or '@' between letters ("security@northwind-" + "labs.com").
func addressBreak(prev, l string) bool {
	word := prev[strings.LastIndexAny(prev, " \t")+1:]
	if strings.ContainsAny(word, "@/") {
		return true
	}
	rest, _, _ := strings.Cut(l, " ")
	rest = strings.TrimRight(rest, ".,;:!?)\"'")
	return strings.ContainsAny(rest, "@/") || strings.Contains(strings.Trim(rest, "."), ".")
}

// noteBreak reports a line that PDFium ended at a footnote's raised mark, mid-sentence: it
// ends in a word with the mark's digits glued to it ("… at the console are limited3") and the
// next line goes on in lower case ("to about 4095 bytes"). The raised mark sits off the line's
// baseline, so the line reads as short, as a paragraph's last one does, and the sentence was
// cut in two. A line of five words or more: "import base64" / "import json" is code.
func noteBreak(prev, l string) bool {
	r, _ := utf8.DecodeRuneInString(l)
	return unicode.IsLower(r) && noteMark.MatchString(prev) && len(strings.Fields(prev)) >= 5
}

// noteMark matches a line ending in a word with a footnote's number glued to it.
var noteMark = regexp.MustCompile(`\pL{2}[0-9]{1,2}$`)

// urlBreak reports a line that ends inside a web address, which typesetting breaks after a
// '/' or '.' with no hyphen ("https://CRAN.R-project." + "org/", "(http://www." +
// "gnumeric.org)"): the line after goes on with it, without a space, when its first word is
// more of an address or a host's last label, since a sentence may end with an address.
func urlBreak(prev, l string) bool {
	word := strings.TrimLeft(prev[strings.LastIndexAny(prev, " \t")+1:], "(<[\"'")
	if !strings.Contains(word, "://") && !strings.HasPrefix(strings.ToLower(word), "www.") {
		return false
	}
	next, _, _ := strings.Cut(l, " ")
	next = strings.TrimRight(next, ",;:)]>\"'")
	switch word[len(word)-1] {
	case '/', '_', '?', '=', '&', '#', '~', '%', '.':
		// The next word goes on with an address ("org/web", "ESS.R-project.org/") or is a
		// host's last label ("org"); "and install it" after an address is a new word.
		return strings.ContainsAny(next, "/.?=&#_%") || word[len(word)-1] == '.' && len(next) <= 4 && next != "" && strings.IndexFunc(next, func(r rune) bool { return !unicode.IsLower(r) }) < 0
	}
	return false
}

// hyphenated reports a line ending in a word broken by a hyphen: a letter, then '-' or a soft
// hyphen.
func hyphenated(line string) bool {
	if strings.HasSuffix(line, "\u00ad") {
		return true
	}
	body, ok := strings.CutSuffix(line, "-")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(body)
	return unicode.IsLetter(r)
}

// pdfListItem matches a line that starts a list item.
var pdfListItem = regexp.MustCompile(`^([-•–▪◦*]|\d{1,3}[.)]|[a-z][.)])\s`)
