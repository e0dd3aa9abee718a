package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/docent-search/docent/internal/sampledocs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// render prints what extraction and chunking made of a file, for golden comparison.
func render(doc Parsed, chunks []Chunk, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %s\n", doc.Title)
	for _, c := range chunks {
		fmt.Fprintf(&b, "== chunk heading=%q anchor=%q page=%d\n%s\n", c.Heading, c.Anchor, c.Page, c.Text)
		if body[c.Start:c.End] != c.Text {
			fmt.Fprintf(&b, "!! offsets %d-%d do not point at the chunk text\n", c.Start, c.End)
		}
	}
	return b.String()
}

// TestExtractGolden runs each testdata/extract/*.txtar input through extraction and chunking
// and compares with its "want" file (go test -run Golden -update rewrites them).
func TestExtractGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/extract/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	x := &Extractor{}
	defer x.Close()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var input txtar.File
			var want string
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "input.") {
					input = f
				} else if f.Name == "want" {
					want = string(f.Data)
				}
			}
			doc, err := x.Parse(input.Name, input.Data)
			if err != nil {
				t.Fatal(err)
			}
			body, chunks := Layout(doc, DefaultChunkOptions)
			got := render(doc, chunks, body)
			if *update {
				kept := ar.Files[:0]
				for _, f := range ar.Files {
					if f.Name != "want" {
						kept = append(kept, f)
					}
				}
				ar.Files = append(kept, txtar.File{Name: "want", Data: []byte(got)})
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("extraction changed (run with -update if intended):\n--- got\n%s\n--- want\n%s", got, want)
			}
		})
	}
}

func office(_ testing.TB, parts map[string]string) []byte { return sampledocs.Zip(parts) }

func docx(_ testing.TB, body string) []byte { return sampledocs.DOCX("Expense Guide", body) }

func para(style, text string) string {
	return sampledocs.WordPara(sampledocs.Para{Style: style, Text: text})
}

func TestExtractOfficeAndPDF(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"guide.docx", docx(t, para("Heading1", "Claims")+para("", "Submit within 30 days.")+
			`<w:tbl><w:tr><w:tc>`+para("", "Amount")+`</w:tc><w:tc>`+para("", "Approver")+`</w:tc></w:tr>`+
			`<w:tr><w:tc>`+para("", "under 500")+`</w:tc><w:tc>`+para("", "manager")+`</w:tc></w:tr></w:tbl>`+
			para("Heading2", "Receipts")+para("", "Photograph every receipt.")),
			`title: Expense Guide
== chunk heading="Claims" anchor="claims" page=0
Submit within 30 days.
Amount | Approver
under 500 | manager
== chunk heading="Claims › Receipts" anchor="receipts" page=0
Photograph every receipt.
`},
		{"deck.pptx", office(t, map[string]string{
			"ppt/slides/slide1.xml":  `<p:sld xmlns:p="p" xmlns:a="a"><p:sp><p:nvSpPr><p:nvPr><p:ph type="ctrTitle"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Quarterly review</a:t></a:r></a:p></p:txBody></p:sp><p:sp><p:txBody><a:p><a:r><a:t>Revenue grew.</a:t></a:r></a:p></p:txBody></p:sp></p:sld>`,
			"ppt/slides/slide10.xml": `<p:sld xmlns:p="p" xmlns:a="a"><p:sp><p:txBody><a:p><a:r><a:t>Tenth slide text.</a:t></a:r></a:p></p:txBody></p:sp></p:sld>`,
			"ppt/slides/slide2.xml":  `<p:sld xmlns:p="p" xmlns:a="a"><p:sp><p:txBody><a:p><a:r><a:t>Second slide text.</a:t></a:r></a:p></p:txBody></p:sp></p:sld>`,
		}), `title: Quarterly review
== chunk heading="Slide 1: Quarterly review" anchor="slide-1" page=1
Quarterly review
Revenue grew.
== chunk heading="Slide 2" anchor="slide-2" page=2
Second slide text.
== chunk heading="Slide 3" anchor="slide-3" page=3
Tenth slide text.
`},
		{"people.xlsx", office(t, map[string]string{
			"xl/workbook.xml":            `<workbook xmlns:r="r"><sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>`,
			"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`,
			"xl/sharedStrings.xml":       `<sst><si><t>Name</t></si><si><t>Room</t></si><si><t>Ada</t></si></sst>`,
			"xl/worksheets/sheet1.xml":   `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>4.12</v></c></row><row r="3"><c r="B3" t="inlineStr"><is><t>5.01</t></is></c></row></sheetData></worksheet>`,
		}), `title: people
== chunk heading="Staff" anchor="sheet-1" page=1
Name | Room
Name: Ada; Room: 4.12
Room: 5.01
`},
		{"manual.pdf", sampledocs.PDF("Safety Manual", []string{"Fire exits are marked in green."}, []string{"First aid kits are in the kitchen."}),
			`title: Safety Manual
== chunk heading="" anchor="" page=1
Fire exits are marked in green.
== chunk heading="" anchor="" page=2
First aid kits are in the kitchen.
`},
	} {
		t.Run(tc.name, func(t *testing.T) { checkLayout(t, x, tc.name, tc.data, tc.want) })
	}
}

