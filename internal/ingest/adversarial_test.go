package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/sampledocs"
)

// allocated runs fn and returns the bytes it allocated (all goroutines', so tests using it do
// not run in parallel).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestAdversarialFiles feeds one hostile file of each class to the extractor. Each must end in
// a success or an error for that file alone — never a crash of the process (a stack overflow
// from unbounded recursion is fatal, not a panic that recover catches) — and allocate at most
// a bounded multiple of its size. Timing is not asserted; the parse timeout is set far beyond
// what any of these takes, so a slow one shows as a failure of its own, not as a timeout.
func TestAdversarialFiles(t *testing.T) {
	x := &Extractor{Timeout: 5 * time.Minute}
	defer x.Close()
	nestedMail := func(depth int) []byte {
		var b strings.Builder
		b.WriteString("From: a@b\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
		for i := range depth {
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
		}
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\ndeepest\r\n", depth)
		for i := depth; i >= 0; i-- {
			fmt.Fprintf(&b, "--b%d--\r\n", i)
		}
		return []byte(b.String())
	}
	staircase := func(depth int) []byte {
		var b strings.Builder
		for i := range depth {
			b.WriteString(strings.Repeat(" ", 2*i) + "- item\n")
		}
		return []byte(b.String())
	}
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string // substring of the error; "" means it must index
		maxAlloc   uint64
	}{
		{"RTFNested10000", "deep.rtf", []byte(`{\rtf1 ` + strings.Repeat("{", 10000) + "x" + strings.Repeat("}", 10000) + "}"), "nested deeper than 1000", 8 << 20},
		{"RTFHugeUnicode", "u.rtf", []byte(`{\rtf1 \u99999999999 \u-99999999999 \uc999999999 \u65 ok text}`), "", 1 << 20},
		{"HTMLNested10000", "deep.html", []byte(strings.Repeat("<div>", 10000) + "deep text" + strings.Repeat("</div>", 10000)), "", 16 << 20},
		{"EMLNested1000", "deep.eml", nestedMail(1000), "nested deeper than 10", 16 << 20},
		{"MarkdownQuotes100000", "deep.md", []byte(strings.Repeat(">", 100000) + " x\n"), "nested deeper than 32", 8 << 20},
		{"MarkdownLists100000", "deep.md", []byte(strings.Repeat("- ", 100000) + "x\n"), "nested deeper than 32", 8 << 20},
		{"MarkdownStaircase3000", "stairs.md", staircase(3000), "nested deeper than 32 levels of lists and block quotes (line 33)", 64 << 20},
		{"MarkdownNested32", "ok.md", []byte(strings.Repeat("- ", 32) + "x\n" + string(staircase(32))), "", 8 << 20},
		{"MarkdownLongRule", "rule.md", []byte("Text.\n\n" + strings.Repeat("- ", 100) + "\n\n" + strings.Repeat("* ", 100) + "\n\nMore."), "", 8 << 20},
		{"MarkdownWideTableShortRows", "wide.md", []byte(strings.Repeat("|a", 1000) + "|\n" + strings.Repeat("|-", 1000) + "|\n" + strings.Repeat("|b\n", 10000)), "", 64 << 20},
		{"MarkdownLinkDefinitions", "defs.md", bytes.Repeat([]byte("[a]:b\n"), 87000), "no text to index", 64 << 20},
		{"ODTDeclares4GB", "lie.odt", lyingZip("content.xml", []byte(`<office:document-content><office:body><office:text><text:p>x</text:p></office:text></office:body></office:document-content>`), 4<<30), "content.xml", 8 << 20},
		{"Zip100000Entries", "many.odt", manyEntries(100000), "100000 entries (limit 20000)", 128 << 20},
		{"ODSRepeats", "rep.ods", sampledocs.Zip(map[string]string{"content.xml": `<table:table>` + strings.Repeat(`<table:table-row table:number-rows-repeated="100">`+
			`<table:table-cell table:number-columns-repeated="16384"><text:p>xxxxxxxxxx</text:p></table:table-cell></table:table-row>`, 4) + `</table:table>`}),
			"more than 4194304 cells", 64 << 20},
		{"XLSXFarColumnsBigSharedString", "far.xlsx", farColumns(200), "table text over 64 MB", 768 << 20},
		{"CSVLongHeaders", "wide.csv", []byte(strings.Repeat(strings.Repeat("h", 1000)+",", 1000) + "\n" + strings.Repeat(strings.Repeat("a,", 1000)+"\n", 200)),
			"table text over 64 MB", 512 << 20},
		{"CSVMillionsOfColumns", "commas.csv", []byte("h\n" + strings.Repeat(",", 16<<20) + "\n"), "CSV line 2 has more than 65536 columns", 64 << 20},
		{"CSVColumnsAfterQuotedCRLF", "crlf.csv", []byte("\"h\"\r\n" + strings.Repeat(",", 1<<20) + "\n"), "CSV line 2 has more than 65536 columns", 64 << 20},
		{"CSVColumnsAfterStrayQuote", "stray.csv", []byte("a\"b," + strings.Repeat(",", 1<<20) + "\n"), "CSV line 1 has more than 65536 columns", 64 << 20},
		{"CSVCommasInQuotes", "quoted.csv", []byte("h,note\n1,\"" + strings.Repeat("a,", 1<<19) + "\"\"\"\n2,\"x\ny\"\n"), "", 64 << 20},
		{"CSV65536Columns", "widest.csv", []byte(strings.Repeat("h,", 65535) + "h\n" + strings.Repeat("v,", 65535) + "v\n"), "", 64 << 20},
		{"Text20MBOneLine", "line.txt", bytes.Repeat([]byte("x"), 20<<20), "over the 16 MB limit", 64 << 20},
		{"Text12MBOneLine", "line.txt", bytes.Repeat([]byte("x"), 12<<20), "", 400 << 20},
		{"Text12MBNoSentenceEnd", "words.txt", bytes.Repeat([]byte("word "), 12<<20/5), "", 400 << 20},
		{"Text12MBOneSentenceEnd", "dots.txt", bytes.Repeat([]byte(". "), 6<<20), "", 400 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() {
				var doc Parsed
				if doc, err = x.Parse(tc.file, tc.data); err == nil {
					Layout(doc, DefaultChunkOptions)
				}
			})
			t.Logf("%d bytes in, %d MB allocated, err %v", len(tc.data), alloc>>20, err)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("err = %v, want success", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
			if alloc > tc.maxAlloc {
				t.Errorf("allocated %d MB for a %d KB file, over %d MB", alloc>>20, len(tc.data)>>10, tc.maxAlloc>>20)
			}
		})
	}
}

