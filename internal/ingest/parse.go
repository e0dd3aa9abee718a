package ingest

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/internal/textseg"
)

// Section is a run of text under one heading path: the unit chunks never cross.
type Section struct {
	// Headings is the path of headings above the text, outermost first.
	Headings []string
	// Anchor is the deep-link target of the innermost heading (an HTML id, a Markdown slug).
	Anchor string
	// Page is the 1-based page, slide or sheet number, 0 where the format has none.
	Page int
	Text string
	// OCR marks text recognised from an image (a scanned page, a photo), not read from the
	// file: citations say so, since recognition errs.
	OCR bool
}

// Parsed is what extraction yields for one file.
type Parsed struct {
	Title    string
	Sections []Section
	// Attachments are files carried inside this one (an e-mail's), indexed as documents of
	// their own.
	Attachments []Attachment
	// OCRPages counts the pages read by OCR; OCRNote says what OCR left unread, if anything.
	OCRPages int
	OCRNote  string
}

// outline tracks the heading path while a parser walks a document, so every format builds
// sections the same way.
type outline struct {
	doc   *Parsed
	stack []string
	slugs map[string]int
	// err is errTooManySections once the document has more sections than maxSections: each
	// parser checks it as it goes and stops.
	err error
}

// maxSections bounds the sections (headings) of one document. Chunks never cross a section,
// so a document of more than the indexer's 10,000 chunks is skipped anyway; but a section and
// its heading path cost some 150 bytes each, so "# x" lines made 5 million of them out of a
// 20 MB Markdown file, peaking at 1.8 GB, and 800,000 DOCX headings (200 KB zipped) 364 MB.
const maxSections = 100_000

var errTooManySections = fmt.Errorf("more than %d headings", maxSections)

func newOutline(doc *Parsed) *outline { return &outline{doc: doc, slugs: map[string]int{}} }

// enter returns the section that starts at a heading of the given level (1 is the top); the
// first level-1 heading is the document's title unless it has one. An empty anchor is derived
// from the title.
func (o *outline) enter(level int, title, anchor string) Section {
	if len(o.doc.Sections) > maxSections {
		o.err = errTooManySections
	}
	title = clipHeading(title)
	if level == 1 && o.doc.Title == "" {
		o.doc.Title = title
	}
	for len(o.stack) < level {
		o.stack = append(o.stack, "")
	}
	o.stack = append(o.stack[:level-1], title)
	if anchor == "" {
		anchor = slug(title, o.slugs)
	}
	return Section{Headings: nonEmpty(o.stack), Anchor: anchor}
}

// maxHeadingBytes bounds a heading's text. A heading's path is written into every chunk under
// it: a 100 KB "heading" over 10,000 short sections made 1 GB of chunk headings out of a
// 200 KB page. No real heading comes near it.
const maxHeadingBytes = 300

// clipHeading cuts a heading longer than maxHeadingBytes at a word boundary (a rune boundary
// when a word is that long) and marks the cut with an ellipsis.
func clipHeading(s string) string {
	if len(s) <= maxHeadingBytes {
		return s
	}
	cut := maxHeadingBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > maxHeadingBytes/2 {
		cut = sp
	}
	return s[:cut] + "…"
}

