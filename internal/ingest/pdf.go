package ingest

import (
	"errors"
	"fmt"
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

// parse extracts the text of each page as a section numbered by page, and the metadata title.
// An engine instance that runs past timeout is killed.
func (e *pdfEngine) parse(data []byte, timeout time.Duration) (Parsed, error) {
	if err := e.start(); err != nil {
		return Parsed{}, err
	}
	inst, err := e.pool.GetInstance(timeout)
	if err != nil {
		return Parsed{}, fmt.Errorf("PDF engine busy: %w", err)
	}
	type result struct {
		doc Parsed
		err error
	}
	done := make(chan result, 1)
	go func() {
		doc, err := extractPDF(inst, data)
		done <- result{doc, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		inst.Close()
		return r.doc, r.err
	case <-timer.C:
		inst.Kill()
		return Parsed{}, fmt.Errorf("PDF extraction took longer than %s", timeout)
	}
}

func extractPDF(inst pdfium.Pdfium, data []byte) (Parsed, error) {
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword), errors.Is(err, pdfiumerrors.ErrSecurity):
		return Parsed{}, ErrSkip{Reason: "encrypted PDF (password required)"}
	case errors.Is(err, pdfiumerrors.ErrFormat), errors.Is(err, pdfiumerrors.ErrFile):
		return Parsed{}, errors.New("not a valid PDF (damaged, truncated or another format)")
	case err != nil:
		return Parsed{}, fmt.Errorf("opening PDF: %w", err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	var p Parsed
	if m, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: "Title"}); err == nil {
		p.Title = strings.TrimSpace(m.Value)
	}
	n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return Parsed{}, fmt.Errorf("counting PDF pages: %w", err)
	}
	chars := 0
	for i := range n.PageCount {
		t, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}})
		if err != nil {
			if strings.Contains(err.Error(), "wasm error") {
				return Parsed{}, fmt.Errorf("PDF page %d needs more memory than the 64 MiB allowed (a decompression bomb, or a page too complex to read)", i+1)
			}
			return Parsed{}, fmt.Errorf("reading PDF page %d: %w", i+1, err)
		}
		text := joinPDFLines(t.Text)
		chars += len(strings.TrimSpace(text))
		p.Sections = append(p.Sections, Section{Page: i + 1, Text: text})
	}
	if n.PageCount > 0 && chars == 0 {
		return Parsed{}, ErrSkip{Reason: "scanned PDF: no text layer"}
	}
	return p, nil
}

// joinPDFLines turns a page's text lines into paragraphs, one per line, as the other
// extractors write them: a PDF has no paragraphs, only lines placed on the page. A line joins
// the one before unless that one is clearly shorter than the page's full lines (a paragraph's
// last line, a heading), the line starts a list item, or a blank line separates them; a word
// hyphenated at a line's end is joined again ("docu-" + "ment" = "document").
func joinPDFLines(page string) string {
	// PDFium joins a word it finds hyphenated across lines itself, marking the hyphen \x02.
	page = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x02", "").Replace(page)
	lines := strings.Split(page, "\n")
	full := 0 // the length of the page's full lines: most are, a few are rejoined longer
	lengths := make([]int, 0, len(lines))
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
		lengths = append(lengths, utf8.RuneCountInString(lines[i]))
	}
	slices.Sort(lengths)
	if len(lengths) > 0 {
		full = lengths[len(lengths)*3/4]
	}
	var b strings.Builder
	prev := ""
	for _, l := range lines {
		switch {
		case l == "":
			if prev != "" {
				b.WriteString("\n\n")
			}
		case prev == "":
			b.WriteString(l)
		case pdfListItem.MatchString(l) || full < 30 || utf8.RuneCountInString(prev)*4 < full*3:
			b.WriteByte('\n')
			b.WriteString(l)
		default:
			if r, _ := utf8.DecodeRuneInString(l); hyphenated(prev) && unicode.IsLower(r) {
				trimmed := strings.TrimRight(b.String(), "-\u00ad")
				b.Reset()
				b.WriteString(trimmed)
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(l)
		}
		prev = l
	}
	return b.String()
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