// TestHostileFiles feeds each kind of broken or malicious file to the extractor: each must end
// in a clear error or skip, quickly, never a crash or a hang.
func TestHostileFiles(t *testing.T) {
	x := &Extractor{Timeout: 10 * time.Second, zip: zipLimits{MaxEntries: 1000, MaxInflated: 8 << 20}}
	defer x.Close()

	// A DOCX whose document.xml is 64 MB of zeros, compressed to a few tens of KB.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("word/document.xml")
	zero := make([]byte, 1<<20)
	for range 64 {
		w.Write(zero)
	}
	zw.Close()

	billionLaughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
		`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&lol3; &xxe; safe text</w:t></w:r></w:p></w:body></w:document>`
	pdf := sampledocs.PDF("T", []string{"text"})

	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string // substring of the error or skip reason; "" means it must index
	}{
		{"ZipBomb", "bomb.docx", bomb.Bytes(), "zip bomb"},
		{"NotAZip", "fake.docx", []byte("PK\x03\x04 nothing else"), "damaged zip"},
		{"TruncatedPDF", "cut.pdf", pdf[:len(pdf)/2], "not a valid PDF"},
		{"HTMLNamedPDF", "page.pdf", []byte("<html><body>hello</body></html>"), "not a valid PDF"},
		{"DeepXML", "deep.docx", docx(t, strings.Repeat("<w:x>", 100000)), "nested deeper"},
		{"Empty", "empty.md", nil, "no text to index"},
		{"ContentsOnly", "chapter.html", []byte(`<html><head><title>Chapter 67. B-Tree Indexes</title></head><body><div class="toc"><p>Table of Contents</p>` +
			`<dl><dt><a href="a.html">67.1. Introduction</a></dt><dt><a href="b.html">67.2. Behavior of Operator Classes</a></dt><dt><a href="c.html">67.3. Support Functions</a></dt></dl></div></body></html>`),
			"navigation (menus, link lists, tables of contents) is left out"},
		{"MissingPart", "no.xlsx", office(t, map[string]string{"a.txt": "x"}), "xl/workbook.xml is missing"},
		{"EntityBombAndXXE", "lol.docx", office(t, map[string]string{"word/document.xml": billionLaughs}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := x.Parse(tc.file, tc.data)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				text := doc.Sections[0].Text
				if strings.Contains(text, "root:") || strings.Count(text, "lol") > 10 || !strings.Contains(text, "safe text") {
					t.Errorf("entities were expanded or fetched: %q", text)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestChunksStayBounded(t *testing.T) {
	// One 3 MB "word" and a long run of short words both end up in chunks of bounded size.
	blob := strings.Repeat("QUJD", 3<<20/4)
	doc := Parsed{Title: "Blob", Sections: []Section{{Text: blob}, {Text: strings.Repeat("word ", 5000)}}}
	body, chunks := Layout(doc, DefaultChunkOptions)
	if len(chunks) < 1000 {
		t.Fatalf("%d chunks from 3 MB without spaces", len(chunks))
	}
	for _, c := range chunks {
		if len(c.Text) > maxChunkBytes || body[c.Start:c.End] != c.Text {
			t.Fatalf("chunk of %d bytes at %d-%d", len(c.Text), c.Start, c.End)
		}
	}
}

// TestEachHostileFileStaysWithinBounds parses the largest hostile files one at a time, as an
// index run does, and checks that none raises the process's peak memory by more than about
// 200 MB (PDFium's one-time start excepted; the 1 GB flate bomb measures 190 MB, so the limit
// asserted is 224 MB) or outlives the parse timeout (the bound that stops a file from holding up a run; the
// limit asserted is twice it, so a slow machine does not fail the test).
func TestEachHostileFileStaysWithinBounds(t *testing.T) {
	x := &Extractor{Timeout: 10 * time.Second}
	defer x.Close()
	files := []struct {
		name string
		data []byte
	}{
		{"bomb.docx", sampledocs.ZipBomb("word/document.xml", 300<<20)},
		{"bomb.xlsx", sampledocs.ZipBomb("xl/workbook.xml", 300<<20)},
		{"bomb.pptx", sampledocs.ZipBomb("ppt/slides/slide1.xml", 300<<20)},
		{"flate-bomb.pdf", sampledocs.PDFBomb(1 << 30)},
		{"cycle.pdf", sampledocs.CyclicPDF()},
		{"deep.html", []byte(strings.Repeat("<div>", 100000))},
		{"one-line.txt", []byte(strings.Repeat("word ", 10<<20))},
		{"nul.txt", bytes.Repeat([]byte("text\x00\xff\xfe more words "), 1<<16)},
	}
	// PDFium's WebAssembly runtime starts once per run, not per file: start it first.
	if _, err := x.Parse("warm.pdf", sampledocs.PDF("Warm", []string{"up"})); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		runtime.GC()
		before := maxRSS()
		start := time.Now()
		_, err := x.Parse(f.name, f.data)
		took := time.Since(start)
		grew := maxRSS() - before
		t.Logf("%s: %s, peak RSS +%d MB (%v)", f.name, took.Round(time.Millisecond), grew>>20, err)
		if grew > 224<<20 {
			t.Errorf("%s raised peak RSS by %d MB, over 224 MB", f.name, grew>>20)
		}
		if took > 2*x.Timeout {
			t.Errorf("%s took %s, beyond the %s parse timeout", f.name, took, x.Timeout)
		}
	}
}

// maxRSS is this process's peak resident set size in bytes.
func maxRSS() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss << 10
}

// TestDeeplyNestedHTML reads a page nested far deeper than any real one: the streaming
// reader takes it in linear time and keeps the text at the bottom and after it.
func TestDeeplyNestedHTML(t *testing.T) {
	const depth = 200000
	page := "<html><body><p>Before the nest.</p>" + strings.Repeat("<div>", depth) + "Deep inside the nest." +
		strings.Repeat("</div>", depth) + "<p>After the nest.</p></body></html>"
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("deep.html", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Sections[0].Text; got != "Before the nest.\n\nDeep inside the nest.\n\nAfter the nest." {
		t.Errorf("text = %q", got)
	}
}

// TestPDFParagraphs reads a PDF of hard-wrapped lines: lines join into paragraphs, a
// hyphenated word is whole again, and a short last line, a heading and list items end theirs.
func TestPDFParagraphs(t *testing.T) {
	pdf := sampledocs.PDF("Leave", []string{
		"Annual leave",
		"Full-time employees get twenty-seven days of paid holiday",
		"per year plus public holidays. Requests go through the docu-",
		"ment system at least two weeks ahead for anything longer",
		"than three days.",
		"Unused days expire at the end of March of the next year.",
		"- Ask your manager before you book travel for the holiday.",
		"- Record every day of leave you take in the system.",
	})
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("leave.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	want := "Annual leave\nFull-time employees get twenty-seven days of paid holiday per year plus public holidays. " +
		"Requests go through the document system at least two weeks ahead for anything longer than three days.\n" +
		"Unused days expire at the end of March of the next year.\n" +
		"- Ask your manager before you book travel for the holiday.\n- Record every day of leave you take in the system."
	if got := doc.Sections[0].Text; got != want {
		t.Errorf("text:\n%q\nwant\n%q", got, want)
	}
}

func TestJoinPDFLinesUndoesHyphens(t *testing.T) {
	got := joinPDFLines("Requests for leave go through the staff portal and its docu-\r\nment system, at least two weeks ahead for long holidays,\r\nsigned off by your manager and by the people team.")
	want := "Requests for leave go through the staff portal and its document system, at least two weeks ahead for long holidays, signed off by your manager and by the people team."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestJoinPDFLinesKeepsAddressesWhole: a web address broken at a line's end after a '/' or
// '.' goes on without a space ("https://CRAN.R-project. org" was indexed); a sentence that
// ends with an address does not run into the next one. A line PDFium ends at a footnote's
// raised mark goes on too.
func TestJoinPDFLinesKeepsAddressesWhole(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Packages are on CRAN at https://CRAN.R-project.\norg/web/packages and its mirrors around the world, which\nare updated daily.",
			"Packages are on CRAN at https://CRAN.R-project.org/web/packages and its mirrors around the world, which are updated daily."},
		{"The Emacs mode for R, with helpers for running code, lives at https://\nESS.R-project.org/ and is maintained by volunteers from many\ncountries.",
			"The Emacs mode for R, with helpers for running code, lives at https://ESS.R-project.org/ and is maintained by volunteers from many countries."},
		{"A spreadsheet program such as Gnumeric (http://www.\ngnumeric.org) reads these files and many other formats\nbesides.",
			"A spreadsheet program such as Gnumeric (http://www.gnumeric.org) reads these files and many other formats besides."},
		{"The package is on the archive network, install it from https://cran.r-project.org/\nand load it with the library function in every session that needs it.",
			"The package is on the archive network, install it from https://cran.r-project.org/ and load it with the library function in every session that needs it."},
		{"These modules come with Python and need no installation at all:\nimport base64\nimport json\nand the rest of the standard library is imported the same way.",
			"These modules come with Python and need no installation at all: import base64\nimport json\nand the rest of the standard library is imported the same way."},
		{"Command lines entered at the console are limited3\nto about 4095 bytes (not characters), which is plenty for most uses of the\nconsole.",
			"Command lines entered at the console are limited3 to about 4095 bytes (not characters), which is plenty for most uses of the console."},
		{"The full list of mirrors is kept at https://cran.r-project.org.\nMirrors update once a day from the master server in\nVienna.",
			"The full list of mirrors is kept at https://cran.r-project.org. Mirrors update once a day from the master server in Vienna."},
	} {
		if got := joinPDFLines(c.in); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

// TestDOCXParagraphIsOneLine: a manual line break or tab inside a Word paragraph is white
// space of the paragraph, not a line of its own.
func TestDOCXParagraphIsOneLine(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("a.docx", docx(t, `<w:p><w:r><w:t>Claims are paid</w:t><w:br/><w:t>within</w:t><w:tab/><w:t xml:space="preserve">  thirty days.</w:t></w:r></w:p>`))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Sections[0].Text; got != "Claims are paid within thirty days." {
		t.Errorf("text = %q", got)
	}
}

// checkLayout parses data as the file name, lays it out in chunks and compares the rendering
// with want.
func checkLayout(t *testing.T, x *Extractor, name string, data []byte, want string) {
	t.Helper()
	doc, err := x.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	body, chunks := Layout(doc, DefaultChunkOptions)
	if got := render(doc, chunks, body); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestRefreshTarget: the forms of <meta http-equiv="refresh"> that generators write, and those
// that are no redirect.
func TestRefreshTarget(t *testing.T) {
	for content, want := range map[string]string{
		"0; url=Shell-Grammar.html#Aliasing": "Shell-Grammar.html#Aliasing", // Texinfo
		"0; ./cli.html":                      "./cli.html",                  // SQLite
		"3;URL='moved.html'":                 "moved.html",
		"0, url = new.html":                  "new.html",
		"0;url=urls.html":                    "urls.html",
		"0":                                  "", // a reload
		"0; url=":                            "",
		"30; url=next-slide.html":            "", // a kiosk's cycle
		"soon; url=x.html":                   "",
	} {
		if got := refreshTarget(content); got != want {
			t.Errorf("refreshTarget(%q) = %q, want %q", content, got, want)
		}
	}
}

// TestPDFRunningHeaders: the header and page number that begin and end every page of a
// manual (DocBook's "Debian New Maintainers' Guide 14 / 57", groff's "GNU Bash 5.2 … 4") are
// not text: they opened each page's first paragraph or ran on from its last sentence. A line
// at the edge of one page only stays.
func TestPDFRunningHeaders(t *testing.T) {
	topics := []string{"Leave", "Expenses", "Travel", "Equipment", "Security"}
	months := []string{"March", "June", "September", "November", "January"}
	pages := make([][]string, len(topics))
	for i, topic := range topics {
		pages[i] = []string{
			fmt.Sprintf("Staff Handbook %d / %d", i+1, len(topics)),
			topic + " rules apply to every employee",
			"from the first day of their contract and are",
			"reviewed by the works council in " + months[i] + ".",
			fmt.Sprintf("Revised 2026-0%d-01 %d", i+1, i+1),
		}
	}
	pages[2][0] = "Travel: the overview" // one page's own first line
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("handbook.pdf", sampledocs.PDF("Staff Handbook", pages...))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range doc.Sections {
		want := topics[i] + " rules apply to every employee from the first day of their contract and are reviewed by the works council in " + months[i] + "."
		if i == 2 {
			want = "Travel: the overview\n" + want
		}
		if s.Text != want {
			t.Errorf("page %d:\n%q\nwant\n%q", s.Page, s.Text, want)
		}
	}
}

// TestPDFBookHeaders: a typeset book's running headers name its chapter and carry the page
// number on the outer edge ("Chapter 2: Objects 6" / "7 Chapter 2: Objects", a reference
// manual's "callCC 69"), so no one of them edges half the pages; they are told by the page
// number counting on from page to page, and dropped with it, as is a page number alone at a
// chapter's first page. Footnotes numbered on from page to page at their feet, a step numbered
// at a page's top, and a booklet's chapter headings atop every fourth page stay.
func TestPDFBookHeaders(t *testing.T) {
	chapters := []string{"Introduction", "Objects", "Evaluation", "Functions"}
	var pages [][]string
	var want []string
	for c, chapter := range chapters {
		for k := range 3 {
			n := len(pages) + 3 // the printed number: the book's first page is page 3
			body := fmt.Sprintf("Section %d.%d of %s explains how the language treats it", c+1, k+1, strings.ToLower(chapter))
			end := "as its " + []string{"first", "second", "third"}[k] + " part shows for " + strings.ToLower(chapter) + "."
			var page []string
			switch {
			case k == 0:
				page = []string{body, end, strconv.Itoa(n)} // a chapter opens: its number at the foot
			case n%2 == 0:
				page = []string{fmt.Sprintf("%d Chapter %d: %s", n, c+1, chapter), body, end}
			default:
				page = []string{fmt.Sprintf("Chapter %d: %s %d", c+1, chapter, n), body, end}
			}
			pages = append(pages, page)
			want = append(want, body+" "+end)
		}
	}
	for k, note := range []string{"1 See the appendix for the grammar.", "2 Only since version 3.", "3 As the next chapter shows."} {
		page := pages[4+k] // a footnote a page, numbered on, above a chapter's first page's number
		if _, err := strconv.Atoi(page[len(page)-1]); err == nil {
			pages[4+k] = append(page[:len(page)-1:len(page)-1], note, page[len(page)-1])
		} else {
			pages[4+k] = append(page, note)
		}
		want[4+k] += "\n" + note
	}
	pages[7] = append([]string{"3 Call the function with its arguments."}, pages[7][1:]...)
	want[7] = "3 Call the function with its arguments.\n" + want[7]
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("book.pdf", sampledocs.PDF("", pages...))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range doc.Sections {
		if s.Text != want[i] {
			t.Errorf("page %d:\n%q\nwant\n%q", s.Page, s.Text, want[i])
		}
	}
	pages = nil
	for i := range 12 {
		page := []string{fmt.Sprintf("Page %d of the booklet says what its part %s covers in a sentence of its own.", i+1, strings.Repeat("I", i%4+1))}
		if i%4 == 0 {
			page = append([]string{fmt.Sprintf("Chapter %d", i/4+1)}, page...)
		}
		pages = append(pages, page)
	}
	if doc, err = x.Parse("booklet.pdf", sampledocs.PDF("", pages...)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i += 4 {
		if want := fmt.Sprintf("Chapter %d\n", i/4+1); !strings.HasPrefix(doc.Sections[i].Text, want) {
			t.Errorf("booklet page %d: %q lost its heading", i+1, doc.Sections[i].Text)
		}
	}
}

// TestPDFSentencesCutByAPageBreak: the end of a sentence a page break cut off goes to the page
// where the sentence began, so that neither page's passage holds half a sentence; a word
// hyphenated across the break is whole again. A page that ends with a sentence, or a heading,
// keeps its next page's text.
func TestPDFSentencesCutByAPageBreak(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("manual.pdf", sampledocs.PDF("",
		[]string{"Emacs is a text editor which is highly customizable and which can be used to",
			"edit R code. One can also seamlessly integrate the editor and the interpreter with a"},
		[]string{"revision control system for the files. The mode is called ESS.",
			"It ships with most distributions of Emacs and is maintained by volunteers around the docu-"},
		[]string{"ment archive. Packages are installed with the usual commands.", "Compiling packages"},
		[]string{"needs a compiler and make.", "Tools are listed in the appendix."}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Emacs is a text editor which is highly customizable and which can be used to edit R code. One can also seamlessly integrate the editor and the interpreter with a revision control system for the files.",
		"The mode is called ESS.\nIt ships with most distributions of Emacs and is maintained by volunteers around the document archive.",
		"Packages are installed with the usual commands.\nCompiling packages",
		"needs a compiler and make. Tools are listed in the appendix.",
	}
	for i, s := range doc.Sections {
		if s.Text != want[i] {
			t.Errorf("page %d:\n%q\nwant\n%q", s.Page, s.Text, want[i])
		}
	}
}

// TestPDFContentsEntriesAreDropped: the entries of a table of contents or an index, a page
// number after a dot leader, are not text: the headings they list are indexed where they stand,
// and joined into paragraphs a contents page answered questions with "3 1.5 Using R
// interactively . . . . 3 1.6 An introductory session . . . . 4". A phone list set with
// leaders, and an ellipsis in a sentence or ending one, stay.
func TestPDFContentsEntriesAreDropped(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	pages := [][]string{{
		"Table of Contents",
		"Preface . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . iv",
		"1 Introduction and preliminaries. . . . . . . . . . . . . . . . . . . . . . . 2",
		"1.1 The R environment . . . . . . . . . . . . . . . . . . . . . . . . . . . . 2",
		"It goes on and on....",
		"Appendix B Configuration on a Unix-alike......",
		"5",
		"Glossary....................................................................6",
	}, {
		"Index",
		"cat . . . . . . . . . . . . . . 4, 5 close . . . . . . . . . . . . . . 5",
		"dget . . . . . . . . . . . . . . 2 dpkg . . . . . . . . . . . . . . 3, 6",
		"edit . . . . . . . . . . . . . . 2, 4 eval . . . . . . . . . . . . . . 6",
		"fix . . . . . . . . . . . . . . 3 for . . . . . . . . . . . . . . 1, 2",
	}, {
		"Phone numbers",
		"Reception . . . . . . . . . . . . . . 4400",
		"Facilities . . . . . . . . . . . . . . 4410",
		"IT service desk . . . . . . . . . . . . 4420",
		"We waited.... longer than planned, and then.... coffee arrived at last.",
	}}
	for range 3 {
		pages = append(pages, []string{"Body text of the manual."})
	}
	doc, err := x.Parse("manual.pdf", sampledocs.PDF("", pages...))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{
		"Table of Contents\nIt goes on and on....",
		"Index",
		"Phone numbers\nReception . . . . . . . . . . . . . . 4400 Facilities . . . . . . . . . . . . . . 4410 IT service desk . . . . . . . . . . . . 4420 We waited.... longer than planned, and then.... coffee arrived at last.",
	} {
		if got := doc.Sections[i].Text; got != want {
			t.Errorf("page %d: got %q\nwant %q", i+1, got, want)
		}
	}
}

// TestSpreadsheetElementBombs reads workbooks made of millions of tiny elements, each within
// the zip inflation limit: each is refused, or read, without laying out an object per element.
// They cost 2 minutes of CPU (sheets, running on after the parse timeout), 937 MB (shared
// strings) and 957 MB (empty rows) before.
func TestSpreadsheetElementBombs(t *testing.T) {
	workbook := func(sheets string) string { return `<workbook><sheets>` + sheets + `</sheets></workbook>` }
	emptyRows := sampledocs.Zip(map[string]string{
		"xl/workbook.xml": workbook(`<sheet name="a"/>`),
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row><c r="A1"><v>Name</v></c></row>` +
			strings.Repeat(`<row/>`, 6<<20) + `<row><c r="A2"><v>Ann</v></c></row></sheetData></worksheet>`,
	})
	if os.Getenv("DOCENT_TEST_EMPTY_ROWS") != "" {
		// The child process of EmptyRows: its peak RSS is this parse's alone.
		doc, err := parseXLSX(emptyRows, defaultZipLimits)
		if err != nil || len(doc.Sections) != 1 || doc.Sections[0].Text != "Name\nName: Ann\n" {
			t.Fatalf("doc = %+v, err = %v", doc, err)
		}
		// The peak of this process's own memory (VmHWM), not the parent's rusage of it: Go
		// starts a child sharing the parent's memory until exec, and Linux counts the parent's
		// peak as the child's (568 MB in a run of the whole package, 165 MB alone).
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			t.Fatal(err)
		}
		_, hwm, _ := strings.Cut(string(status), "VmHWM:")
		fmt.Printf("peak-rss-kb %s\n", strings.Fields(hwm)[0])
		return
	}
	t.Run("EmptyRows", func(t *testing.T) {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestSpreadsheetElementBombs$")
		cmd.Env = append(os.Environ(), "DOCENT_TEST_EMPTY_ROWS=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		_, kb, _ := strings.Cut(string(out), "peak-rss-kb ")
		var peak int64
		if _, err := fmt.Sscan(kb, &peak); err != nil {
			t.Fatalf("no peak in the child's output %q: %v", out, err)
		}
		peak <<= 10
		t.Logf("6 million empty rows: peak RSS %d MB", peak>>20)
		if peak > 256<<20 {
			t.Errorf("peak RSS %d MB, over 256 MB (676 MB before)", peak>>20)
		}
	})
	t.Run("StopsAtItsDeadline", func(t *testing.T) {
		// Past its deadline the parse stops: before, it finished in the background after the
		// timeout had failed the file, seconds of CPU for a part of millions of elements.
		limits := defaultZipLimits
		limits.Deadline = time.Now()
		if _, err := parseXLSX(emptyRows, limits); !errors.Is(err, errParseDeadline) {
			t.Errorf("err = %v, want %v", err, errParseDeadline)
		}
	})
	t.Run("SheetsWithoutParts", func(t *testing.T) {
		parts := map[string]string{"xl/workbook.xml": workbook(strings.Repeat(`<sheet/>`, 200000))}
		for i := range defaultZipLimits.MaxEntries - 1 {
			parts[fmt.Sprintf("p%d", i)] = ""
		}
		_, err := parseXLSX(sampledocs.Zip(parts), defaultZipLimits)
		if err == nil || !strings.Contains(err.Error(), "more sheets than the file has parts") {
			t.Errorf("err = %v, want the sheets refused", err)
		}
	})
	t.Run("SharedStrings", func(t *testing.T) {
		_, err := parseXLSX(sampledocs.Zip(map[string]string{
			"xl/workbook.xml":          workbook(`<sheet name="a"/>`),
			"xl/sharedStrings.xml":     `<sst>` + strings.Repeat(`<si/>`, maxSheetCells+1) + `</sst>`,
			"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row><c r="A1"><v>x</v></c></row></sheetData></worksheet>`,
		}), defaultZipLimits)
		if err == nil || !strings.Contains(err.Error(), "shared strings") {
			t.Errorf("err = %v, want the shared strings refused", err)
		}
	})
}

// TestTooManyHeadingsAreRefused reads documents of more headings than maxSections in every
// format that has headings, and of more sheets or slides: each is refused, naming the bound, as soon as it passes it.
// Each heading made a section (some 150 bytes with its path): 5 million "# x" lines of a
// 20 MB Markdown file peaked at 1.8 GB before, 1.9 million HTML headings at 600 MB.
func TestTooManyHeadingsAreRefused(t *testing.T) {
	const n = maxSections + 2
	heading := sampledocs.Para{Style: "Heading1", Text: "x"}
	files := map[string][]byte{
		"headings.md":   []byte(strings.Repeat("# x\n", n)),
		"headings.html": []byte(strings.Repeat("<h2>x</h2>", n)),
		"headings.docx": sampledocs.DOCX("Headings", strings.Repeat(sampledocs.WordPara(heading), n)),
		"headings.odt":  sampledocs.ODT("Headings", strings.Repeat(sampledocs.ODTHeading(1, "x"), n)),
		"headings.rtf":  sampledocs.RTF("Headings", slices.Repeat([]sampledocs.Para{heading}, n)...),
		// Sheets and slides are sections too.
		"sheets.ods": sampledocs.Zip(map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
			"content.xml": `<office:document-content><office:body><office:spreadsheet>` + strings.Repeat(`<table:table/>`, n) +
				`</office:spreadsheet></office:body></office:document-content>`}),
		"slides.odp": sampledocs.ODP("Slides", make([]sampledocs.Slide, n)...),
		"slides.ppt": pptDeckOfEmptySlides(n),
	}
	x := &Extractor{Timeout: time.Hour}
	defer x.Close()
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			if _, err := x.Parse(name, data); !errors.Is(err, errTooManySections) {
				t.Errorf("err = %v, want %v", err, errTooManySections)
			}
		})
	}
}

// TestTooWideTableRowsAreRefused reads a DOCX and an ODT whose table row has more cells than
// a spreadsheet's width: each is refused. 9 million empty cells in one row (92 KB zipped)
// took 770 MB before.
func TestTooWideTableRowsAreRefused(t *testing.T) {
	files := map[string][]byte{
		"wide.docx": sampledocs.DOCX("Wide", `<w:tbl><w:tr>`+strings.Repeat(`<w:tc/>`, maxRowCells+1)+`</w:tr></w:tbl>`),
		"wide.odt": sampledocs.ODT("Wide", `<table:table><table:table-row>`+strings.Repeat(`<table:table-cell/>`, maxRowCells+1)+
			`</table:table-row></table:table>`),
	}
	x := &Extractor{Timeout: time.Hour}
	defer x.Close()
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			if _, err := x.Parse(name, data); !errors.Is(err, errRowTooWide) {
				t.Errorf("err = %v, want %v", err, errRowTooWide)
			}
		})
	}
}

