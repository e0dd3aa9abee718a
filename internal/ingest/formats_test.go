package ingest

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/sampledocs"
)

// TestExtractNewFormats reads OpenDocument, RTF and e-mail files generated from code, checking
// the structure each keeps as its Office counterpart does.
func TestExtractNewFormats(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"guide.odt", sampledocs.ODT("Expense Guide",
			sampledocs.ODTHeading(1, "Claims")+`<text:p>Submit within <text:span>30</text:span><text:s text:c="2"/>days.<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Calendar days.</text:p></text:note-body></text:note></text:p>`+
				`<text:list><text:list-item><text:p>Keep receipts</text:p></text:list-item><text:list-item><text:p>Ask your manager</text:p></text:list-item></text:list>`+
				sampledocs.ODTTable([][]string{{"Amount", "Approver"}, {"under 500", "manager"}})+
				`<text:tracked-changes><text:changed-region><text:deletion><text:p>Deleted words</text:p></text:deletion></text:changed-region></text:tracked-changes>`+
				sampledocs.ODTHeading(2, "Receipts")+sampledocs.ODTPara("Photograph every receipt.")),
			`title: Expense Guide
== chunk heading="Claims" anchor="claims" page=0
Submit within 30 days. Calendar days.
- Keep receipts
- Ask your manager
Amount | Approver
under 500 | manager
== chunk heading="Claims › Receipts" anchor="receipts" page=0
Photograph every receipt.
`},
		{"people.ods", sampledocs.ODS("Staff list", "Staff", [][]string{{"Name", "Room"}, {"Ada", "4.12"}, {"", "5.01"}}),
			`title: Staff list
== chunk heading="Staff" anchor="sheet-1" page=1
Name | Room
Name: Ada; Room: 4.12
Room: 5.01
`},
		{"deck.odp", sampledocs.ODP("", sampledocs.Slide{Title: "Quarterly review", Lines: []string{"Revenue grew."}, Notes: "Thank the sales team."}, sampledocs.Slide{Lines: []string{"Second slide text."}}),
			`title: Quarterly review
== chunk heading="Slide 1: Quarterly review" anchor="slide-1" page=1
Quarterly review
Revenue grew.
Notes: Thank the sales team.
== chunk heading="Slide 2" anchor="slide-2" page=2
Second slide text.
`},
		{"memo.rtf", sampledocs.RTF("Café memo", sampledocs.Para{Style: "Heading1", Text: "Opening hours"},
			sampledocs.Para{Text: "The café opens at 8 — Grüße, 東京 {braces} \\ back"}),
			`title: Café memo
== chunk heading="Opening hours" anchor="opening-hours" page=0
The café opens at 8 — Grüße, 東京 {braces} \ back
`},
		// LibreOffice numbers a heading with a {\listtext\pard…} group inside its paragraph: the
		// group's \pard ends with the group, and the paragraph is still a heading.
		{"numbered.rtf", []byte(`{\rtf1\ansi{\stylesheet{\s0 Normal;}{\s1\outlinelevel0 Heading 1;}}` + "\n" +
			`\pard\plain \s1\outlinelevel0{\listtext\pard\plain \f0 1.\tab}Scope\par` + "\n" +
			`\pard\plain The policy covers all staff.\par}`),
			`title: 1. Scope
== chunk heading="1. Scope" anchor="1-scope" page=0
The policy covers all staff.
`},
		// A Word 97-2003 file: headings in Word's built-in heading styles, paragraphs, a table,
		// a hyperlink field (its result kept, its instruction not), a picture mark and Word's
		// non-breaking and optional hyphens; in UTF-16, and one byte a character
		// (Windows-1252) as Word stores plain Western text.
		{"policy.doc", sampledocs.WordDoc(wordText, sampledocs.WordDocOptions{Headings: map[int]int{0: 1, 1: 2}}), wordWant},
		{"policy-compressed.doc", sampledocs.WordDoc(strings.ReplaceAll(wordText, " 東京", ""), sampledocs.WordDocOptions{Compressed: true, Headings: map[int]int{0: 1, 1: 2}}),
			strings.ReplaceAll(wordWant, " 東京", "")},
		{"plain.doc", sampledocs.WordDoc(wordText, sampledocs.WordDocOptions{}), wordPlain},
		// Footnotes are stored after the main text, each opening with its mark, as its
		// reference in the text is one: numbered alike, they are read after the text.
		{"notes.doc", sampledocs.WordDoc("Taxis\rTaxis are paid after 9 pm.\x02 Keep the receipt.\x02\r",
			sampledocs.WordDocOptions{Headings: map[int]int{0: 1}, Footnotes: "\x02 Or after 8 pm in winter.\r\x02 A photo will do.\r\r"}),
			`title: Taxis
== chunk heading="Taxis" anchor="taxis" page=0
Taxis are paid after 9 pm.[1] Keep the receipt.[2]

[1] Or after 8 pm in winter.
[2] A photo will do.
`},
		// Word marks a row's end in its paragraph properties: an empty cell's mark, which
		// follows another cell's as a row's end does, keeps its place in the row.
		{"rooms.doc", sampledocs.WordDoc("Rooms\rName\x07Room\x07Phone\x07\x07Ada\x07\x07x4400\x07\x07Bo\x074.12\x07\x07\x07Done.\r",
			sampledocs.WordDocOptions{Headings: map[int]int{0: 1}, RowEnds: map[int]bool{4: true, 8: true, 12: true}}),
			`title: Rooms
== chunk heading="Rooms" anchor="rooms" page=0
Name | Room | Phone
Ada |  | x4400
Bo | 4.12
Done.
`},
		// An Excel 97-2003 workbook: shared strings (one split across a CONTINUE record, one
		// in UTF-16), numbers as RK and NUMBER records, formulas' cached number and string.
		{"staff.xls", sampledocs.XLS([]sampledocs.XLSSheet{
			{Name: "Staff", Cells: []sampledocs.XLSCell{{Row: 0, Col: 0, Text: "Name"}, {Row: 0, Col: 1, Text: "Room"}, {Row: 0, Col: 2, Text: "Phone"},
				{Row: 1, Col: 0, Text: "Ada"}, {Row: 1, Col: 1, Number: 4.12}, {Row: 1, Col: 2, Text: "x4400", Formula: true},
				{Row: 3, Col: 1, Number: 501}, {Row: 3, Col: 0, Text: "Bo"}}},
			{Name: "Rates", Cells: []sampledocs.XLSCell{{Row: 0, Col: 0, Text: "Item"}, {Row: 0, Col: 1, Text: "Price"},
				{Row: 1, Col: 0, Text: "Desk"}, {Row: 1, Col: 1, Number: 300.5, Formula: true}, {Row: 2, Col: 0, Text: "Zoë Åström 東京"}, {Row: 2, Col: 1, Number: -2}}},
		}, sampledocs.XLSOptions{SplitStrings: true}),
			`title: staff
== chunk heading="Staff" anchor="sheet-1" page=1
Name | Room | Phone
Name: Ada; Room: 4.12; Phone: x4400
Name: Bo; Room: 501
== chunk heading="Rates" anchor="sheet-2" page=2
Item | Price
Item: Desk; Price: 300.5
Item: Zoë Åström 東京; Price: -2
`},
		// A PowerPoint 97-2003 deck: its slides' text in the slide list and in text boxes (read
		// once), a title, a line break (\v), speaker notes.
		{"review.ppt", sampledocs.PPT([]sampledocs.Slide{{Title: "Quarterly review", Lines: []string{"Revenue grew\vby 12 percent"}}, {Lines: []string{"Café costs fell."}}},
			sampledocs.PPTOptions{InBoxes: true, Notes: map[int]string{0: "Mention the budget."}}),
			`title: Quarterly review
== chunk heading="Slide 1: Quarterly review" anchor="slide-1" page=1
Quarterly review
Revenue grew
by 12 percent
Notes: Mention the budget.
== chunk heading="Slide 2" anchor="slide-2" page=2
Café costs fell.
`},
		{"offer.eml", sampledocs.EML("Ada Lovelace <ada@example.org>", "team@example.org", "Angebot für Büromöbel",
			"Tue, 3 Mar 2026 10:15:00 +0100", "Dear team,\n\nthe offer for the desks is attached. Grüße",
			"<p>HTML alternative, not indexed</p>", sampledocs.File{Name: "prices.csv", Data: []byte("Item,Price\nDesk,300\n")}),
			`title: Angebot für Büromöbel
== chunk heading="" anchor="" page=0
From: Ada Lovelace <ada@example.org>
To: team@example.org
Date: Tue, 3 Mar 2026 10:15 +0100
Attachments: prices.csv

Dear team,

the offer for the desks is attached. Grüße
`},
	} {
		t.Run(tc.name, func(t *testing.T) { checkLayout(t, x, tc.name, tc.data, tc.want) })
	}
}

