package ingest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig reads the headers of scans and photos
	_ "image/png"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/tiff"
)

// OCR reads text from page images with Tesseract, run as a child process per page: a crash
// or a hostile image that exhausts its memory fails that page's file, never the indexer, and
// each run is bounded in time (killed after PageTimeout), in address space (MaxMemory, set with
// ulimit -v before tesseract starts) and in input (images over MaxPixels are refused from their
// header, before any pixel is decoded).
type OCR struct {
	// Binary is the tesseract executable (default "tesseract" on PATH).
	Binary string
	// Languages are Tesseract's language models joined by "+" (default "eng").
	Languages string
	// PageTimeout bounds the recognition of one page or image (default 60s).
	PageTimeout time.Duration
	// MaxPixels refuses larger images (default 40 megapixels: an A4 page scanned at 600 dpi
	// is 35).
	MaxPixels int
	// MaxMemory is the child's address-space limit in bytes (default 1 GiB). Measured with
	// Tesseract 5.3 and eng+deu+fra: a 200 dpi A4 page of text peaks at 80 MB resident and runs
	// within 150 MB of address space (100 MB aborts); a blank 40-megapixel image peaks at 200 MB
	// and runs within 512 MB.
	MaxMemory int64
	// MaxPages bounds the pages of one file read by OCR (default 100), and FileTimeout the
	// time spent on them (default 10 minutes); pages left are named in the document's outcome.
	MaxPages    int
	FileTimeout time.Duration
	// DPI is the resolution PDF pages are rendered at for OCR (default 200), lowered for a
	// page whose image would pass MaxPixels.
	DPI int
}

// NewOCR returns the OCR of the configured mode ("on" or "off", as config resolves it), or
// nil when it is off.
func NewOCR(mode, languages string) *OCR {
	if mode != "on" {
		return nil
	}
	return &OCR{Languages: languages}
}

func (o *OCR) withDefaults() OCR {
	c := *o
	c.Binary = cmp.Or(c.Binary, "tesseract")
	c.Languages = cmp.Or(c.Languages, "eng")
	c.PageTimeout = cmp.Or(c.PageTimeout, 60*time.Second)
	c.MaxPixels = cmp.Or(c.MaxPixels, 40_000_000)
	c.MaxMemory = cmp.Or(c.MaxMemory, 1<<30)
	c.MaxPages = cmp.Or(c.MaxPages, 100)
	c.FileTimeout = cmp.Or(c.FileTimeout, 10*time.Minute)
	c.DPI = cmp.Or(c.DPI, 200)
	return c
}

// ocrOffReason is the skip reason of a file that only OCR could read, saying how to get it read.
func ocrOffReason(what string) string {
	return what + ": " + ocrOffMarker + "; install Tesseract (scripts/ensure-tesseract.sh, or apt-get install tesseract-ocr " +
		"tesseract-ocr-eng) and set DOCENT_OCR=auto or on, then re-index"
}

// ocrOffMarker is in the skip reason of every file left unread for want of OCR, so that turning
// OCR on reads them again although they did not change.
const ocrOffMarker = "OCR is off"

// maxOCRText bounds what one page's recognition may print: a page holds a few KB of text.
const maxOCRText = 1 << 20

// checkImage reads an image's header (PNG, JPEG or TIFF) and refuses one too large to read,
// before any pixel is decoded: a decompression bomb declares its size up front.
func (o *OCR) checkImage(data []byte) error {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not a readable PNG, JPEG or TIFF image: %v", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("%s image with no pixels (%d×%d)", format, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > int64(o.MaxPixels) {
		return fmt.Errorf("%s image of %d×%d pixels is over the OCR limit of %d megapixels", format, cfg.Width, cfg.Height, o.MaxPixels/1_000_000)
	}
	return nil
}

