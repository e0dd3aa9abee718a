package sampledocs

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// ZipBomb is an Office file whose part inflates to size bytes of zeros, with the same entry
// again after it (overlapping entries, as some bombs use).
func ZipBomb(part string, size int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(part)
	zero := make([]byte, 1<<20)
	for range size >> 20 {
		w.Write(zero)
	}
	w2, _ := zw.Create(part)
	w2.Write(zero)
	zw.Close()
	return buf.Bytes()
}

// PDFBomb is a PDF whose page content stream inflates to size bytes.
func PDFBomb(size int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zero := make([]byte, 1<<20)
	for range size >> 20 {
		zw.Write(zero)
	}
	zw.Close()
	return Objects([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
	}, "")
}

// CyclicPDF is a PDF whose page tree contains itself.
func CyclicPDF() []byte {
	s := string(PDF("Cycle", []string{"text"}))
	return []byte(strings.Replace(s, "/Kids [5 0 R]", "/Kids [5 0 R 2 0 R]", 1))
}
