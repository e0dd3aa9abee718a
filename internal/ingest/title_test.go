package ingest_test

import (
	"context"
	"strings"
	"testing"
	"unicode"
)

// TestTitleFromANameIsCleaned: a file without a title of its own is titled by its name, which
// its author (or, for an e-mail attachment, its sender) chose; that title is stored as a title
// from the file is since ExtractorVersion 11, without control characters.
func TestTitleFromANameIsCleaned(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "red\x1b[31m bell\x07.txt", "one line of text about the quarterly budget\n")
	b.write(t, "a.eml", "Subject: Quote\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nThe quote is attached.\r\n"+
		"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''quote%1B%5B2J%07.txt\r\n\r\n"+
		"The marquee tent costs nine hundred euros.\r\n--b--\r\n")
	if sum := b.run(t); sum.Failed+sum.Skipped != 0 {
		t.Fatalf("run: %+v, outcomes %v", sum, b.outcomes(t))
	}
	rows, err := b.pool.Query(context.Background(), `SELECT path, title FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, title string
		if err := rows.Scan(&p, &title); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsFunc(title, unicode.IsControl) {
			t.Errorf("%q: title %q holds a control character", p, title)
		}
	}
}