// TestLongHeadingsOverManySections: a heading's path is written into every chunk under it, so
// a 100 KB heading over 10,000 short sections made 1 GB of chunk headings from a 200 KB page.
// Headings are clipped, and the heading paths count towards the extracted-text limit.
func TestLongHeadingsOverManySections(t *testing.T) {
	x := &Extractor{Timeout: 5 * time.Minute}
	defer x.Close()
	long := strings.Repeat("long ", 20000)
	for _, f := range []struct {
		name, data, want string
	}{
		{"long.html", "<h1>" + long + "</h1>" + strings.Repeat("<h2>a</h2>b", 10000), ""},
		{"long.md", "# " + long + "\n\n" + strings.Repeat("## a\n\nb\n\n", 10000), ""},
		{"long.rtf", `{\rtf1 {\outlinelevel0 ` + long + `\par}` + strings.Repeat(`{\pard\outlinelevel1 a\par}{\pard b\par}`, 10000) + "}", ""},
		{"paths.html", "<h1>" + long + "</h1><h2>" + long + "</h2><h3>" + long + "</h3><h4>" + long + "</h4><h5>" + long + "</h5>" +
			strings.Repeat("<h6>a</h6>b", maxSections-10), "over the 16 MB limit"},
	} {
		var chunks []Chunk
		var err error
		alloc := allocated(func() {
			var doc Parsed
			if doc, err = x.Parse(f.name, []byte(f.data)); err == nil {
				_, chunks = Layout(doc, DefaultChunkOptions)
			}
		})
		size := 0
		for _, c := range chunks {
			size += len(c.Heading)
		}
		t.Logf("%s: %d KB, %d chunks, %d KB of chunk headings, %d MB allocated, err %v", f.name, len(f.data)>>10, len(chunks), size>>10, alloc>>20, err)
		if alloc > 128<<20 {
			t.Errorf("%s: %d MB allocated for a %d KB file", f.name, alloc>>20, len(f.data)>>10)
		}
		if f.want != "" {
			if err == nil || !strings.Contains(err.Error(), f.want) {
				t.Errorf("%s: err = %v, want one containing %q", f.name, err, f.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if h := chunks[len(chunks)-1].Heading; len(chunks) < 10000 || !strings.HasSuffix(h, "… › a") || len(h) > maxHeadingBytes+20 {
			t.Errorf("%s: %d chunks, the last one's heading %.80q… (%d bytes)", f.name, len(chunks), h, len(h))
		}
	}
}

// lyingZip is an OpenDocument file whose one part declares size bytes but holds data, stored.
func lyingZip(name string, data []byte, size uint64) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: size})
	w.Write(data)
	zw.Close()
	return buf.Bytes()
}