// ExtractorVersion numbers what extraction makes of a file. Documents record the version that
// extracted them, and a re-index re-reads files extracted by an older one, however unchanged:
// raise it with every change to what any parser or the chunker produces.
//
// Version 2: paragraphs, list items and table cells are single lines (source line breaks
// collapsed), page chrome is dropped from HTML, PDF lines are joined into paragraphs, and
// sentences are cut by textseg.
//
// Version 3: Markdown is read by goldmark (CommonMark and GFM): setext headings make sections,
// tables are readable rows (as for spreadsheets), HTML blocks give their text, reference link
// definitions and thematic breaks are no longer text.
//
// Version 4: OpenDocument, RTF, e-mail and images are read (files of those types skipped by
// earlier versions are read again), PDF pages without a text layer are read by OCR, each chunk
// is indexed with the text-search configuration of its detected language, and Chinese,
// Japanese and Korean by character bigrams (issue 18).
//
// Version 5: headings are clipped to 300 bytes, large Markdown is read in pieces, and files
// past the new bounds on nesting, table cells and table text fail alone with the limit named
// (hostile-input hardening): a file that version 4 read may now read differently or fail.
//
// Version 6: the spaces between a highlighted code block's tokens are kept ("import csv", not
// "importcsv"), and permalinks after headings and definitions ("¶") are dropped.
//
// Version 7 (HTML from generators beyond Sphinx and DocBook: Node.js, Texinfo, Javadoc,
// Doxygen, rustdoc): a table cell's first paragraph stays on its row's line (Sphinx and
// Node.js tables were one cell a paragraph), preformatted lines keep their indentation and a
// second <code> in one <pre> starts a line, Doxygen's fragments are code, links whose text is
// only a permalink symbol ("#", "◆") or chrome ("[source]", "Source", "Read more", "More...")
// go, as do pager links named by rel (Texinfo), line numbers, skip links and tooltips, a
// block inside a heading and a label's end are spaces ("for T where", Material's tab names
// "C# Java"), and a <div> with a single link is no longer taken for a menu (Javadoc's
// summaries lost every class and member name).
//
// Version 8: a link whose text is only such a symbol goes wherever it points (the "§" after
// each item of PostgreSQL's release notes links to the commit).
//
// Version 9: an HTML page whose first top heading numbers a section ("1. Overview", "2.3 Syntax";
// a year such as "2024 Annual Report" is no section number) takes its title from <title> when that
// has no number (SQLite's documentation: 116 of 766 pages were
// titled "1. Overview", "1. Introduction" or "1. Syntax").
//
// Version 10: an in-page table of contents (a list or <div> of links to the page's own
// sections only, "#limit" or "select.html#limit") goes with its label: SQLite's "► Table Of
// Contents" filled the first chunk of 75 pages with their headings, listed again.
//
// Version 11 (hostile-input hardening): titles, headings and anchors are cleaned as text is, and
// lose their control characters (see cleanLabel): an RTF heading with a \'00 escape and an
// e-mail's HTML heading with a NUL failed their file, and HTML's "&#1;" reached the index.
//
// Version 12: the page is never chrome, whatever its body's classes say ("no-sidebar": 16 of
// the 244 pages of Apache httpd's manual had no text to index), nor a form that wraps it
// (ASP.NET, SharePoint), nor a header inside an article (Docusaurus's h1); class names that
// say what a container has or lacks ("content-with-sidebar") no longer mark it as chrome; an id naming navigation within a longer name ("topics-pagination":
// Django's page "Pagination" had no text to index) is chrome only without a heading inside,
// and a heading's or section's id never.
//
// Version 13: the element of role="main" holds the content as <main> does, and neither is ever
// chrome (SQLAlchemy's role="main" body, of class "withsidebar", left 163 of 224 pages without
// text and the rest titled by the site's name and holding only the pager); a page that a
// <meta http-equiv="refresh"> sends elsewhere at once is skipped as a redirect (144 of zsh's
// 186 Texinfo pages were such stubs, each indexed as a hit) and is not counted as a page of
// the site for its repeated blocks. A heading without an id of its own is anchored at the id
// just before it (Sphinx's <section id>, Texinfo's <span id>, gtk-doc's and Doxygen's
// <a name>) or at an XHTML <a id="…"/> inside it (DocBook): 83 % of the anchors of 14 sets of
// Debian's documentation named no place in their page, 3 % now. A link whose text is only an
// icon font's glyph (Private Use Area) is a permalink too: MkDocs' theme put "\uf0c1" at the end
// of every heading. The lines that begin or end at least half of a PDF's pages (of five or
// more) are running headers, footers and page numbers, and go: "Debian New Maintainers' Guide
// 14 / 57" opened every page's text, and the footer of bash's manual page ran on from the
// last sentence of each page ("… has the form GNU Bash 5.2 2022 September 19 4"). Doxygen's
// table of a declaration (class "memname") is one line of code, not rows of cells: "int
// SDL_CreateWindowAndRenderer ( int width, …", not "int SDL_CreateWindowAndRenderer | ( | int
// | width," and a line per parameter.
//
// Version 14: text that is not UTF-8 is decoded as Windows-1252 where it reads as such, and an
// HTML page in the charset it declares (see decodeText): their accented letters were U+FFFD.
//
// Version 15: an indented list number ("  2. Send it") no longer ends a sentence (textseg), so a
// plain-text file's indented numbered steps are chunked as items, not as "2." sentences.
//
// Version 16 (formats as other writers than Docent's tests write them):
//   - PowerPoint 97-2003 decks (.ppt) are read, a section a slide headed by its title, with
//     its text boxes and speaker notes (files of that type skipped by earlier versions are read
//     again);
//   - Outlook messages (.msg) are read as e-mail, with their attachments, a message attached as
//     a message written as an .eml (files of that type were skipped by earlier versions); an
//     .eml that is really an Outlook message is read as one;
//   - a number in a date or time format in an .xlsx or .xls sheet reads as an ISO date or time
//     ("Date: 2024-12-24", "Starts: 13:30", "Length: 36:00"), not as its serial number ("Date:
//     45650"): number formats are read (numfmt.go);
//   - an RTF paragraph's outline level is group state, so LibreOffice's numbered headings
//     ({\listtext\pard …} inside the paragraph) are headings again;
//   - a bullet drawn from a symbol font ("\uf0b7" in a PDF, "·" in RTF) opens its line as "• ";
//   - an empty HTML table cell between others keeps its place, so the cells after it stay under
//     their own headers, and a Word 97-2003 table's rows end where Word's paragraph properties
//     say (an empty cell ended its row);
//   - a .docx or .odt list item opens with its bullet ("- ") or number ("2. ", "b. ", or as
//     Word's level text writes it, "2.3.", "Step 2:"), indented by level, and a numbered .docx
//     heading keeps its number ("2.3 Taxis");
//   - a Word text box is read once (not also from its mc:Fallback copy), and the paragraph it is
//     anchored in keeps the text before it;
//   - a .docx footnote or endnote follows the paragraph that refers to it, numbered as Word
//     shows it ("[1]", "[i]"), and a .doc's footnotes follow its text, numbered as their
//     references are;
//   - the rows above a spreadsheet's (or CSV file's) header that hold one cell (its title, a
//     note) are lines of their own, and the header is the first row of two cells or more;
//   - a .docx table of contents (a TOC field's result, or Word's content control for one) is
//     not text: it repeats the headings with page numbers;
//   - a .pptx deck's slides are read in the order the deck shows them (not by file name), its
//     tables a row a line, and its speaker notes after each slide, as an .odp deck's notes
//     are now too;
//   - a PDF's outline (bookmarks) gives its pages' passages their heading paths, split where each
//     heading stands on its page (see outlineSections);
//   - HTML footnotes in an <aside> (docutils, Sphinx) are text, not a sidebar, each on its
//     label's line ("[3] The note"), and a note's link back ("↩︎", "↑", "^") is not;
//   - a PDF heading set between two paragraphs with no blank line (LibreOffice's and Word's
//     PDFs) is a line of its own: a short line after a sentence's end, with no stop, opening
//     with a capital, no longer ends the paragraph before it ("… the office. Installing the
//     client");
//   - a PDF line broken at a hyphen of an e-mail address, host name or path keeps the hyphen
//     ("security@northwind-labs.com", not "northwindlabs.com"), whether PDFium marked it as
//     a word's (\x02) or the lines are joined after;
//   - raised digits (a footnote mark typed as superscript, an exponent) read as Unicode
//     superscripts in .docx (w:vertAlign, a positive w:position), .odt (a text style's
//     style:text-position) and HTML (<sup>, unless the mark is in brackets): "minutes¹",
//     which search reads as "minutes", not "minutes1"; "m²", not "m2".
//
// Version 17 (headings in documents written by other programs and in other languages):
//   - a PDF without an outline gets its headings from the size its lines are set in
//     (pdfheadings.go): a short line set larger than the body is a heading, the larger the
//     higher, and its pages' passages fall under it as under an outline's entries;
//   - a .docx heading is known by its style's built-in name in styles.xml ("heading 1"), not
//     only by an English style id, so a Spanish, Dutch or Polish document's headings ("Ttulo1",
//     "Kop1", "Nagwek1") are headings; so are styles based on a heading, styles and paragraphs
//     given an outline level (w:outlineLvl);
//   - a Markdown page's title comes from its front matter (`title:` in YAML, `title =` in
//     Hugo's TOML), where static-site generators keep it; TOML front matter is not text;
//   - a CSV file separated by semicolons (Excel's CSV where the comma is the decimal mark),
//     tabs or pipes is read by its columns (csvDelimiter), not as one column of lines, and
//     .tsv files are read as CSV;
//   - an HTML element marked role="heading" (its level in aria-level) is a heading, as h1-h6.
//
// Version 18 (a manual with translations): an HTML block of links to the page in other
// languages (hreflang) with at most a short label and the page's own link ("Available
// Languages: en | fr | ja") is chrome (languageSwitcher).
//
// Version 19 (probes of a DocBook book and typeset PDF manuals):
//   - an HTML or Markdown list inside a list item is indented two spaces a level, as .docx and
//     .odt levels are, where its items were written flush left, as more items of the list
//     around it;
//   - a DocBook sidebar (div.sidebar inside a division) and an Asciidoctor sidebar block are
//     text, not chrome (textBox);
//   - a PDF's running headers that carry the page number and name the chapter, or alternate
//     between odd and even pages, are dropped (numberedLines, runningLines), as are entries of
//     a table of contents or index (contentsEntries); the number printed before an outline's
//     heading leaves the text with the heading (printedNumber); a PDF without a title in its
//     metadata takes the one set largest on its first page (titleLine); a web address broken at a line's end is joined
//     without a space (urlBreak), a line ended at a footnote's mark goes on (noteBreak), and
//     the end of a sentence a page break cut off joins the page where it began
//     (joinPageBreaks).
const ExtractorVersion = 19

