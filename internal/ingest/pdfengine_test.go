package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/klippa-app/go-pdfium"
)

// A PDF's extraction may take as long as its pages need, each within the timeout: a long
// manual that reads page after page is not cut off at the timeout, a page that hangs is, and
// so is the whole past its limit. The margins are wide (each page 100 ms against 500), so
// that a loaded machine does not change the outcome.
func TestPDFExtractionIsTimedByPage(t *testing.T) {
	var e pdfEngine
	defer e.close()
	pages := func(n int, each time.Duration) func(pdfium.Pdfium, func()) error {
		return func(_ pdfium.Pdfium, page func()) error {
			for range n {
				time.Sleep(each)
				page()
			}
			return nil
		}
	}
	if err := e.with(500*time.Millisecond, 10*time.Second, "PDF extraction", pages(8, 100*time.Millisecond)); err != nil {
		t.Errorf("8 pages of 100 ms with 500 ms a page: %v", err)
	}
	err := e.with(500*time.Millisecond, 10*time.Second, "PDF extraction", pages(1, 3*time.Second))
	if err == nil || !strings.Contains(err.Error(), "PDF extraction took longer than 500ms on one page") {
		t.Errorf("a page of 3 s with 500 ms a page: %v", err)
	}
	err = e.with(500*time.Millisecond, time.Second, "PDF extraction", pages(30, 100*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "PDF extraction took longer than 1s") {
		t.Errorf("30 pages of 100 ms within 1 s in all: %v", err)
	}
}
