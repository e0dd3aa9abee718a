package ingest

import (
	"math"
	"testing"
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