// ErrSkip marks files that are deliberately not indexed; its message is the reason shown to admins.
type ErrSkip struct{ Reason string }

func (e ErrSkip) Error() string { return e.Reason }

// Extractor turns file bytes into text and structure, within per-file limits. It owns the PDF
// engine, so one Extractor serves a whole run; Close releases it.
type Extractor struct {
	// MaxText bounds the extracted text of one file (default 16 MiB); larger files are skipped.
	MaxText int
	// Timeout bounds the extraction of one file (default 10s).
	Timeout time.Duration
	// OCR reads scanned PDF pages and images; nil leaves them unread, with a skip reason that
	// says how to turn it on.
	OCR *OCR
	zip zipLimits
	pdf pdfEngine
	// repeated holds the fingerprints of text blocks found on most HTML pages of the source
	// being indexed (see repeatedBlocks): site chrome, dropped from every page.
	repeated map[uint64]bool
}

// Close releases the PDF engine, if a PDF started it.
func (x *Extractor) Close() { x.pdf.close() }

// Parse extracts the text of a file named name. The title falls back to the file name.
func (x *Extractor) Parse(name string, data []byte) (Parsed, error) {
	typ := source.Supported(name)
	if typ == "" {
		return Parsed{}, ErrSkip{Reason: source.SkipReason(name)}
	}
	maxText := cmp.Or(x.MaxText, 16<<20)
	timeout := cmp.Or(x.Timeout, 10*time.Second)
	// Text formats extract to about their own size: refuse a huge one before copying it around.
	// Decoded, a file keeps at least a quarter of its bytes (UTF-32's four a character of
	// ASCII), so one over four times the bound is refused before it is decoded (a 99 MB UTF-16
	// file was converted whole first).
	plain := typ == "text" || typ == "markdown" || typ == "csv"
	if plain && len(data)/4 > maxText+maxText/4 {
		return Parsed{}, ErrSkip{Reason: fmt.Sprintf("extracted text of at least %d MB is over the %d MB limit", len(data)/4>>20, maxText>>20)}
	}
	if plain || typ == "html" {
		data = decodeText(data, typ)
	}
	if plain && len(data) > maxText+maxText/4 {
		return Parsed{}, ErrSkip{Reason: fmt.Sprintf("extracted text of %d MB is over the %d MB limit", len(data)>>20, maxText>>20)}
	}
	var doc Parsed
	var err error
	switch typ {
	case "pdf":
		doc, err = x.parsePDF(data, timeout)
	case "image":
		doc, err = x.parseImage(data)
	default:
		deadline := time.Now().Add(timeout)
		doc, err = withTimeout(timeout, func() (Parsed, error) { return x.parse(typ, path.Base(name), data, deadline) })
	}
	if err != nil {
		return Parsed{}, err
	}
	if doc.Title = cleanLabel(doc.Title); doc.Title == "" {
		doc.Title = cleanLabel(strings.TrimSuffix(path.Base(name), path.Ext(name)))
	}
	size := 0
	kept := doc.Sections[:0]
	for _, s := range doc.Sections {
		s.Text = strings.TrimSpace(symbolBullets(string(cleanText([]byte(s.Text)))))
		if s.Text != "" {
			for i, h := range s.Headings {
				s.Headings[i] = cleanLabel(h)
			}
			if slices.Contains(s.Headings, "") {
				s.Headings = nonEmpty(s.Headings)
			}
			s.Anchor = cleanLabel(s.Anchor)
			// The heading path is text too, written into every chunk of the section: many
			// short sections under long headings multiply it (see maxHeadingBytes).
			size += len(s.Text)
			for _, h := range s.Headings {
				size += len(h)
			}
			kept = append(kept, s)
		}
	}
	doc.Sections = kept
	switch {
	case len(doc.Sections) == 0 && doc.OCRNote != "":
		return Parsed{}, fmt.Errorf("no text recognised: %s", doc.OCRNote)
	case len(doc.Sections) == 0 && typ == "html":
		// A manual's chapter page is often its title and a table of contents alone: said
		// plainly, since "no text" for a page full of links reads as a broken extractor.
		return Parsed{}, ErrSkip{Reason: "no text to index: navigation (menus, link lists, tables of contents) is left out, and the page has nothing else"}
	case len(doc.Sections) == 0:
		return Parsed{}, ErrSkip{Reason: "no text to index"}
	case size > maxText:
		return Parsed{}, ErrSkip{Reason: fmt.Sprintf("extracted text of %d MB is over the %d MB limit", size>>20, maxText>>20)}
	}
	return doc, nil
}

