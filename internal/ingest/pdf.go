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
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

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
	var blank []int
	for i, lines := range pages {
		text := joinPDFLines(dropRunningLines(lines, running))
		if scanned(text) {
			blank = append(blank, i)
		}
		p.Sections = append(p.Sections, Section{Page: i + 1, Text: text})
	}
	marks := pdfOutline(inst, doc.Document)
	if len(marks) == 0 {
		set := make([][]pdfSetLine, n.PageCount)
		for i := range n.PageCount {
			set[i] = pdfSetLines(inst, doc.Document, i, raw[i])
			page()
		}
		marks = fontHeadings(set, running)
	}
	return p, blank, marks, nil
}

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
		if addressBreak(strings.ReplaceAll(word, "\x02", "")+"-", strings.TrimLeft(after, "\r\n")) {
			b.WriteByte('-')
		}
		page = after
	}
}

// maxRunningLines is how many lines at the top and at the foot of a page may be its running
// header and footer: a title and a page number, on one line or two.
const maxRunningLines = 2

// runningLines returns the fingerprints (see blockPrint: numbers aside) of the lines that
// begin or end at least half of a document's pages, given minRepeatPages of them: running
// headers and footers and page numbers ("Debian New Maintainers' Guide 14 / 57" atop each
// of 57 pages), which otherwise open or close a paragraph of every page's text.
func runningLines(pages [][]string) map[uint64]bool {
	if len(pages) < minRepeatPages {
		return nil
	}
	counts := map[uint64]int{}
	for _, lines := range pages {
		seen := map[uint64]bool{}
		top, foot := edgeLines(lines)
		for _, i := range append(top, foot...) {
			if p := blockPrint([]byte(lines[i])); !seen[p] {
				seen[p] = true
				counts[p]++
			}
		}
	}
	out := map[uint64]bool{}
	for p, n := range counts {
		if n*2 >= len(pages) {
			out[p] = true
		}
	}
	return out
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

// dropRunningLines returns the page's text without the running lines that begin or end it.
func dropRunningLines(lines []string, running map[uint64]bool) string {
	drop := map[int]bool{}
	top, foot := edgeLines(lines)
	for _, edge := range [][]int{top, foot} {
		for _, i := range edge {
			if !running[blockPrint([]byte(lines[i]))] {
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
		case pdfListItem.MatchString(l) || full < 30 || utf8.RuneCountInString(prev)*4 < full*3 || pdfHeading(prev, l, next, full):
			b.WriteByte('\n')
			b.WriteString(l)
		default:
			if r, _ := utf8.DecodeRuneInString(l); hyphenated(prev) && unicode.IsLower(r) {
				if !addressBreak(prev, l) || strings.HasSuffix(prev, "\u00ad") {
					trimmed := strings.TrimRight(b.String(), "-\u00ad")
					b.Reset()
					b.WriteString(trimmed)
				}
			} else {
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
