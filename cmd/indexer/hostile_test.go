package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/sampledocs"
)

// TestHostileCorpusInOneRun indexes a folder of hostile files as a real indexer process: the run
// completes, every file gets exactly one outcome with a reason, nothing outside the folder is
// stored, and the process's peak memory stays under 512 MB.
func TestHostileCorpusInOneRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	root := t.TempDir()
	files := map[string][]byte{
		"ok.md":              []byte("# Fine\n\nA normal document.\n"),
		"bomb.docx":          sampledocs.ZipBomb("word/document.xml", 300<<20),
		"bomb.xlsx":          sampledocs.ZipBomb("xl/workbook.xml", 300<<20),
		"bomb.pptx":          sampledocs.ZipBomb("ppt/slides/slide1.xml", 300<<20),
		"flate-bomb.pdf":     sampledocs.PDFBomb(1 << 30),
		"cycle.pdf":          sampledocs.CyclicPDF(),
		"truncated.pdf":      sampledocs.PDF("T", []string{"x"})[:200],
		"page.pdf":           []byte("<html><body>not a pdf</body></html>"),
		"deep.html":          []byte(strings.Repeat("<div>", 100000)),
		"nul.txt":            []byte("text\x00with\x00nuls \xff\xfe and more words\n"),
		"empty.txt":          nil,
		"entity.docx":        sampledocs.DOCX("E", `<w:p><w:r><w:t>&lol; fine</w:t></w:r></w:p>`),
		"one-line-50mb.log":  []byte(strings.Repeat("word ", 10<<20)),
		"latin-1 caf\xe9.md": []byte("# Name\n\nA file name that is not UTF-8.\n"),
		"notepad.txt":        {0xff, 0xfe, 'U', 0, 'T', 0, 'F', 0, '-', 0, '1', 0, '6', 0, ' ', 0, 't', 0, 'e', 0, 'x', 0, 't', 0},
		"bomb.png":           sampledocs.ImageBomb(100000, 100000),
		"cut.png":            sampledocs.PNG(sampledocs.TextImage("A scan cut short"))[:400],
		"bomb.odt":           sampledocs.ZipBomb("content.xml", 300<<20),
		"deep.rtf":           []byte(`{\rtf1 ` + strings.Repeat("{", 200000)),
		"parts.eml":          []byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", 5000)),
		"nul-name.eml": []byte("Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbody\r\n" +
			"--b\r\nContent-Disposition: attachment; filename*=utf-8''a%00b.txt\r\n\r\nattached text\r\n--b--\r\n"),
		"links.md": []byte(strings.Repeat("[a](", 100000)),
		"wide.csv": []byte(strings.Repeat(",", 16<<20)),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("/etc/passwd", filepath.Join(root, "passwd.txt"))
	os.Symlink("/dev/zero", filepath.Join(root, "zero.txt"))
	os.Symlink(root, filepath.Join(root, "loop"))
	syscall.Mkfifo(filepath.Join(root, "fifo.txt"), 0o644)
	if _, err := indexer(t, db, "sources", "add", "hostile", root); err != nil {
		t.Fatal(err)
	}

	cmd := indexerProcess(t, self(t), db, "index", "hostile")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the run did not complete: %v\n%s", err, out)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	if peak > 512<<20 {
		t.Errorf("peak RSS %d MB, over 512 MB", peak>>20)
	}
	t.Logf("hostile run: peak RSS %d MB\n%s", peak>>20, out)

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT path, status, reason FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]string{}
	for rows.Next() {
		var p, s, r string
		rows.Scan(&p, &s, &r)
		outcomes[p] = s + ": " + r
		if s != "indexed" && r == "" {
			t.Errorf("%s %s without a reason", p, s)
		}
	}
	want := len(files) + 5 // plus the symlinks, the FIFO and nul-name.eml's attachment
	if len(outcomes) != want {
		t.Errorf("%d outcomes for %d files: %v", len(outcomes), want, outcomes)
	}
	bombPNG := "failed: png image of 100000×100000 pixels is over the OCR limit"
	if _, err := exec.LookPath("tesseract"); err != nil {
		bombPNG = "skipped: image: OCR is off" // DOCENT_OCR=auto without Tesseract
	}
	for name, prefix := range map[string]string{
		"ok.md": "indexed", "bomb.docx": "failed: zip bomb", "bomb.xlsx": "failed: zip bomb", "bomb.pptx": "failed: zip bomb",
		"passwd.txt": "skipped: symlink to a path outside", "zero.txt": "skipped: symlink to a path outside",
		"fifo.txt": "skipped: not a regular file", "loop": "skipped: symlink to a folder", "empty.txt": "skipped",
		"page.pdf": "failed: not a valid PDF", "truncated.pdf": "failed: not a valid PDF", "nul.txt": "indexed",
		"one-line-50mb.log": "skipped: extracted text", "flate-bomb.pdf": "failed: PDF page 1 needs more memory",
		"latin-1 caf%E9.md": "indexed", "notepad.txt": "indexed",
		"bomb.png": bombPNG, "bomb.odt": "failed: zip bomb", "deep.rtf": "failed: RTF groups nested deeper",
		"parts.eml":    "failed: e-mail with more than 200 MIME parts",
		"nul-name.eml": "indexed", "nul-name.eml/a%00b.txt": "indexed",
		"links.md": "failed: extraction took longer than 10s", "wide.csv": "failed: CSV line 1 has more than 65536 columns",
	} {
		if !strings.HasPrefix(outcomes[name], prefix) {
			t.Errorf("%s: %q, want %q…", name, outcomes[name], prefix)
		}
	}
	var leaked int
	conn.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE text LIKE '%root:%'`).Scan(&leaked)
	if leaked != 0 {
		t.Error("text from /etc/passwd was stored")
	}
}