// parse runs the parser of typ. A parser that works in steps (Markdown, piece by piece; the
// office formats, XML token by token) stops at the deadline, so that a file which overruns its timeout does not go on taking memory and
// time in the background.
func (x *Extractor) parse(typ, page string, data []byte, deadline time.Time) (Parsed, error) {
	zl := x.zip
	if zl.MaxEntries == 0 {
		zl = defaultZipLimits
	}
	zl.Deadline = deadline
	switch typ {
	case "docx":
		return parseDOCX(data, zl)
	case "pptx":
		return parsePPTX(data, zl)
	case "xlsx":
		return parseXLSX(data, zl)
	case "odt":
		return parseODT(data, zl)
	case "ods":
		return parseODS(data, zl)
	case "odp":
		return parseODP(data, zl)
	case "doc":
		return parseDOC(data, deadline)
	case "xls":
		return parseXLS(data, deadline)
	case "eml":
		return parseMail(data, deadline)
	case "ppt":
		return parsePPT(data, deadline)
	}
	if looksBinary(data) {
		return Parsed{}, ErrSkip{Reason: "binary content in a " + typ + " file"}
	}
	// RTF declares its own charset: read it before invalid UTF-8 is replaced.
	if typ == "rtf" {
		return parseRTF(data)
	}
	data = cleanText(data)
	switch typ {
	case "markdown":
		return parseMarkdown(data, deadline)
	case "html":
		doc, _, redirect, err := readHTML(data, x.repeated, page)
		if err != nil {
			return Parsed{}, err
		}
		if redirect != "" {
			return Parsed{}, ErrSkip{Reason: "a redirect to " + redirect}
		}
		return doc, nil
	case "csv":
		return parseCSV(data, strings.EqualFold(path.Ext(page), ".tsv"))
	}
	return parseText(data)
}