// farColumns is a workbook of n rows, each one cell in the last column (16,384) referring to a
// shared string of 1 MB.
func farColumns(n int) []byte {
	return sampledocs.Zip(map[string]string{
		"xl/workbook.xml":            `<workbook><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   `<worksheet><sheetData>` + strings.Repeat(`<row><c r="XFD1" t="s"><v>0</v></c></row>`, n) + `</sheetData></worksheet>`,
		"xl/sharedStrings.xml":       `<sst><si><t>` + strings.Repeat("long ", 200000) + `</t></si></sst>`})
}

// manyEntries is a zip of n empty entries.
func manyEntries(n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprint(i), Method: zip.Store})
	}
	zw.Close()
	return buf.Bytes()
}

// TestLargeMarkdownStaysWithinBounds reads an 8 MB Markdown list: goldmark's tree of it held
// 1.5 GB at once when the file was read whole; read in pieces, the peak stays near one
// piece's tree.
func TestLargeMarkdownStaysWithinBounds(t *testing.T) {
	x := &Extractor{Timeout: 5 * time.Minute}
	defer x.Close()
	data := bytes.Repeat([]byte("- x\n"), 2<<20)
	runtime.GC()
	before := maxRSS()
	doc, err := x.Parse("list.md", data)
	grew := maxRSS() - before
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("peak RSS +%d MB", grew>>20)
	if grew > 256<<20 {
		t.Errorf("an 8 MB Markdown list raised peak RSS by %d MB, over 256 MB", grew>>20)
	}
	if got := strings.Count(doc.Sections[0].Text, "- x\n"); got < 2<<20-8 {
		t.Errorf("%d of %d list items read", got, 2<<20)
	}
}

// TestMarkdownPieces: the pieces put together are the source, cut at blank lines where there
// are some, never inside a fence that closes within twice the piece size.
func TestMarkdownPieces(t *testing.T) {
	src := []byte(strings.Repeat("para line\n\n", 50) + "```\n" + strings.Repeat("code\n\n", 40) + "```\n" + strings.Repeat("- item\n", 100))
	pieces := markdownPieces(src, 200, 1000)
	if len(pieces) < 3 || !bytes.Equal(bytes.Join(pieces, nil), src) {
		t.Fatalf("%d pieces, joined equal: %v", len(pieces), bytes.Equal(bytes.Join(pieces, nil), src))
	}
	open := false
	for i, p := range pieces[:len(pieces)-1] {
		open = open != (bytes.Count(p, []byte("```"))%2 == 1)
		if open {
			t.Errorf("piece %d ends inside the fence", i)
		}
		if !bytes.HasSuffix(p, []byte("\n")) {
			t.Errorf("piece %d ends mid-line", i)
		}
	}
	if pieces := markdownPieces([]byte(strings.Repeat("a\n", 100)), 1000, 10); len(pieces) < 9 || len(pieces) > 10 ||
		bytes.Count(pieces[0], []byte("\n")) != 10 {
		t.Errorf("100 lines in pieces of 10 lines: %d pieces", len(pieces))
	}
	if pieces := markdownPieces([]byte("short\n"), 1000, 10); len(pieces) != 1 {
		t.Errorf("a short text in %d pieces", len(pieces))
	}
	// Read in pieces, a file reads as it does whole: links whose definitions are listed at
	// the end keep only their text, sections and lists are the same.
	var md strings.Builder
	for i := range 200 {
		fmt.Fprintf(&md, "## Release %d\n\nSee [the notes][n%d] and [issue %d].\n\n- one\n- two [x][n%d]\n\n```\n# code %d\n```\n\n", i, i, i, i, i)
	}
	for i := range 200 {
		fmt.Fprintf(&md, "[n%d]: https://example.com/%d\n[issue %d]: https://example.com/i/%d\n", i, i, i, i)
	}
	whole, err1 := parseMarkdownPieces([]byte(md.String()), time.Time{}, 1<<30, 1<<30)
	pieced, err2 := parseMarkdownPieces([]byte(md.String()), time.Time{}, 1000, 30)
	if b1, _ := Layout(whole, DefaultChunkOptions); err1 != nil || err2 != nil || len(markdownPieces([]byte(md.String()), 1000, 30)) < 50 ||
		b1 != func() string { b2, _ := Layout(pieced, DefaultChunkOptions); return b2 }() || strings.Contains(b1, "][") {
		t.Errorf("read in pieces, the file reads differently (%v, %v)", err1, err2)
	}
	// Past its deadline, a parse stops between pieces rather than run on in the background.
	if _, err := parseMarkdown([]byte(strings.Repeat("- x\n", 1<<20)), time.Now().Add(-time.Second)); err == nil || !strings.Contains(err.Error(), "time limit") {
		t.Errorf("past its deadline: %v", err)
	}
	if doc, err := parseMarkdown([]byte("# T\n\n"+strings.Repeat("Some prose here.\n\n", 100000)), time.Time{}); err != nil || len(doc.Sections) != 2 {
		t.Errorf("a long section read in pieces: %d sections, %v", len(doc.Sections), err)
	}
}

// TestMarkdownLinkBombStopsAtItsDeadline: goldmark reads a line of unclosed link destinations
// ("[a](" repeated) in time quadratic in its length (8,000 took 1 s, so 16 MB would take days),
// all in one piece, so the check between pieces never came: the file failed at its timeout but
// its parse went on in the background, a core lost per such file. It stops at the deadline.
func TestMarkdownLinkBombStopsAtItsDeadline(t *testing.T) {
	bomb := []byte(strings.Repeat("[a](", 30000))
	if _, err := parseMarkdown(bomb, time.Now().Add(200*time.Millisecond)); err == nil || !strings.Contains(err.Error(), "time limit") {
		t.Errorf("err = %v, want the time limit", err)
	}
}