// recognise runs Tesseract on one encoded image and returns its text, pages separated by form
// feeds (a multi-page TIFF has several).
func (o *OCR) recognise(ctx context.Context, img []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.PageTimeout)
	defer cancel()
	// sh sets the limit and execs tesseract, so the limit binds tesseract alone.
	cmd := exec.CommandContext(ctx, "sh", "-c", `ulimit -v "$0" || exit 97; exec "$@"`,
		strconv.FormatInt(o.MaxMemory>>10, 10), o.Binary, "stdin", "stdout", "-l", o.Languages, "--psm", "3")
	// One thread per page: the indexer already runs a page per worker, one worker per core.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdin = bytes.NewReader(img)
	var out, errOut limitedBuffer
	out.max, errOut.max = maxOCRText, 4096
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return "", fmt.Errorf("OCR took longer than %s", o.PageTimeout)
	case errors.Is(err, exec.ErrNotFound):
		return "", fmt.Errorf("OCR: %w", err)
	case err != nil:
		msg := strings.TrimSpace(errOut.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 97 {
			msg = "could not set the memory limit"
		}
		return "", fmt.Errorf("OCR failed (%v): %s", err, cmp.Or(msg, "no message; out of memory or a damaged image"))
	}
	return out.String(), nil
}

// limitedBuffer keeps the first max bytes written and discards the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if left := b.max - b.Len(); left > 0 {
		b.Buffer.Write(p[:min(len(p), left)])
	}
	return len(p), nil
}

// parseImage reads a PNG, JPEG or TIFF by OCR: a section per page (a TIFF may hold several),
// each marked as recognised from a scan.
func (x *Extractor) parseImage(data []byte) (Parsed, error) {
	if x.OCR == nil {
		return Parsed{}, ErrSkip{Reason: ocrOffReason("image")}
	}
	o := x.OCR.withDefaults()
	if err := o.checkImage(data); err != nil {
		return Parsed{}, err
	}
	text, err := o.recognise(context.Background(), data)
	if err != nil {
		return Parsed{}, err
	}
	pages := strings.Split(strings.TrimRight(text, "\f \n"), "\f")
	var doc Parsed
	for i, p := range pages {
		if i == o.MaxPages {
			doc.OCRNote = fmt.Sprintf("pages %d–%d not read (OCR page limit %d)", i+1, len(pages), o.MaxPages)
			break
		}
		s := Section{Text: joinPDFLines(p), OCR: true}
		if len(pages) > 1 {
			s.Page = i + 1
		}
		doc.Sections = append(doc.Sections, s)
		doc.OCRPages++
	}
	if strings.TrimSpace(text) == "" {
		return Parsed{}, ErrSkip{Reason: "image: OCR found no text"}
	}
	return doc, nil
}

// maxRenderPixels bounds a PDF page rendered for OCR: PDFium has 64 MiB (pdfEngine), which a
// 16-megapixel grey bitmap leaves room in for the page's own images; an A3 page at 200 dpi is
// 7.8 megapixels, and a larger page is rendered at a lower resolution.
const maxRenderPixels = 16_000_000

// ocrPDF reads the pages of a PDF that have no text layer by OCR, up to the page limit:
// each is rendered by PDFium (grey, at o.DPI or less) and recognised by Tesseract. A page
// that cannot be read keeps its empty text and is named in the outcome; the others are read.
func (x *Extractor) ocrPDF(doc *Parsed, data []byte, blank []int, timeout time.Duration) {
	o := x.OCR.withDefaults()
	var notes []string
	if len(blank) > o.MaxPages {
		notes = append(notes, fmt.Sprintf("%d pages without text not read (OCR page limit %d)", len(blank)-o.MaxPages, o.MaxPages))
		blank = blank[:o.MaxPages]
	}
	var failed []string
	start := time.Now()
	for k, i := range blank {
		if time.Since(start) > o.FileTimeout {
			notes = append(notes, fmt.Sprintf("%d pages without text not read (OCR time limit of %s per file)", len(blank)-k, o.FileTimeout))
			break
		}
		img, err := x.pdf.renderPage(data, i, o.DPI, min(o.MaxPixels, maxRenderPixels), timeout)
		var text string
		if err == nil {
			text, err = o.recognise(context.Background(), img)
		}
		if err != nil {
			failed = append(failed, fmt.Sprintf("page %d: %v", i+1, err))
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		doc.Sections[i].Text, doc.Sections[i].OCR = joinPDFLines(strings.Trim(text, "\f")), true
		doc.OCRPages++
	}
	if len(failed) > 0 {
		notes = append(notes, fmt.Sprintf("%d pages could not be read (%s)", len(failed), failed[0]))
	}
	doc.OCRNote = strings.Join(notes, "; ")
}
