package ingest

import (
	"bytes"
	"errors"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/tiff"

	"github.com/docent-search/docent/internal/sampledocs"
)

const ocrSentence = "Quarterly invoices are archived in the basement vault"

// ocrWords reports whether text holds most words of the sentence: OCR may miss a letter.
func ocrWords(text string) bool {
	found := 0
	words := strings.Fields(strings.ToLower(ocrSentence))
	for _, w := range words {
		if strings.Contains(strings.ToLower(text), w) {
			found++
		}
	}
	return found*10 >= len(words)*8
}

func TestOCRImagesAndScans(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	x := &Extractor{OCR: &OCR{Languages: "eng"}}
	defer x.Close()
	img := sampledocs.TextImage(ocrSentence)
	var jpg, tif bytes.Buffer
	if err := jpeg.Encode(&jpg, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tif, img, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	other := sampledocs.TextImage("Second page of the scan")
	for _, tc := range []struct {
		name  string
		data  []byte
		pages int
	}{
		{"photo.png", sampledocs.PNG(img), 1},
		{"photo.jpg", jpg.Bytes(), 1},
		{"scan.tiff", tif.Bytes(), 1},
		{"scan.pdf", sampledocs.ScanPDF("Archive note", img, other), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := x.Parse(tc.name, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.OCRPages != tc.pages {
				t.Errorf("OCRPages = %d, want %d", doc.OCRPages, tc.pages)
			}
			if !ocrWords(doc.Sections[0].Text) || !doc.Sections[0].OCR {
				t.Errorf("first section (ocr=%v) = %q, want the sentence %q", doc.Sections[0].OCR, doc.Sections[0].Text, ocrSentence)
			}
			_, chunks := Layout(doc, DefaultChunkOptions)
			for _, c := range chunks {
				if !c.OCR {
					t.Errorf("chunk %q not marked as OCR", c.Text)
				}
			}
		})
	}
}

// TestOCRReadsOnlyScannedPages: in a typed report with a scanned appendix, only the scanned
// page is read by OCR and marked; the typed pages keep their text layer, unmarked.
func TestOCRReadsOnlyScannedPages(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	x := &Extractor{OCR: &OCR{Languages: "eng"}}
	defer x.Close()
	doc, err := x.Parse("report.pdf", sampledocs.MixedPDF("Report",
		sampledocs.ScanPage{Lines: []string{"Fire exits are marked in green on every floor."}},
		sampledocs.ScanPage{Scan: sampledocs.TextImage(ocrSentence)},
		sampledocs.ScanPage{Lines: []string{"First aid kits are kept in the kitchen."}}))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Sections) != 3 || doc.OCRPages != 1 {
		t.Fatalf("%d sections, %d pages by OCR: %+v", len(doc.Sections), doc.OCRPages, doc.Sections)
	}
	for i, s := range doc.Sections {
		if s.Page != i+1 || s.OCR != (i == 1) {
			t.Errorf("page %d: %+v, want OCR on page 2 only", i+1, s)
		}
	}
	if !ocrWords(doc.Sections[1].Text) || !strings.Contains(doc.Sections[0].Text, "Fire exits") {
		t.Errorf("sections: %+v", doc.Sections)
	}
}

// TestOCRLeavesTextPDFsAlone: a PDF with a text layer is read from it, not by OCR.
func TestOCRLeavesTextPDFsAlone(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	x := &Extractor{OCR: &OCR{Languages: "eng"}}
	defer x.Close()
	text, err := x.Parse("text.pdf", sampledocs.PDF("Text", []string{"Fire exits are marked in green."}))
	if err != nil {
		t.Fatal(err)
	}
	if text.OCRPages != 0 || text.Sections[0].OCR {
		t.Errorf("a text page was read by OCR: %+v", text)
	}
}

func TestOCROffSaysHowToTurnItOn(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	img := sampledocs.TextImage(ocrSentence)
	for name, data := range map[string][]byte{"photo.png": sampledocs.PNG(img), "scan.pdf": sampledocs.ScanPDF("S", img)} {
		_, err := x.Parse(name, data)
		var skip ErrSkip
		if !errors.As(err, &skip) || !strings.Contains(skip.Reason, "DOCENT_OCR") || !strings.Contains(skip.Reason, "tesseract") {
			t.Errorf("%s: %v, want a skip saying how to turn OCR on", name, err)
		}
	}
}

// TestOCRHostileImages: each hostile image fails its own file with a reason, quickly, and the
// extractor goes on to read a good image after them.
func TestOCRHostileImages(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	x := &Extractor{OCR: &OCR{Languages: "eng", PageTimeout: 20 * time.Second, MaxMemory: 256 << 20}}
	defer x.Close()
	good := sampledocs.PNG(sampledocs.TextImage(ocrSentence))
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"HugeDimensions", "huge.png", sampledocs.ImageBomb(100000, 100000), "over the OCR limit of 40 megapixels"},
		{"WideBomb", "wide.png", sampledocs.ImageBomb(1<<30, 1), "over the OCR limit"},
		{"Truncated", "cut.png", good[:len(good)/3], "OCR"},
		{"NotAnImage", "fake.jpg", []byte("<html>not a picture</html>"), "not a readable PNG, JPEG or TIFF image"},
		{"TruncatedTIFF", "cut.tif", []byte("II*\x00\x08\x00\x00\x00\x05\x00"), "not a readable PNG, JPEG or TIFF image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := x.Parse(tc.file, tc.data)
			t.Logf("%s: %v", tc.file, err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
			if d := time.Since(start); d > 25*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
	// Tesseract's address space capped below what it needs: the child dies, the file fails.
	starved := &Extractor{OCR: &OCR{Languages: "eng", MaxMemory: 24 << 20}}
	defer starved.Close()
	if _, err := starved.Parse("starved.png", good); err == nil || !strings.Contains(err.Error(), "OCR failed") {
		t.Errorf("over the memory limit: err = %v, want OCR failed", err)
	}
	doc, err := x.Parse("good.png", good)
	if err != nil || !ocrWords(doc.Sections[0].Text) {
		t.Fatalf("a good image after the hostile ones: %v, %+v", err, doc)
	}
}

func TestOCRTimeout(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	x := &Extractor{OCR: &OCR{Languages: "eng", PageTimeout: 50 * time.Millisecond}}
	defer x.Close()
	_, err := x.Parse("slow.png", sampledocs.PNG(sampledocs.TextImage(ocrSentence, ocrSentence, ocrSentence)))
	if err == nil || !strings.Contains(err.Error(), "OCR took longer than 50ms") {
		t.Fatalf("err = %v", err)
	}
}

// TestOCRFileTimeLimit: pages left when a file's OCR time runs out are named in its outcome;
// the pages read before are kept.
func TestOCRFileTimeLimit(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	x := &Extractor{OCR: &OCR{Languages: "eng", FileTimeout: time.Millisecond}}
	defer x.Close()
	img := sampledocs.TextImage(ocrSentence)
	doc, err := x.Parse("long.pdf", sampledocs.ScanPDF("Long", img, img, img))
	if err != nil {
		t.Fatal(err)
	}
	if doc.OCRPages != 1 || !strings.Contains(doc.OCRNote, "2 pages without text not read (OCR time limit of 1ms per file)") {
		t.Errorf("OCR read %d pages, note %q", doc.OCRPages, doc.OCRNote)
	}
}