// withTimeout runs parse, giving up after timeout. A parser that overruns is left to finish in
// the background (Go cannot stop it) unless it watches its deadline, but the run moves on and
// records the file as failed.
func withTimeout(timeout time.Duration, parse func() (Parsed, error)) (Parsed, error) {
	type result struct {
		doc Parsed
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("parser crashed: %v", r)}
			}
		}()
		doc, err := parse()
		done <- result{doc, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-done:
		if !errors.Is(r.err, errParseDeadline) {
			return r.doc, r.err
		}
		// A parser that stopped at its deadline fails its file as the timer would have.
	case <-t.C:
	}
	return Parsed{}, fmt.Errorf("extraction took longer than %s", timeout)
}

// errParseDeadline is what a parser that watches its deadline (Markdown's, the office
// formats') returns when it stops there.
var errParseDeadline = errors.New("extraction ran past its time limit")

// parseCSV writes each row after the header as "Header: value; …". A file named .tsv is
// separated by tabs, whatever its rows would suggest; another's separator is guessed.
func parseCSV(data []byte, tsv bool) (Parsed, error) {
	comma := csvDelimiter(data)
	if tsv {
		comma = '\t'
	}
	if line := csvTooWide(data, comma, maxCSVColumns); line > 0 {
		return Parsed{}, fmt.Errorf("CSV line %d has more than %d columns", line, maxCSVColumns)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = rune(comma)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Parsed{}, fmt.Errorf("malformed CSV: %w", err)
		}
		rows = append(rows, rec)
	}
	text, err := sheetText(rows)
	if err != nil {
		return Parsed{}, err
	}
	return Parsed{Sections: []Section{{Text: text}}}, nil
}