// wordText is a Word document's main text in Word's own characters; wordWant its extraction
// with its first two paragraphs in the styles Heading 1 and 2, wordPlain without styles.
const (
	wordText = "Travel policy\rTaxis\rThe café pays taxis after 9 pm \x13 HYPERLINK \"https://intranet/taxi\" \x14see the taxi rules\x15. Non\x1ebreaking and opt\x1fional hyphens 東京.\x01\r" +
		"Amount\x07Approver\x07\x07under 500\x07manager\x07\x07Keep the receipt.\r"
	wordWant = `title: Travel policy
== chunk heading="Travel policy › Taxis" anchor="taxis" page=0
The café pays taxis after 9 pm see the taxi rules. Non-breaking and optional hyphens 東京.
Amount | Approver
under 500 | manager
Keep the receipt.
`
	wordPlain = `title: plain
== chunk heading="" anchor="" page=0
Travel policy
Taxis
The café pays taxis after 9 pm see the taxi rules. Non-breaking and optional hyphens 東京.
Amount | Approver
under 500 | manager
Keep the receipt.
`
)

// TestEMLAttachmentsAndHTML: attachments come back as files of their own, names made safe and
// unique; an HTML-only message is read as HTML.
func TestEMLAttachmentsAndHTML(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	inner := sampledocs.EML("b@example.org", "a@example.org", "Inner", "Mon, 2 Mar 2026 09:00:00 +0000", "Forwarded text.", "")
	doc, err := x.Parse("m.eml", sampledocs.EML("a@example.org", "b@example.org", "Files", "Mon, 2 Mar 2026 09:00:00 +0000", "See attached.", "",
		sampledocs.File{Name: "../../etc/report.pdf", Data: []byte("%PDF-1.4")},
		sampledocs.File{Name: "report.pdf", Data: []byte("%PDF-1.4 second")},
		sampledocs.File{Name: "fwd.eml", Data: inner}))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range doc.Attachments {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, ","); got != ".._.._etc_report.pdf,report.pdf,fwd.eml" {
		t.Errorf("attachment names = %s", got)
	}
	html := "From: a@example.org\r\nSubject: =?utf-8?B?SMOkbmRlbA==?=\r\nContent-Type: text/html; charset=windows-1252\r\n\r\n<h1>Title</h1><p>Caf\xe9 menu</p>"
	doc, err = x.Parse("h.eml", []byte("From - Mon Mar  2 09:00:00 2026\r\n"+html))
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := Layout(doc, DefaultChunkOptions); doc.Title != "Händel" || !strings.Contains(body, "Café menu") || !strings.Contains(body, "From: a@example.org") {
		t.Errorf("HTML mail: title %q, sections %+v", doc.Title, doc.Sections)
	}
}