// A wide-encoded text file far over the text limit is refused before it is decoded (a 99 MB
// UTF-16 file was converted whole first); one that decodes within the limit still reads.
func TestWideTextOverTheLimitIsRefusedUndecoded(t *testing.T) {
	utf16 := func(mb float64) []byte {
		out := []byte{0xff, 0xfe}
		line := "Receipts are kept for seven years.\n"
		for len(out) < int(mb*(1<<20)) {
			for _, c := range []byte(line) {
				out = append(out, c, 0)
			}
		}
		return out
	}
	x := &Extractor{MaxText: 1 << 20, Timeout: time.Minute} // refused from 1.25 MB of text
	defer x.Close()
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"huge.txt":  {utf16(6), "extracted text of at least 1 MB"}, // over 4 × 1.25 MB: not decoded
		"large.txt": {utf16(4), "extracted text of 2 MB"},          // decoded, then refused
		"fits.txt":  {utf16(1.5), ""},
	} {
		_, err := x.Parse(name, tc.data)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want it read", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

// TestHTMLEmptyCellsKeepTheirPlace: a row's empty cell between others stays a cell, so each
// value after it stands under its own column's header ("Bo" has no room, not room x4401).
func TestHTMLEmptyCellsKeepTheirPlace(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	page := `<html><head><title>Staff</title></head><body><h1>Staff</h1><table>
<tr><th>Name</th><th>Room</th><th>Phone</th></tr>
<tr><td>Ada</td><td>4.12</td><td>x4400</td></tr>
<tr><td>Bo</td><td> </td><td>x4401</td></tr>
<tr><td>Cy</td><td></td><td><img src="x.png"></td><td>late</td></tr>
<tr><td></td><td>5.01</td><td></td></tr>
</table></body></html>`
	checkLayout(t, x, "staff.html", []byte(page), `title: Staff
== chunk heading="Staff" anchor="staff" page=0
Name | Room | Phone
Ada | 4.12 | x4400
Bo |  | x4401
Cy |  |  | late
5.01
`)
}

// TestDOCXListsAreNumbered: a Word list's bullets and numbers are drawn from
// word/numbering.xml, not written in the text; they are read back as Word shows them, by
// level, from the paragraph's own numbering or its style's ("List Bullet"), and a tracked
// change's old numbering is not the paragraph's.
func TestDOCXListsAreNumbered(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	item := func(numID, ilvl, text string) string {
		return `<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="` + ilvl + `"/><w:numId w:val="` + numID + `"/></w:numPr></w:pPr><w:r><w:t>` + text + `</w:t></w:r></w:p>`
	}
	numbering := `<w:numbering xmlns:w="w">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="4"/><w:numFmt w:val="upperRoman"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>`
	styles := `<w:styles xmlns:w="w"><w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style></w:styles>`
	body := para("Heading1", "Claims") + para("", "To claim:") +
		item("1", "0", "Fill in the form.") + item("1", "1", "Attach receipts.") + item("1", "1", "Sign them.") +
		item("1", "0", "Send it to HR.") + para("", "Bring:") +
		para("ListBullet", "your badge") + item("2", "1", "a photo") +
		item("1", "0", "Wait for the refund.") + item("3", "0", "Fourth part") +
		`<w:p><w:pPr><w:numPr><w:numId w:val="0"/></w:numPr><w:pPrChange><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:pPrChange></w:pPr><w:r><w:t>No longer a step.</w:t></w:r></w:p>` +
		item("9", "0", "A list with no definition.")
	checkLayout(t, x, "claims.docx", office(t, map[string]string{
		"word/document.xml":  `<w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`,
		"word/numbering.xml": numbering,
		"word/styles.xml":    styles,
	}), `title: Claims
== chunk heading="Claims" anchor="claims" page=0
To claim:
1. Fill in the form.
  a. Attach receipts.
  b. Sign them.
2. Send it to HR.
Bring:
- your badge
  - a photo
3. Wait for the refund.
IV. Fourth part
No longer a step.
A list with no definition.
`)
	// Without word/numbering.xml the same paragraphs are plain lines.
	doc, err := x.Parse("plain.docx", docx(t, item("1", "0", "Fill in the form.")))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Sections[0].Text; got != "Fill in the form." {
		t.Errorf("without numbering.xml: %q", got)
	}
}

// TestNestedListsAreIndented: a list inside an HTML or Markdown list item is indented two spaces
// a level, as Word's and OpenDocument's levels are, and the list around it numbers on after it.
// Flush left, the choices under a step read as further steps ("1. Open the form. / - Choice one
// / 1. deep / 2. Submit it."), in the index, the answers and the document page alike.
func TestNestedListsAreIndented(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	want := `title: Claims
== chunk heading="Claims" anchor="claims" page=0
To claim:

1. Open the form.
  - Choice one
  - Choice two
    1. deep
2. Submit it.

- plain
`
	checkLayout(t, x, "claims.html", []byte(`<html><body><h1 id="claims">Claims</h1><p>To claim:</p>
<ol><li>Open the form.<ul><li>Choice one</li><li><p>Choice two</p><ol><li>deep</li></ol></li></ul></li><li>Submit it.</li></ol><ul><li>plain</li></ul></body></html>`), want)
	checkLayout(t, x, "claims.md", []byte("# Claims\n\nTo claim:\n\n1. Open the form.\n   - Choice one\n   - Choice two\n     1. deep\n2. Submit it.\n\n* plain\n"),
		want) // "* plain": a bullet is written "- " whatever the source's
	// However deep the nesting, an item is indented no deeper than Word's ninth level.
	deep := strings.Repeat("<ul><li>x", 12) + strings.Repeat("</li></ul>", 12)
	doc, err := x.Parse("deep.html", []byte("<html><body><p>Deep:</p>"+deep+"</body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(doc.Sections[0].Text, "\n")
	if got, want := lines[len(lines)-1], strings.Repeat("  ", 8)+"- x"; got != want {
		t.Errorf("12 levels deep: last item %q, want %q", got, want)
	}
}

// TestDOCXListsShareTheirDefinitionsNumbers: Word counts a list by its definition
// (w:abstractNum), so paragraphs naming two lists of one definition (their own numbering and
// their style's, as Word splits lists) are numbered on from one another, and a list that
// restarts it (w:startOverride, "Restart Numbering") starts again where it is first used.
// Counting by list restarted every split list at 1 and numbered a restart on from the list
// before.
func TestDOCXListsShareTheirDefinitionsNumbers(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	item := func(numID, text string) string {
		return `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="` + numID + `"/></w:numPr></w:pPr><w:r><w:t>` + text + `</w:t></w:r></w:p>`
	}
	numbering := `<w:numbering xmlns:w="w">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="upperRoman"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="5"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>`
	body := item("1", "One.") + item("2", "Two.") + item("1", "Three.") + para("", "Then:") +
		item("3", "One again.") + item("1", "Two again.") + item("4", "Part three.") + item("5", "Part one.") + item("5", "Part two.")
	checkLayout(t, x, "split.docx", office(t, map[string]string{
		"word/document.xml":  `<w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`,
		"word/numbering.xml": numbering,
	}), `title: split
== chunk heading="" anchor="" page=0
1. One.
2. Two.
3. Three.
Then:
1. One again.
2. Two again.
III. Part three.
I. Part one.
II. Part two.
`)
}

// TestDOCXTextBoxesReadOnce: Word writes a text box twice, for newer readers (mc:Choice) and
// older ones (mc:Fallback), inside the paragraph it is anchored in. Its text is read once, and
// the paragraph around it whole: the box's paragraph cut the anchoring one's first half away.
func TestDOCXTextBoxesReadOnce(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	box := func(text string) string { return `<w:txbxContent>` + para("", text) + `</w:txbxContent>` }
	body := `<w:p><w:r><w:t xml:space="preserve">Before the box, </w:t></w:r><w:r><mc:AlternateContent xmlns:mc="mc">` +
		`<mc:Choice Requires="wps"><w:drawing><wps:wsp xmlns:wps="wps"><wps:txbx>` + box("Inside the box.") + `</wps:txbx></wps:wsp></w:drawing></mc:Choice>` +
		`<mc:Fallback><w:pict><v:shape xmlns:v="v"><v:textbox>` + box("Inside the box.") + `</v:textbox></v:shape></w:pict></mc:Fallback>` +
		`</mc:AlternateContent></w:r><w:r><w:t xml:space="preserve"> after the box.</w:t></w:r></w:p>` + para("", "Next paragraph.")
	doc, err := x.Parse("box.docx", docx(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := doc.Sections[0].Text, "Inside the box.\nBefore the box, after the box.\nNext paragraph."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestDOCXNotesFollowTheirParagraph: footnotes and endnotes live in parts of their own; each
// is read after the paragraph (or table row) that refers to it, numbered as Word shows it,
// and a note referred to again is not copied again.
func TestDOCXNotesFollowTheirParagraph(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	ref := func(kind, id string) string { return `<w:r><w:` + kind + `Reference w:id="` + id + `"/></w:r>` }
	run := func(text string) string { return `<w:r><w:t>` + text + `</w:t></w:r>` }
	body := `<w:p>` + run("Taxis are paid after 9 pm.") + ref("footnote", "2") + `</w:p>` +
		`<w:tbl><w:tr><w:tc><w:p>` + run("Hotel") + ref("footnote", "3") + `</w:p></w:tc><w:tc>` + para("", "150 a night") + `</w:tc></w:tr></w:tbl>` +
		`<w:p>` + run("See the law.") + ref("endnote", "1") + ref("footnote", "2") + ref("footnote", "99") + `</w:p>`
	notes := func(kind string, texts map[string]string) string {
		s := `<w:` + kind + `s xmlns:w="w"><w:` + kind + ` w:type="separator" w:id="-1"><w:p><w:r><w:t>----</w:t></w:r></w:p></w:` + kind + `>`
		for id, text := range texts {
			s += `<w:` + kind + ` w:id="` + id + `">` + para("", text) + para("", "Second paragraph.") + `</w:` + kind + `>`
		}
		return s + `</w:` + kind + `s>`
	}
	data := office(t, map[string]string{
		"word/document.xml":  `<w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`,
		"word/footnotes.xml": notes("footnote", map[string]string{"2": "Or after 8 pm in winter.", "3": "Four stars at most."}),
		"word/endnotes.xml":  notes("endnote", map[string]string{"1": "Travel Act, section 4."}),
	})
	doc, err := x.Parse("travel.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	want := "Taxis are paid after 9 pm.[1]\n[1] Or after 8 pm in winter. Second paragraph.\n" +
		"Hotel[2] | 150 a night\n[2] Four stars at most. Second paragraph.\n" +
		"See the law.[i]\n[i] Travel Act, section 4. Second paragraph."
	if got := doc.Sections[0].Text; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestHTMLFootnotes: footnotes are a page's text however a generator writes them (DocBook's
// div.footnote, pandoc's section of doc-endnotes, docutils' <aside class="footnote">, which
// as an <aside> was dropped as a sidebar), each on its label's line, without the links back.
func TestHTMLFootnotes(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	page := `<html><head><title>T</title></head><body><h2>Backups</h2>
<p>Keep copies.<sup>[<a id="r1" href="#ftn.r1" class="footnote">1</a>]</sup> Done.</p>
<div class="footnotes"><hr><div id="ftn.r1" class="footnote"><p><sup>[<a href="#r1" class="para">1</a>] </sup>On the last day of the month.</p></div></div>
<p>Pandoc.<a href="#fn1" class="footnote-ref" role="doc-noteref"><sup>2</sup></a></p>
<section class="footnotes" role="doc-endnotes"><hr><ol><li id="fn1"><p>Pandoc's note.<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>
<p>Sphinx.<a class="footnote-reference brackets" href="#id3" role="doc-noteref"><span class="fn-bracket">[</span>3<span class="fn-bracket">]</span></a></p>
<aside class="footnote-list brackets"><aside class="footnote brackets" id="id3" role="doc-footnote"><span class="label"><span class="fn-bracket">[</span><a role="doc-backlink" href="#id2">3</a><span class="fn-bracket">]</span></span><p>Sphinx's note.</p></aside></aside>
<aside class="sidebar"><p>Related pages</p></aside>
</body></html>`
	checkLayout(t, x, "notes.html", []byte(page), `title: T
== chunk heading="Backups" anchor="backups" page=0
Keep copies.[1] Done.

[1] On the last day of the month.

Pandoc.²

1. Pandoc's note.

Sphinx.[3]

[3] Sphinx's note.
`)
}

// TestPDFOutlineHeadings: a PDF's outline (its bookmarks) gives each page's passages their
// heading path, split where a heading stands on its page, whether the entry points at its page
// by destination or by go-to action. An entry whose title is not on its page applies from
// where the page's text stands; entries out of page order or with no page are ignored.
func TestPDFOutlineHeadings(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	pdf := sampledocs.OutlinedPDF("Travel policy", []sampledocs.Mark{
		{Level: 0, Title: "Travel policy", Page: 0},
		{Level: 1, Title: "Taxis", Page: 0},
		{Level: 1, Title: "Hotels", Page: 1, Action: true},
		{Level: 0, Title: "Annex", Page: 2},
		{Level: 1, Title: "Back to the start", Page: 0},
		{Level: 1, Title: "Forms", Page: 3},
	},
		[]string{"Travel policy", "Staff travel by train.", "Taxis", "Taxis are paid after 9 pm."},
		[]string{"Receipts are kept for a year.", "Hotels", "Four stars at most."},
		[]string{"Annex text."},
		[]string{"The claim form is on the intranet."})
	checkLayout(t, x, "travel.pdf", pdf, `title: Travel policy
== chunk heading="Travel policy" anchor="" page=1
Staff travel by train.
== chunk heading="Travel policy › Taxis" anchor="" page=1
Taxis are paid after 9 pm.
== chunk heading="Travel policy › Taxis" anchor="" page=2
Receipts are kept for a year.
== chunk heading="Travel policy › Hotels" anchor="" page=2
Four stars at most.
== chunk heading="Annex" anchor="" page=3
Annex text.
== chunk heading="Annex › Forms" anchor="" page=4
The claim form is on the intranet.
`)
}

// TestPDFOutlineHeadingsTakeTheirNumbers: an outline entry names a section without the number
// printed before its heading ("The R environment" for "1.2 The R environment", "Introduction"
// for "Chapter 1 Introduction"); the number goes with the heading, where it used to end the
// section before ("… data analysis. 1.2"). A number that belongs to a sentence stays.
func TestPDFOutlineHeadingsTakeTheirNumbers(t *testing.T) {
	pages := []Section{
		{Page: 1, Text: "Chapter 1 Introduction\nR is a suite for a single piece of data analysis.\n1.2 The R environment\nR is an integrated suite."},
		{Page: 2, Text: "The limit is 4095 bytes. 1.3 Related software\nOther systems. Values above 5 Limits\nThe end."},
	}
	marks := []pdfMark{{title: "Introduction", page: 0}, {title: "The R environment", page: 0, level: 1},
		{title: "Related software", page: 1, level: 1}, {title: "Limits", page: 1, level: 1}}
	var got []string
	for _, s := range outlineSections(pages, marks) {
		got = append(got, strings.Join(s.Headings, " › ")+": "+strings.TrimSpace(s.Text))
	}
	want := []string{
		"Introduction: R is a suite for a single piece of data analysis.",
		"Introduction › The R environment: R is an integrated suite.",
		"Introduction › The R environment: The limit is 4095 bytes.",
		"Introduction › Related software: Other systems. Values above 5",
		"Introduction › Limits: The end.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sections:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPDFOutlineFromLibreOffice reads the outline LibreOffice writes (testdata/pdfoutline): a
// heading that joinPDFLines ran on from the paragraph before it ("… for you. Long stays") is
// cut from that paragraph and heads its own section.
func TestPDFOutlineFromLibreOffice(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	data, err := os.ReadFile("testdata/pdfoutline/policy.pdf")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := x.Parse("policy.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range doc.Sections {
		first, _, _ := strings.Cut(s.Text, "\n")
		got = append(got, strings.Join(s.Headings, " › ")+": "+first)
	}
	want := []string{
		": Expense policy",
		"Taxis: Taxis are paid after 9 pm, or when no public transport runs. Keep the receipt and add it to your claim within 30 days.",
		"Hotels: Hotels of four stars at most are paid. The travel desk books them for you.",
		"Hotels › Long stays: For stays over two weeks, ask for a serviced apartment.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPDFOutlineLoops: an outline whose entry is its own sibling and its own child (PDFium
// leaves such cycles to its caller) is read up to its bounds, and the page is still read once.
func TestPDFOutlineLoops(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	content := "BT /F1 12 Tf 72 720 Td (Loop) Tj T* (The page under the looping entry.) Tj T* ET"
	pdf := sampledocs.Objects([]string{
		"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>",
		"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
		"<< /Title (Loop) /Dest [4 0 R /Fit] /Parent 6 0 R /Next 7 0 R /First 7 0 R /Last 7 0 R >>",
	}, "")
	doc, err := x.Parse("loop.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Sections) != 1 || doc.Sections[0].Text != "Loop The page under the looping entry." || !slices.Equal(doc.Sections[0].Headings, []string{"Loop"}) {
		t.Errorf("sections = %+v", doc.Sections)
	}
}

// TestDOCXNumberedHeadings: Word numbers headings through their styles' list ("1.", "1.1"), and
// a list level's text may show the levels above it ("%1.%2."): headings keep their numbers,
// by which people refer to a section, and items read as Word shows them.
func TestDOCXNumberedHeadings(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	numbering := `<w:numbering xmlns:w="w">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/><w:lvlText w:val="Step %1:"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>`
	styles := `<w:styles xmlns:w="w">
<w:style w:type="paragraph" w:styleId="Heading1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
</w:styles>`
	item := func(ilvl, text string) string {
		return `<w:p><w:pPr><w:numPr><w:ilvl w:val="` + ilvl + `"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>` + text + `</w:t></w:r></w:p>`
	}
	body := para("Heading1", "Scope") + para("", "All staff.") + para("Heading1", "Travel") + para("Heading2", "Trains") +
		para("", "Second class.") + para("Heading2", "Taxis") + item("0", "Book one.") + item("1", "By phone.") + item("1", "By app.") + item("0", "Pay.")
	checkLayout(t, x, "policy.docx", office(t, map[string]string{
		"word/document.xml":  `<w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`,
		"word/numbering.xml": numbering,
		"word/styles.xml":    styles,
	}), `title: 1. Scope
== chunk heading="1. Scope" anchor="1-scope" page=0
All staff.
== chunk heading="2. Travel › 2.1 Trains" anchor="21-trains" page=0
Second class.
== chunk heading="2. Travel › 2.2 Taxis" anchor="22-taxis" page=0
Step 1: Book one.
  (a) By phone.
  (b) By app.
Step 2: Pay.
`)
}

// TestDOCXHeadingsInAnyLanguage: a Word document written in another language names its heading
// styles in that language ("Ttulo1" for Spanish's Título 1) but gives them their built-in
// English names in styles.xml; a style based on a heading, or given an outline level, is a
// heading too, as is a paragraph given one of its own; outline level 9 is body text. Styles
// whose w:basedOn chain loops end the chain.
func TestDOCXHeadingsInAnyLanguage(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	styles := `<w:styles xmlns:w="w">
<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Capitulo"><w:name w:val="Capítulo"/><w:basedOn w:val="Ttulo2"/></w:style>
<w:style w:type="paragraph" w:styleId="Resumen"><w:name w:val="Resumen"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Nota"><w:name w:val="Nota"/><w:basedOn w:val="Ttulo1"/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="A"><w:name w:val="A"/><w:basedOn w:val="B"/></w:style>
<w:style w:type="paragraph" w:styleId="B"><w:name w:val="B"/><w:basedOn w:val="A"/></w:style>
<w:style w:type="character" w:styleId="Ttulo1Car"><w:name w:val="heading 1 Char"/></w:style>
</w:styles>`
	outlined := `<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>Taxis</w:t></w:r></w:p>`
	body := para("Ttulo1", "Viajes") + para("", "En tren.") + para("Capitulo", "Hoteles") + para("Resumen", "Resumen breve") +
		para("", "Cuatro estrellas.") + outlined + para("Nota", "Una nota.") + para("A", "Un bucle.")
	checkLayout(t, x, "viajes.docx", office(t, map[string]string{
		"word/document.xml": `<w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`,
		"word/styles.xml":   styles,
	}), `title: Viajes
== chunk heading="Viajes" anchor="viajes" page=0
En tren.
== chunk heading="Viajes › Hoteles › Resumen breve" anchor="resumen-breve" page=0
Cuatro estrellas.
== chunk heading="Viajes › Taxis" anchor="taxis" page=0
Una nota.
Un bucle.
`)
}

// TestDOCXTrackedStyleChange: with tracked changes on, Word records a paragraph's former style
// in w:pPrChange; a heading made body text is body text, and a body paragraph made a heading
// (in a Spanish document, by its built-in name) is a heading.
func TestDOCXTrackedStyleChange(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	styles := `<w:styles xmlns:w="w">
<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style>
</w:styles>`
	was := `<w:p><w:pPr><w:pPrChange w:id="1" w:author="Ana"><w:pPr><w:pStyle w:val="Ttulo1"/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>Ya no es un título.</w:t></w:r></w:p>`
	now := `<w:p><w:pPr><w:pStyle w:val="Ttulo1"/><w:pPrChange w:id="2" w:author="Ana"><w:pPr><w:pStyle w:val="Normal"/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>Hoteles</w:t></w:r></w:p>`
	body := para("Ttulo1", "Viajes") + was + now + para("", "Cuatro estrellas.")
	checkLayout(t, x, "viajes.docx", office(t, map[string]string{
		"word/document.xml": `<w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`,
		"word/styles.xml":   styles,
	}), `title: Viajes
== chunk heading="Viajes" anchor="viajes" page=0
Ya no es un título.
== chunk heading="Hoteles" anchor="hoteles" page=0
Cuatro estrellas.
`)
}

// TestSheetTitleRowsAreNotTheHeader: a sheet's title and notes above its table (rows of one
// cell) are lines of their own, and the first row of two cells or more is the header every
// row after it is read by; in a CSV file as in a workbook. A sheet of one column keeps its
// first row as header.
func TestSheetTitleRowsAreNotTheHeader(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	rows := [][]string{{"Travel budget 2025"}, {""}, {"", "Approved by the board"}, {"Item", "Cost"}, {"Taxis", "300"}, {"Hotels", ""}, {"", "50"}}
	want := "Travel budget 2025\nApproved by the board\nItem | Cost\nItem: Taxis; Cost: 300\nItem: Hotels\nCost: 50"
	var csv strings.Builder
	for _, r := range rows {
		csv.WriteString(strings.Join(r, ",") + "\n")
	}
	for name, data := range map[string][]byte{
		"budget.xlsx": sampledocs.XLSX("Budget", "2025", rows),
		"budget.csv":  []byte(csv.String()),
	} {
		doc, err := x.Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Sections[0].Text; got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, want)
		}
	}
	doc, err := x.Parse("names.csv", []byte("Name\nAda\nBo\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Sections[0].Text; got != "Name\nName: Ada\nName: Bo" {
		t.Errorf("one column: %q", got)
	}
}

// TestPPTXOrderTablesAndNotes: a deck's slides are read in the order presentation.xml shows
// them (a slide moved in PowerPoint keeps its file's number), a table's rows are lines of
// cells, and the speaker notes' body follows the slide, without the notes page's slide number.
func TestPPTXOrderTablesAndNotes(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	sp := func(ph, text string) string {
		return `<p:sp><p:nvSpPr><p:nvPr><p:ph type="` + ph + `"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>` + text + `</a:t></a:r></a:p></p:txBody></p:sp>`
	}
	slide := func(body string) string {
		return `<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree>` + body + `</p:spTree></p:cSld></p:sld>`
	}
	cell := func(text string) string {
		return `<a:tc><a:txBody><a:p><a:r><a:t>` + text + `</a:t></a:r></a:p></a:txBody></a:tc>`
	}
	rel := func(id, typ, target string) string {
		return `<Relationship Id="` + id + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/` + typ + `" Target="` + target + `"/>`
	}
	data := office(t, map[string]string{
		"ppt/presentation.xml":            `<p:presentation xmlns:p="p" xmlns:r="r"><p:sldIdLst><p:sldId id="256" r:id="rId3"/><p:sldId id="257" r:id="rId2"/></p:sldIdLst></p:presentation>`,
		"ppt/_rels/presentation.xml.rels": `<Relationships>` + rel("rId2", "slide", "slides/slide1.xml") + rel("rId3", "slide", "slides/slide2.xml") + `</Relationships>`,
		"ppt/slides/slide1.xml": slide(sp("title", "Prices") + `<p:graphicFrame><a:graphic><a:graphicData><a:tbl>` +
			`<a:tr>` + cell("Room") + cell("Rate") + `</a:tr><a:tr>` + cell("Single") + cell("90") + `</a:tr><a:tr>` + cell("Suite") + `<a:tc/></a:tr></a:tbl></a:graphicData></a:graphic></p:graphicFrame>`),
		"ppt/slides/slide2.xml":                      slide(sp("ctrTitle", "Hotel guide") + sp("body", "For staff on trips.")),
		"ppt/slides/_rels/slide2.xml.rels":           `<Relationships>` + rel("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml") + rel("rId2", "notesSlide", "../notesSlides/notesSlide1.xml") + `</Relationships>`,
		"ppt/notesSlides/notesSlide1.xml":            `<p:notes xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree>` + sp("sldImg", "") + sp("body", "Mention the new rates.") + sp("sldNum", "1") + `</p:spTree></p:cSld></p:notes>`,
		"ppt/notesSlides/_rels/notesSlide1.xml.rels": `<Relationships>` + rel("rId1", "slide", "../slides/slide2.xml") + `</Relationships>`,
	})
	checkLayout(t, x, "hotels.pptx", data, `title: Hotel guide
== chunk heading="Slide 1: Hotel guide" anchor="slide-1" page=1
Hotel guide
For staff on trips.
Notes: Mention the new rates.
== chunk heading="Slide 2: Prices" anchor="slide-2" page=2
Prices
Room | Rate
Single | 90
Suite
`)
}

// TestDOCXTableOfContentsIsNotText: a Word table of contents (a TOC field's result, in a content
// control Word marks as one or not) repeats the headings with page numbers: it is not indexed.
// Other fields' results are text.
func TestDOCXTableOfContentsIsNotText(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	fld := func(kind string) string { return `<w:r><w:fldChar w:fldCharType="` + kind + `"/></w:r>` }
	instr := func(s string) string { return `<w:r><w:instrText xml:space="preserve">` + s + `</w:instrText></w:r>` }
	run := func(s string) string { return `<w:r><w:t>` + s + `</w:t></w:r>` }
	entries := `<w:p>` + fld("begin") + instr(` TOC \o "1-3" \h \z \u `) + fld("separate") + run("1. Scope") + `<w:r><w:tab/></w:r>` + run("1") + `</w:p>` +
		`<w:p>` + run("2. Travel") + `<w:r><w:tab/></w:r>` + run("2") + `</w:p><w:p>` + fld("end") + `</w:p>`
	body := para("Heading1", "Scope") + para("", "All staff.") +
		`<w:p>` + run("Taxis, see page ") + fld("begin") + instr(" PAGEREF _Toc2 \\h ") + fld("separate") + run("2") + fld("end") + `</w:p>`
	for name, toc := range map[string]string{
		"content control": `<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>` +
			para("TOCHeading", "Contents") + entries + `</w:sdtContent></w:sdt>`,
		"field alone":  entries,
		"simple field": `<w:p><w:fldSimple w:instr=" TOC \o &quot;1-3&quot; "><w:r><w:t>1. Scope 1</w:t></w:r></w:fldSimple></w:p>`,
	} {
		doc, err := x.Parse("policy.docx", docx(t, toc+body))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range doc.Sections {
			got = append(got, strings.Join(s.Headings, " › ")+": "+strings.TrimSpace(s.Text))
		}
		if want := []string{"Scope: All staff.\nTaxis, see page 2"}; !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestJoinPDFLinesKeepsHeadingsApart: a short line after a sentence's end, with no stop of
// its own, is a heading (LibreOffice's and Word's PDFs put one between a paragraph and the
// next, or between a list and the next paragraph, with no blank line): it is a line of its
// own, not the tail of the paragraph before nor the head of the one after.
func TestJoinPDFLinesKeepsHeadingsApart(t *testing.T) {
	got := joinPDFLines(strings.Join([]string{
		"The corporate VPN is required to reach internal systems such as the wiki, Jira and the",
		"build servers from outside the office and from every customer site we visit this year.",
		"Installing the client",
		"1. Open Self Service on your laptop (macOS) or Software Center (Windows) to begin.",
		"2. Add the new starter to the team's calendar and to the chat channels of the team.",
		"First week",
		"Every new starter meets the people team on Monday morning at nine in the lobby, and",
		"the manager on Friday afternoon. The probation period is two months for all of them.",
		"Report every suspected incident at once to the Security Operations Centre, whose",
		"address is printed on the back of your badge, or to the hotline listed on the wiki. See",
		"https://wiki.example.com/security/incidents/reporting-a-suspected-incident-howto",
	}, "\n"))
	want := strings.Join([]string{
		"The corporate VPN is required to reach internal systems such as the wiki, Jira and the build servers from outside the office and from every customer site we visit this year.",
		"Installing the client",
		"1. Open Self Service on your laptop (macOS) or Software Center (Windows) to begin.",
		"2. Add the new starter to the team's calendar and to the chat channels of the team.",
		"First week",
		"Every new starter meets the people team on Monday morning at nine in the lobby, and the manager on Friday afternoon. The probation period is two months for all of them. Report every suspected incident at once to the Security Operations Centre, whose address is printed on the back of your badge, or to the hotline listed on the wiki. See https://wiki.example.com/security/incidents/reporting-a-suspected-incident-howto",
	}, "\n")
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestJoinPDFLinesKeepsHyphensOfAddresses: a line that ends at a hyphen inside an e-mail
// address, a host name or a path was broken at a hyphen of its own, which stays
// ("security@northwind-" + "labs.com"); a word's hyphen is still undone.
func TestJoinPDFLinesKeepsHyphensOfAddresses(t *testing.T) {
	got := joinPDFLines(strings.Join([]string{
		"Report every suspected incident immediately to the Security Operations Centre at security@northwind-",
		"labs.com or on the hotline; the runbook is on the wiki at https://wiki.example.com/sec-ops/run-",
		"book/lost-devices and in the shared and searchable folders of the staff portal's docu-",
		"ment library under Security, which every employee can read at any time of day.",
	}, "\n"))
	want := "Report every suspected incident immediately to the Security Operations Centre at security@northwind-labs.com or on the hotline; the runbook is on the wiki at https://wiki.example.com/sec-ops/run-book/lost-devices and in the shared and searchable folders of the staff portal's document library under Security, which every employee can read at any time of day."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// PDFium joins a word it takes for hyphenated itself, marking the hyphen \x02.
	got = strings.Join(pdfLines("Write to security@northwind\x02labs.com or see https://wiki.example.com/sec\x02ops/ in the docu\x02ment library."), "\n")
	want = "Write to security@northwind-labs.com or see https://wiki.example.com/sec-ops/ in the document library."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestSuperscriptDigitsAreSuperscripts: a footnote mark or an exponent set as raised digits
// (Word's vertAlign or position, an ODF text-position, HTML's <sup>) reads as Unicode
// superscripts, so the word it follows stays a word of its own ("minutes¹", which search
// reads as "minutes", not "minutes1"; "m²" not "m2"); raised letters are left as they are.
func TestSuperscriptDigitsAreSuperscripts(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	want := "The account is locked for 30 minutes¹. Each desk has 6 m² and the 1st floor has more."
	for name, data := range map[string][]byte{
		"a.docx": docx(t, `<w:p><w:r><w:t>The account is locked for 30 minutes</w:t></w:r>`+
			`<w:r><w:rPr><w:position w:val="8"/><w:sz w:val="19"/></w:rPr><w:t>1</w:t></w:r><w:r><w:t xml:space="preserve">. Each desk has 6 m</w:t></w:r>`+
			`<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>2</w:t></w:r><w:r><w:t xml:space="preserve"> and the 1</w:t></w:r>`+
			`<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>st</w:t></w:r><w:r><w:t xml:space="preserve"> floor has more.</w:t></w:r></w:p>`),
		"a.odt": sampledocs.ODTStyled("Styles",
			`<style:style style:name="T1" style:family="text"><style:text-properties style:text-position="33% 80%"/></style:style>`+
				`<style:style style:name="T2" style:family="text"><style:text-properties style:text-position="super 58%"/></style:style>`+
				`<style:style style:name="T3" style:family="text"><style:text-properties style:text-position="-33% 80%"/></style:style>`,
			`<text:p>The account is locked for 30 minutes<text:span text:style-name="T1">1</text:span>. Each desk has 6 m<text:span text:style-name="T2">2</text:span> and the 1<text:span text:style-name="T2">st</text:span> floor has <text:span text:style-name="T3">more</text:span>.</text:p>`),
		"a.html": []byte(`<html><body><p>The account is locked for 30 minutes<sup><a href="#fn1">1</a></sup>. Each desk has 6 m<sup>2</sup> and the 1<sup>st</sup> floor has more.</p></body></html>`),
	} {
		doc, err := x.Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range doc.Sections {
			if s := strings.TrimSpace(s.Text); s != "" {
				got = append(got, s)
			}
		}
		if strings.Join(got, "\n") != want {
			t.Errorf("%s: got %q\nwant %q", name, strings.Join(got, "\n"), want)
		}
	}
}

// TestMarkdownFrontMatterTitle: a static site's page takes its title from its front matter,
// YAML or TOML, quoted or not, without a comment after it, and the front matter is not text;
// a block scalar is no title, nor is a nested key's title (YAML's indented, TOML's after a
// [table] header), and a page without front matter keeps its first heading as title.
func TestMarkdownFrontMatterTitle(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	for name, c := range map[string]struct{ src, title string }{
		"yaml.md":    {"---\nlayout: page\ntitle: \"Travel \\\"light\\\" policy\"\ntags: [hr]\n---\n## Taxis\n\nAfter 9 pm.\n", `Travel "light" policy`},
		"single.md":  {"---\ntitle: 'Don''t panic'\n---\nText.\n", "Don't panic"},
		"toml.md":    {"+++\ntitle = \"Onboarding\"\ndate = 2024-01-02\n+++\n\nText.\n", "Onboarding"},
		"comment.md": {"+++\ntitle = \"Onboarding # 2\" # the menu's\n+++\n\nText.\n", "Onboarding # 2"},
		"plain.md":   {"---\ntitle: Learn C# today # draft\n---\nText.\n", "Learn C# today"},
		"block.md":   {"---\ntitle: >\n  Folded\n---\n# Heading\n\nText.\n", "Heading"},
		"nested.md":  {"---\nseo:\n  title: Not this\n---\nText.\n", "nested"},
		"table.md":   {"+++\ndate = 2024-01-02\n[menu.main]\ntitle = \"Not this\"\n+++\n# Heading\n\nText.\n", "Heading"},
		"nofront.md": {"# First heading\n\ntitle: not front matter\n", "First heading"},
	} {
		doc, err := x.Parse(name, []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, s := range doc.Sections {
			text.WriteString(s.Text)
		}
		if doc.Title != c.title || strings.Contains(text.String(), "layout") || strings.Contains(text.String(), "date =") {
			t.Errorf("%s: title %q, text %q; want title %q and no front matter", name, doc.Title, text.String(), c.title)
		}
	}
}

// TestHTMLLanguageSwitcher: a block of links to the page in other languages (rel="alternate"
// and hreflang), as the Apache HTTP Server manual puts above and below every page, with a
// label and the link to the page itself, is chrome, whatever languages it lists (a list of them
// too); a sentence that links to a translation, a paragraph of links to other pages, links to
// documents in another language (an hreflang without rel="alternate") and a table cell are
// content.
func TestHTMLLanguageSwitcher(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	page := `<html><head><title>Auth</title></head><body><div id="page-content"><div id="preamble"><h1>Authentication</h1>
<div class="toplang">
<p><span>Available Languages: </span><a href="../../en/howto/auth.html" title="English">&nbsp;en&nbsp;</a> |
<a href="../../es/howto/auth.html" hreflang="es" rel="alternate" title="Espa&ntilde;ol">&nbsp;es&nbsp;</a> |
<a href="../../fr/howto/auth.html" hreflang="fr" rel="alternate" title="Fran&ccedil;ais">&nbsp;fr&nbsp;</a></p>
</div>
<p>Authentication is any process by which you verify that someone is who they claim they are.</p>
<ul class="langs"><li><a hreflang="de" rel="alternate" href="de.html">Deutsch</a></li><li><a hreflang="ja" rel="alternate" href="ja.html">日本語</a></li></ul>
<p>This guide was written in English; the <a hreflang="de" href="de.html">German translation</a> may lag behind it by a release or two.</p>
<p>See also: <a href="a.html">Access control</a>, <a href="b.html">Password formats</a>, <a href="c.html">Caching</a>.</p>
<p><a hreflang="de" href="de.html">Die deutsche Übersetzung</a> ist veraltet.</p>
<p>The German version is <a hreflang="de" href="de.html">here</a>.</p>
<p>Download: <a hreflang="fr" href="rapport-2023.pdf">Rapport annuel 2023 du conseil</a></p>
<ul><li><a hreflang="fr" href="r1.pdf">Rapport annuel 2023</a> (PDF, 2 MB)</li><li><a hreflang="fr" href="r2.pdf">Rapport annuel 2022</a> (PDF, 3 MB)</li></ul>
<table><tr><td>Manual</td><td><a hreflang="ja" rel="alternate" href="ja.html">Japanese manual for the server</a></td></tr></table>
</div>
<div class="bottomlang">
<p><span>Available Languages: </span><a href="../../en/howto/auth.html" title="English">&nbsp;en&nbsp;</a> |
<a href="../../ko/howto/auth.html" hreflang="ko" rel="alternate" title="Korean">&nbsp;ko&nbsp;</a></p>
</div></div></body></html>`
	checkLayout(t, x, "auth.html", []byte(page), `title: Authentication
== chunk heading="Authentication" anchor="preamble" page=0
Authentication is any process by which you verify that someone is who they claim they are.

This guide was written in English; the German translation may lag behind it by a release or two.

See also: Access control, Password formats, Caching.

Die deutsche Übersetzung ist veraltet.

The German version is here.

Download: Rapport annuel 2023 du conseil

- Rapport annuel 2023 (PDF, 2 MB)
- Rapport annuel 2022 (PDF, 3 MB)

Manual | Japanese manual for the server
`)
}