// maxCSVColumns bounds the fields of one CSV row, four times the 16,384 columns of a
// spreadsheet. encoding/csv holds a whole row before returning it, at some 160 bytes a field:
// 16 MB of commas allocated 2.6 GB.
const maxCSVColumns = 65536

// csvTooWide returns the line on which the first row of data that passes max fields starts, 0
// if none does. It reads rows as encoding/csv does (csvRows), so a stray '"' can neither hide
// separators nor join rows.
func csvTooWide(data []byte, comma byte, max int) int {
	wide := 0
	csvRows(data, comma, func(separators, line int, _ bool) bool {
		if separators >= max {
			wide = line
		}
		return wide == 0
	})
	return wide
}

// csvRows walks data's rows as encoding/csv reads them (LazyQuotes): a quoted field's line
// breaks and separators are within it, a '"' inside an unquoted field (24" for inches) quotes
// nothing, a '"' in a quoted field not before a separator or a row's end is the field's. It
// calls row with each row's count of separators, the line it starts on (from 1), and whether
// it holds any text, until row returns false.
func csvRows(data []byte, comma byte, row func(separators, line int, text bool) bool) {
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted // a '"' within a quoted field: its end, an escaped '"' or (lazily) itself
	)
	state, separators, line, start, text := fieldStart, 0, 1, 1, false
	for i, c := range data {
		text = text || c > ' '
		if c == '\n' {
			line++
		}
		switch state {
		case fieldStart:
			if c == '"' {
				state = quoted
				continue
			}
			state = unquoted
		case quoted:
			if c == '"' {
				state = quoteInQuoted
			}
			continue
		case quoteInQuoted:
			switch {
			case c == '"':
				state = quoted
				continue
			case c == comma, c == '\n', c == '\r' && i+1 < len(data) && data[i+1] == '\n':
				// The field's end, counted below as an unquoted field's (a '\r' leaves the
				// row's end to its '\n').
			default:
				state = quoted
				continue
			}
		}
		switch c {
		case comma:
			separators++
			state = fieldStart
		case '\n':
			if !row(separators, start, text) {
				return
			}
			state, separators, start, text = fieldStart, 0, line, false
		}
	}
	if text || separators > 0 {
		row(separators, start, text)
	}
}

