package ingest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/sampledocs"
	"github.com/docent-search/docent/internal/source"
)

// TestScansAreSearchableAndMarked indexes a scanned PDF and a photo: their sentences are found
// by search, marked as OCR, and each document's outcome records how many pages OCR read.
func TestScansAreSearchableAndMarked(t *testing.T) {
	sampledocs.RequireTesseract(t)
	t.Parallel()
	b := setup(t)
	b.ix.OCR = &ingest.OCR{Languages: "eng"}
	b.write(t, "scans/contract.pdf", string(sampledocs.ScanPDF("Lease", sampledocs.TextImage("The tenant waters the rhododendrons weekly"),
		sampledocs.TextImage("Signed in Rotterdam"))))
	b.write(t, "scans/whiteboard.png", string(sampledocs.PNG(sampledocs.TextImage("Sprint goal: migrate the billing cluster"))))
	b.write(t, "notes.md", "# Notes\n\nThe rhododendrons need no attention in winter.\n")
	if sum := b.run(t); sum.Added != 3 || sum.Failed+sum.Skipped != 0 {
		t.Fatalf("run: %+v, outcomes %v", sum, b.outcomes(t))
	}
	out := b.outcomes(t)
	if out["scans/contract.pdf"] != "indexed: OCR: 2 pages" || out["scans/whiteboard.png"] != "indexed: OCR: 1 page" || out["notes.md"] != "indexed: " {
		t.Errorf("outcomes: %v", out)
	}
	// The status report (bin/indexer status, the admin page) lists what OCR read.
	st, err := source.Report(context.Background(), b.pool, "docs")
	if err != nil || !slices.Contains(st[0].Problems, source.Problem{Path: "scans/contract.pdf", Status: "indexed", Reason: "OCR: 2 pages"}) {
		t.Errorf("status report: %v %+v", err, st)
	}
	s := &retrieve.Searcher{Pool: b.pool, Embedder: embedder.Local{}}
	for q, want := range map[string]string{"tenant waters rhododendrons weekly": "scans/contract.pdf", "billing cluster sprint goal": "scans/whiteboard.png"} {
		rs, err := s.Search(context.Background(), retrieve.Query{Text: q, Groups: []string{"staff"}, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || rs[0].Path != want || !rs[0].OCR {
			t.Errorf("%q: top result %+v, want %s marked OCR", q, rs, want)
		}
		for _, r := range rs {
			if r.Path == "notes.md" && r.OCR {
				t.Errorf("a born-digital passage marked OCR: %+v", r)
			}
		}
	}
}

// TestMailAttachmentsAreDocuments: a message's attachments, .eml or Outlook .msg, are documents
// at the message's path followed by their name, readable by the message's groups only; they
// follow the message when it changes or goes.
func TestMailAttachmentsAreDocuments(t *testing.T) {
	t.Parallel()
	xlsx := sampledocs.XLSX("Prices", "Desks", [][]string{{"Model", "Price"}, {"Standing desk", "640"}})
	for ext, build := range map[string]func(files ...sampledocs.File) string{
		"eml": func(files ...sampledocs.File) string {
			return string(sampledocs.EML("ada@example.org", "hr@example.org", "Offer", "Tue, 3 Mar 2026 10:15:00 +0100",
				"The offer for the office furniture is attached.", "", files...))
		},
		"msg": func(files ...sampledocs.File) string {
			return string(sampledocs.MSG(sampledocs.Outlook{SenderAddress: "ada@example.org", To: "hr@example.org", Subject: "Offer",
				Sent: time.Date(2026, 3, 3, 9, 15, 0, 0, time.UTC), Body: "The offer for the office furniture is attached.", Attachments: files}))
		},
	} {
		t.Run(ext, func(t *testing.T) {
			t.Parallel()
			testMailAttachments(t, "hr/offer."+ext, build, xlsx)
		})
	}
}

// testMailAttachments runs TestMailAttachmentsAreDocuments on the message at path message,
// written by msg.
func testMailAttachments(t *testing.T, message string, msg func(files ...sampledocs.File) string, xlsx []byte) {
	b := setup(t)
	b.write(t, message, msg(sampledocs.File{Name: "prices.xlsx", Data: xlsx}, sampledocs.File{Name: "notes.txt", Data: []byte("Delivery in April.")}))
	if sum := b.run(t); sum.Added != 1 || sum.Failed+sum.Skipped != 0 {
		t.Fatalf("run: %+v %v", sum, b.outcomes(t))
	}
	paths := func() []string {
		rows, err := b.pool.Query(context.Background(), `SELECT path || ' ' || status || ' ' || array_to_string(groups, ',') FROM documents ORDER BY path`)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			var p string
			rows.Scan(&p)
			out = append(out, p)
		}
		return out
	}
	want := []string{message + " indexed hr", message + "/notes.txt indexed hr", message + "/prices.xlsx indexed hr"}
	if got := paths(); !slices.Equal(got, want) {
		t.Fatalf("documents %v, want %v", got, want)
	}
	s := &retrieve.Searcher{Pool: b.pool, Embedder: embedder.Local{}}
	for groups, n := range map[string]int{"hr": 1, "staff": 0} {
		rs, err := s.Search(context.Background(), retrieve.Query{Text: "standing desk price", Groups: []string{groups}, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && len(rs) != 0 || n == 1 && (len(rs) == 0 || rs[0].Path != message+"/prices.xlsx") {
			t.Errorf("groups %s: %+v, want the attachment first (hr) or nothing (staff)", groups, rs)
		}
	}

	if sum := b.run(t); sum.Unchanged != 1 || len(paths()) != 3 {
		t.Fatalf("a second run: %+v, documents %v", sum, paths())
	}
	// The message's groups change (moved under rules that give it other groups, content the
	// same): its attachments follow, chunks included.
	if _, err := b.pool.Exec(context.Background(), `UPDATE sources SET rules = '[]' WHERE id = $1`, b.src.ID); err != nil {
		t.Fatal(err)
	}
	src, err := source.Get(context.Background(), b.pool, b.src.Name)
	if err != nil {
		t.Fatal(err)
	}
	b.src = src
	b.run(t)
	var stale int
	b.pool.QueryRow(context.Background(), `SELECT count(*) FROM chunks WHERE 'hr' = ANY(groups)`).Scan(&stale)
	if got := paths(); stale != 0 || !slices.Equal(got, []string{message + " indexed staff", message + "/notes.txt indexed staff", message + "/prices.xlsx indexed staff"}) {
		t.Fatalf("after the message's groups changed: %v, %d chunks still hr", got, stale)
	}
	b.write(t, message, msg(sampledocs.File{Name: "prices.xlsx", Data: xlsx}))
	b.run(t)
	if got := paths(); !slices.Equal(got, []string{message + " indexed staff", message + "/prices.xlsx indexed staff"}) {
		t.Fatalf("after the message lost an attachment: %v", got)
	}
	// The message is now skipped (grown past the size limit): its attachments go with its text,
	// rather than staying searchable from the message's last readable version.
	b.write(t, message, msg(sampledocs.File{Name: "prices.xlsx", Data: xlsx}, sampledocs.File{Name: "big.txt", Data: bytes.Repeat([]byte("desk "), 1000)}))
	b.ix.MaxFileSize = 1024
	b.run(t)
	b.ix.MaxFileSize = 0
	if got := paths(); !slices.Equal(got, []string{message + " skipped staff"}) {
		t.Fatalf("after the message was skipped: %v", got)
	}
	if err := os.Remove(filepath.Join(b.root, message)); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	if got := paths(); len(got) != 0 {
		t.Fatalf("after the message was deleted: %v", got)
	}
}

// TestMailAttachmentNamesWithControlCharacters: an attachment's name comes from the sender and
// may carry a NUL, which PostgreSQL refuses in text, and other control characters. The
// attachment is stored with the NUL escaped (%00, as EscapePath writes bytes that are not text)
// and found by search; the message and the files after it are indexed.
func TestMailAttachmentNamesWithControlCharacters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ix.Workers = 1 // in listing order: the message comes before the file after it
	msg := "From: ada@example.org\r\nSubject: Quote\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nThe quote is attached.\r\n" +
		"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''quote%00%1B%07.txt\r\n\r\n" +
		"The marquee tent costs nine hundred euros.\r\n--b--\r\n"
	b.write(t, "a.eml", msg)
	b.write(t, "b.md", "# After\n\nThe file after the message.\n")
	if sum := b.run(t); sum.Added != 2 || sum.Failed+sum.Skipped != 0 {
		t.Fatalf("run: %+v, outcomes %v", sum, b.outcomes(t))
	}
	attachment := "a.eml/quote%00\x1b\x07.txt"
	if got := b.outcomes(t); got[attachment] != "indexed: " || got["b.md"] != "indexed: " || got["a.eml"] != "indexed: " {
		t.Fatalf("outcomes %v, want a.eml, %s and b.md indexed", got, attachment)
	}
	s := &retrieve.Searcher{Pool: b.pool, Embedder: embedder.Local{}}
	rs, err := s.Search(context.Background(), retrieve.Query{Text: "marquee tent euros", Groups: []string{"staff"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || rs[0].Path != attachment {
		t.Errorf("search: %+v, want %s first", rs, attachment)
	}
	// The stored path leads back to the attachment's bytes (the download of an original).
	name, err := source.UnescapePath("quote%00\x1b\x07.txt")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(b.root, "a.eml"))
	if data, err := ingest.MailAttachment(raw, []string{name}); err != nil || !bytes.Contains(data, []byte("marquee")) {
		t.Errorf("the attachment by its unescaped name: %q, %v", data, err)
	}
}
