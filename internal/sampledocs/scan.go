package sampledocs

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// TextImage renders lines of text black on white at a size Tesseract reads well (Go Regular,
// 32 px: about 12 pt scanned at 200 dpi), as a scanned page would hold them.
func TextImage(lines ...string) *image.Gray {
	f, _ := opentype.Parse(goregular.TTF) // the embedded font always parses
	face, _ := opentype.NewFace(f, &opentype.FaceOptions{Size: 32, DPI: 72, Hinting: font.HintingFull})
	width := 80
	for _, l := range lines {
		width = max(width, font.MeasureString(face, l).Ceil()+120)
	}
	img := image.NewGray(image.Rect(0, 0, width, 60*len(lines)+100))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(60, 80+60*i)
		d.DrawString(l)
	}
	return img
}

// PNG encodes img.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	png.Encode(&b, img) // to memory: cannot fail
	return b.Bytes()
}

// ScanPDF returns a PDF with no text layer: each page is one grey image, placed to fill the
// page as a scanner would (at 200 dpi), so only OCR can read it.
func ScanPDF(title string, pages ...*image.Gray) []byte {
	mixed := make([]ScanPage, len(pages))
	for i, p := range pages {
		mixed[i] = ScanPage{Scan: p}
	}
	return MixedPDF(title, mixed...)
}

// ScanPage is a page of MixedPDF: a scanned image, or, when Scan is nil, lines of text set in
// Helvetica (a text layer).
type ScanPage struct {
	Scan  *image.Gray
	Lines []string
}

// MixedPDF returns a PDF of scanned pages and pages with a text layer, as a scanned appendix
// to a typed report makes.
func MixedPDF(title string, pages ...ScanPage) []byte {
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+3*i)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)),
		fmt.Sprintf("<< /Title (%s) /Producer (docent testpdf) >>", escape(title)),
	}
	for i, p := range pages {
		// Each page is three objects: the page, its content stream, and its image or font.
		if p.Scan == nil {
			var content strings.Builder
			content.WriteString("BT /F1 12 Tf 72 720 Td 16 TL\n")
			for _, l := range p.Lines {
				fmt.Fprintf(&content, "(%s) Tj T*\n", escape(l))
			}
			content.WriteString("ET")
			objs = append(objs,
				fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", 6+3*i, 5+3*i),
				fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
				"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
			)
			continue
		}
		img := p.Scan
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		pw, ph := float64(w)*72/200, float64(h)*72/200
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(img.Pix)
		zw.Close()
		content := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q", pw, ph)
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>", pw, ph, 6+3*i, 5+3*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
			fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream",
				w, h, z.Len(), z.String()),
		)
	}
	return Objects(objs, "/Info 3 0 R")
}

// ImageBomb returns a PNG that declares w×h pixels and holds a tiny, truncated image stream:
// what a decompression bomb looks like to a reader of its header.
func ImageBomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // 8-bit greyscale
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00})
	return b.Bytes()
}

// RequireTesseract skips a test that needs Tesseract where it is missing, except in CI, where
// OCR must be tested: .ci/run installs it (scripts/ensure-tesseract.sh), as it does Chromium.
func RequireTesseract(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("tesseract is missing in CI: run scripts/ensure-tesseract.sh (%v)", err)
		}
		tb.Skip("tesseract is not installed (scripts/ensure-tesseract.sh installs it)")
	}
}