// TestHostileNewFormats: broken or malicious files of the new formats end in a clear error
// naming what is wrong, never a crash, a hang or a runaway allocation.
func TestHostileNewFormats(t *testing.T) {
	t.Parallel()
	x := &Extractor{zip: zipLimits{MaxEntries: 1000, MaxInflated: 8 << 20}}
	defer x.Close()
	manyParts := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n", 300) + "--b--\r\n"
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"ODTZipBomb", "bomb.odt", sampledocs.ZipBomb("content.xml", 64<<20), "zip bomb"},
		{"ODTNotAZip", "fake.odt", []byte("not a zip"), "not a valid OpenDocument file"},
		{"ODSMissingContent", "no.ods", sampledocs.Zip(map[string]string{"meta.xml": "<x/>"}), "content.xml is missing"},
		{"ODPNoSlides", "empty.odp", sampledocs.ODT("t", ""), "no slides found"},
		{"RTFNotRTF", "fake.rtf", []byte("plain text"), `not an RTF file`},
		{"RTFDeepGroups", "deep.rtf", []byte(`{\rtf1 ` + strings.Repeat("{", 100000)), "nested deeper"},
		{"RTFHugeBin", "bin.rtf", []byte(`{\rtf1 \bin999999999 after}`), "no text to index"},
		{"EMLNotMail", "fake.eml", []byte("\x00\x01 garbage"), "binary content"},
		{"DOCNotCompound", "fake.doc", []byte("plain text saved as .doc"), "not a Word 97-2003 document"},
		{"DOCTruncated", "cut.doc", sampledocs.WordDoc("Some text.\r", sampledocs.WordDocOptions{})[:1500], "not a Word 97-2003 document"},
		{"DOCEncrypted", "locked.doc", sampledocs.WordDoc("Secret.\r", sampledocs.WordDocOptions{Encrypted: true}), "encrypted Word document"},
		{"DOCWord95", "old.doc", sampledocs.WordDoc("Old.\r", sampledocs.WordDocOptions{NFib: 0x0065}), "save it as .docx"},
		{"XLSNotCompound", "fake.xls", []byte("a,b\n1,2\n"), "not an Excel 97-2003 workbook"},
		{"XLSEncrypted", "locked.xls", sampledocs.XLS([]sampledocs.XLSSheet{{Name: "S", Cells: []sampledocs.XLSCell{{Text: "secret"}}}}, sampledocs.XLSOptions{Encrypted: true}), "encrypted Excel workbook"},
		{"XLSExcel95", "old.xls", sampledocs.XLS([]sampledocs.XLSSheet{{Name: "S", Cells: []sampledocs.XLSCell{{Text: "old"}}}}, sampledocs.XLSOptions{Version: 0x0500}), "save it as .xlsx"},
		{"XLSTooWide", "wide.xls", sampledocs.XLS([]sampledocs.XLSSheet{{Name: "S", Cells: []sampledocs.XLSCell{{Col: 40000, Text: "far"}}}}, sampledocs.XLSOptions{}), "a table row of more than"},
		// One number at the far right of each of 300 rows: each row is laid out 16,384 cells
		// wide, blanks counted against maxSheetCells as .xlsx counts them (65,536 such rows of
		// a 1 MB file would lay out 16 GB of empty strings).
		{"XLSFarColumns", "far.xls", sampledocs.XLS([]sampledocs.XLSSheet{{Name: "S", Cells: farCells(300, 16383)}}, sampledocs.XLSOptions{}), "spreadsheet laying out more than"},
		{"DOCPieceOutside", "damaged.doc", sampledocs.WordDoc("Text.\r", sampledocs.WordDocOptions{PieceOffset: 0x7FFFFFF0}), "damaged Word document"},
		{"EMLManyParts", "parts.eml", []byte(manyParts), "more than 200 MIME parts"},
		// A chain of storages one inside another: mscfb gave each its own copy of the path
		// above it, memory quadratic in the chain (4,000 deep in a 500 KB file took 132 MB).
		{"DOCDeepStorages", "deep.doc", deepStorages("WordDocument", 4000), "storages nested more than 32 deep"},
		{"XLSDeepStorages", "deep.xls", deepStorages("Workbook", 33), "storages nested more than 32 deep"},
		{"PPTDeepStorages", "deep.ppt", deepStorages("PowerPoint Document", 4000), "storages nested more than 32 deep"},
		{"MSGDeepStorages", "deep.msg", deepStorages("__substg1.0_0037001F", 4000), "storages nested more than 32 deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.Parse(tc.file, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestLegacyBinary: binary content under a text file's name (an encrypted or compressed export
// saved as .csv: bytes that look random) is skipped as binary, not read as Windows-1252: its
// high bytes, decoded to two or three bytes each, thinned its control bytes below looksBinary's
// tenth, and it was indexed as Latin nonsense.
func TestLegacyBinary(t *testing.T) {
	t.Parallel()
	data := make([]byte, 20000)
	rand.New(rand.NewSource(1)).Read(data)
	x := &Extractor{}
	defer x.Close()
	for _, name := range []string{"export.csv", "export.txt", "export.md"} {
		if _, err := x.Parse(name, data); err == nil || !strings.Contains(err.Error(), "binary content") {
			t.Errorf("%s: err = %v, want binary content skipped", name, err)
		}
	}
}

// TestEMLUndeclaredCharset: a mail part in Windows-1252 that declares no charset, or US-ASCII
// as old mailers did whatever they sent, is read as a text file is (decodeText), not with
// U+FFFD for each accented letter.
func TestEMLUndeclaredCharset(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	for _, header := range []string{"", "Content-Type: text/plain\r\n", "Content-Type: text/plain; charset=us-ascii\r\n"} {
		doc, err := x.Parse("m.eml", []byte("From: a@example.org\r\nSubject: Reise\r\n"+header+"\r\nDie Gr\xf6\xdfe der Belege: \x84Caf\xe9\x93.\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if body, _ := Layout(doc, DefaultChunkOptions); !strings.Contains(body, "Die Größe der Belege: „Café“.") {
			t.Errorf("%q: %q", header, body)
		}
	}
}

// TestXLSWorkbooksOfOtherShapes reads workbooks that valid writers lay out otherwise:
//   - "Microsoft Excel 97 & 5.0/95" holds a Workbook stream (BIFF8) beside its Excel 95 Book
//     stream, Book listed first; it was skipped as Excel 95 though it holds the BIFF8 one;
//   - a compound file's names compare without case ([MS-CFB] 2.6.4), and writers other than
//     Excel name the stream "WORKBOOK"; such workbooks were failed as having no Workbook stream;
//   - a formula's text result of more than 4,110 characters goes on from its STRING record into
//     a CONTINUE record; only the STRING record was read, too short for the count it gives, and
//     the whole result was dropped.
func TestXLSWorkbooksOfOtherShapes(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	long := strings.Repeat("abcdefghij", 500) + " end"
	for _, tc := range []struct {
		name string
		cell sampledocs.XLSCell
		o    sampledocs.XLSOptions
	}{
		{"dual.xls", sampledocs.XLSCell{Text: "both formats"}, sampledocs.XLSOptions{Book: true}},
		{"upper.xls", sampledocs.XLSCell{Text: "any case"}, sampledocs.XLSOptions{StreamName: "WORKBOOK"}},
		{"long.xls", sampledocs.XLSCell{Text: long, Formula: true}, sampledocs.XLSOptions{}},
	} {
		doc, err := x.Parse(tc.name, sampledocs.XLS([]sampledocs.XLSSheet{{Name: "S", Cells: []sampledocs.XLSCell{tc.cell}}}, tc.o))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(doc.Sections) != 1 || strings.TrimSpace(doc.Sections[0].Text) != tc.cell.Text {
			t.Errorf("%s: %d sections: %+.120v", tc.name, len(doc.Sections), doc.Sections)
		}
	}
}

// farCells is a number in column col of each of n rows.
func farCells(n, col int) []sampledocs.XLSCell {
	var cells []sampledocs.XLSCell
	for r := range n {
		cells = append(cells, sampledocs.XLSCell{Row: r, Col: col, Number: 7})
	}
	return cells
}

// TestSymbolFontBullets checks that the bullets Word draws from its Symbol and Wingdings fonts
// open list items as "• ": in a PDF they are Private Use Area code points, in RTF the font's
// byte read as Windows-1252. Elsewhere on a line, or without text after them, they stay.
func TestSymbolFontBullets(t *testing.T) {
	for in, want := range map[string]string{
		"\uf0b7\tFirst aid kit\n\uf0a7 Fire exit": "• First aid kit\n• Fire exit",
		"  \uf0d8  Nested item":                   "  • Nested item",
		"· Badge\n· Laptop":                       "• Badge\n• Laptop",
		"● one\n○ two\n■ three":                   "• one\n• two\n• three",
		"□ Yes □ No":                              "□ Yes □ No", // a form's check boxes
		"Prices · Rooms · Contacts":               "Prices · Rooms · Contacts",
		"\uf0b7\nText":                            "\uf0b7\nText",
		"\uf0b7":                                  "\uf0b7",
		"Plain text only.":                        "Plain text only.",
		"Call \uf028 4400":                        "Call \uf028 4400",
	} {
		if got := symbolBullets(in); got != want {
			t.Errorf("symbolBullets(%q) = %q, want %q", in, got, want)
		}
	}
	// End to end: an RTF list whose bullet is \'b7 in the Symbol font.
	rtf := []byte(`{\rtf1\ansi{\fonttbl{\f0 Calibri;}{\f1\fcharset2 Symbol;}}` + "\n" +
		`\pard{\listtext\pard\plain\f1\'b7\tab}Badge\par` + "\n" +
		`\pard{\listtext\pard\plain\f1\'b7\tab}Laptop\par}`)
	x := &Extractor{}
	defer x.Close()
	doc, err := x.Parse("kit.rtf", rtf)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Sections[0].Text; got != "• Badge\n• Laptop" {
		t.Errorf("RTF list = %q, want %q", got, "• Badge\n• Laptop")
	}
}

// TestODTListsAreNumbered: an OpenDocument list's bullets and numbers come from its list
// style (the list's own, or its enclosing list's), by level; a list that continues another's
// numbering goes on counting, and an item's second paragraph has no marker.
func TestODTListsAreNumbered(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	styles := `<text:list-style style:name="N" xmlns:style="s">` +
		`<text:list-level-style-number text:level="1" style:num-format="1"/>` +
		`<text:list-level-style-number text:level="2" style:num-format="a"/></text:list-style>` +
		`<text:list-style style:name="B" xmlns:style="s"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/></text:list-style>` +
		`<text:list-style style:name="R" xmlns:style="s"><text:list-level-style-number text:level="1" style:num-format="I" text:start-value="3"/></text:list-style>`
	item := func(paras ...string) string { // a paragraph, or a nested list's XML ("<…")
		s := `<text:list-item>`
		for _, p := range paras {
			if !strings.HasPrefix(p, "<") {
				p = sampledocs.ODTPara(p)
			}
			s += p
		}
		return s + `</text:list-item>`
	}
	body := sampledocs.ODTHeading(1, "Claims") +
		`<text:list text:style-name="N">` + item("Fill in the form.", "It is on the intranet.") +
		item("Attach receipts.", `<text:list>`+item("Scan them.")+item("Keep the paper.")+`</text:list>`) + `</text:list>` +
		sampledocs.ODTPara("Then:") +
		`<text:list text:style-name="N" text:continue-numbering="true">` + item("Send it.") + `</text:list>` +
		`<text:list text:style-name="B">` + item("badge") + `</text:list>` +
		`<text:list text:style-name="R">` + item("Third part") + `</text:list>` +
		`<text:list>` + item("no style") + `</text:list>`
	checkLayout(t, x, "claims.odt", sampledocs.ODTStyled("Claims", styles, body), `title: Claims
== chunk heading="Claims" anchor="claims" page=0
1. Fill in the form.
It is on the intranet.
2. Attach receipts.
  a. Scan them.
  b. Keep the paper.
Then:
3. Send it.
- badge
III. Third part
- no style
`)
}

// TestHostileListStarts: a list level's first number comes from the file. A letter list that
// starts at 2^31 (or 10^12) wrote each marker as millions of one letter (letters repeats a
// letter once per 26): a few bytes of numbering.xml made gigabytes of text, or ran the
// process out of memory. Numbers past what letters can sensibly spell are written as digits.
func TestHostileListStarts(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	item := `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>step</w:t></w:r></w:p>`
	docxFile := office(t, map[string]string{
		"word/document.xml": `<w:document xmlns:w="w"><w:body>` + strings.Repeat(item, 50) + `</w:body></w:document>`,
		"word/numbering.xml": `<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="2147483647"/>` +
			`<w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`,
	})
	odtFile := sampledocs.ODTStyled("T", `<text:list-style style:name="N" xmlns:style="s"><text:list-level-style-number text:level="1" style:num-format="A" text:start-value="1000000000000"/></text:list-style>`,
		`<text:list text:style-name="N">`+strings.Repeat(`<text:list-item><text:p>step</text:p></text:list-item>`, 50)+`</text:list>`)
	for name, data := range map[string][]byte{"letters.docx": docxFile, "letters.odt": odtFile} {
		doc, err := x.Parse(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		size := 0
		for _, s := range doc.Sections {
			size += len(s.Text)
		}
		if size > 50*40 {
			t.Errorf("%s: %d bytes of text from 50 list items", name, size)
		}
	}
	for n, want := range map[int]string{1: "a", 26: "z", 27: "aa", 52: "zz", 53: "aaa", maxListLetters: strings.Repeat("z", maxListLetters/26), maxListLetters + 1: "781", -5: "a"} {
		if got := letters(n); got != want {
			t.Errorf("letters(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestDOCXManyTextBoxesInOneParagraph: the paragraph a text box interrupts goes on after the
// box. Its text was copied back after each of the box's paragraphs, so a long paragraph
// holding thousands of empty ones (7 bytes each) copied megabytes per token: quadratic time,
// the parse running into its deadline instead of reading the file.
func TestDOCXManyTextBoxesInOneParagraph(t *testing.T) {
	t.Parallel()
	x := &Extractor{Timeout: 5 * time.Second}
	defer x.Close()
	long := strings.Repeat("word ", 400_000) // 2 MB
	body := `<w:p><w:r><w:t>` + long + `</w:t></w:r>` + strings.Repeat(`<w:p/>`, 50_000) + `<w:r><w:t>end</w:t></w:r></w:p>`
	start := time.Now()
	doc, err := x.Parse("boxes.docx", docx(t, body))
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	if text := doc.Sections[len(doc.Sections)-1].Text; !strings.HasSuffix(text, "word end") {
		t.Errorf("text ends %q", text[max(0, len(text)-20):])
	}
}

// deepStorages is a compound file holding a stream named name under depth storages, one
// inside another.
func deepStorages(name string, depth int) []byte {
	return sampledocs.CompoundFile(sampledocs.CFBStream{Name: strings.Repeat("s/", depth) + name, Data: []byte("x")})
}

// TestFootnotesFromLibreOffice reads the footnotes of a real writer's .doc and .docx
// (testdata/notes): each reference numbered, each note's text read once, after the text in a
// .doc and after its paragraph in a .docx.
func TestFootnotesFromLibreOffice(t *testing.T) {
	x := &Extractor{}
	defer x.Close()
	for name, want := range map[string]string{
		"notes.doc":  "Taxis are paid after 9 pm.[1] Keep the receipt.[2]\nHotels are booked by the desk.\n\n[1]\tOr after 8 pm in winter.\n[2]\tA photo will do.",
		"notes.docx": "Taxis are paid after 9 pm.[1] Keep the receipt.[2]\n[1] Or after 8 pm in winter.\n[2] A photo will do.\nHotels are booked by the desk.",
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "notes", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := x.Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Sections[len(doc.Sections)-1].Text; got != want {
			t.Errorf("%s:\n%q\nwant\n%q", name, got, want)
		}
	}
}