// csvDelimiters are the separators CSV files are written with: a comma; a semicolon where the
// comma is the decimal mark (Excel's "CSV" in German, French, Spanish…); a tab (".tsv", and
// what a spreadsheet's copy gives); a pipe.
var csvDelimiters = []byte{',', ';', '\t', '|'}

// csvDelimiter guesses a CSV file's separator from its first csvSniffLines rows that hold
// text: the one of csvDelimiters that the most of them hold the same number of times, outside
// quotes (a table's every row has as many separators); a comma where none is held or two tie.
// Rows, not lines: read line by line, an address quoted over two lines counted a comma on its
// second, and tied a semicolon file with comma CSV.
func csvDelimiter(data []byte) byte {
	head := data[:min(len(data), 64<<10)]
	best, bestRows := byte(','), 0
	for _, d := range csvDelimiters {
		rows := map[int]int{} // rows by their count of d
		read := 0
		csvRows(head, d, func(n, _ int, text bool) bool {
			if text {
				read++
				if n > 0 {
					rows[n]++
				}
			}
			return read < csvSniffLines
		})
		most := 0
		for _, r := range rows {
			most = max(most, r)
		}
		if most > bestRows {
			best, bestRows = d, most
		}
	}
	return best
}

// csvSniffLines is how many rows holding text csvDelimiter reads.
const csvSniffLines = 20

// looksBinary reports bytes that are no text at all: many NULs or control bytes early on.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if len(head) == 0 {
		return false
	}
	bad := 0
	for _, b := range head {
		if b == 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f') {
			bad++
		}
	}
	return bad*10 > len(head) // over 10 % control bytes
}

// cleanText makes data valid UTF-8 without NULs or a byte-order mark, so PostgreSQL accepts it,
// and drops invisible characters (zero-width and bidirectional controls), which only ever hide
// text from the reader that a model would still read.
func cleanText(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	if bytes.IndexByte(data, 0) >= 0 {
		data = bytes.ReplaceAll(data, []byte{0}, nil)
	}
	if bytes.ContainsFunc(data, textseg.Invisible) {
		data = bytes.Map(func(r rune) rune {
			if textseg.Invisible(r) {
				return -1
			}
			return r
		}, data)
	}
	return data
}

// cleanLabel makes a title, heading or anchor storable and displayable as one line: cleaned
// as text is (cleanText), and without control characters, which parsers pass through from
// character references and escapes (HTML's "&#1;", RTF's \'00) and from bytes of a charset
// they cannot decode (an e-mail's HTML body). A tab or line break becomes a space; the others go.
func cleanLabel(s string) string {
	// Clean labels are the rule, and one heading path is shared by many sections: no copy.
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || textseg.Invisible(r) }) {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case !unicode.IsControl(r):
			return r
		case unicode.IsSpace(r):
			return ' '
		}
		return -1
	}, string(cleanText([]byte(s)))))
}

func parseText(data []byte) (Parsed, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	// A first short line followed by a blank line reads as a title (the eval converter's
	// layout, and many README-style notes).
	title := ""
	if first, rest, ok := strings.Cut(text, "\n"); ok && len(first) < 200 && strings.HasPrefix(rest, "\n") {
		title = strings.TrimSpace(first)
	}
	return Parsed{Title: title, Sections: []Section{{Text: text}}}, nil
}
