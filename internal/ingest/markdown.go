package ingest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown parses CommonMark with GitHub's extensions (tables, task lists, strikethrough,
// autolinks), the dialect intranet Markdown is written in.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// markdownNoTables is GFM without tables, for pieces whose tables would lay out far more
// cells than they hold (see markdownTableCells): their rows are read as lines of text.
var markdownNoTables = goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.TaskList))

// mdFront matches front matter, which is metadata, not text: YAML between "---" lines (which
// goldmark would read as a thematic break and a setext heading), or TOML between "+++" lines
// (Hugo's).
var mdFront = regexp.MustCompile(`(?s)\A(---|\+\+\+)\r?\n.*?\r?\n(---|\+\+\+)\r?\n`)

// mdFrontTitle matches the title in front matter: `title: Travel policy` (YAML, quoted or not)
// or `title = "Travel policy"` (TOML). Static-site generators (Jekyll, Hugo, Docusaurus,
// MkDocs) show it as the page's title, and the page's text then often starts below it, at a
// second-level heading, with no "# Title" of its own.
var mdFrontTitle = regexp.MustCompile(`(?m)^title\s*[:=][ \t]*(.*?)[ \t]*\r?$`)

// mdFrontTable matches a TOML table's header ("[params]", "[menu.main]", "[[cascade]]"): the
// keys below it are the table's, not the page's, whether indented or not (Hugo's menu entries
// have a title of their own, the link's tooltip).
var mdFrontTable = regexp.MustCompile(`(?m)^[ \t]*\[`)

// mdFrontQuoted matches a quoted value at its start: "…" with its backslash escapes, '…' with
// its doubled quotes.
var mdFrontQuoted = regexp.MustCompile(`^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')`)

// mdFrontComment matches the comment after an unquoted value.
var mdFrontComment = regexp.MustCompile(`[ \t]#`)

// frontTitle returns the title front matter gives, without its quotes, or "". A YAML block
// scalar (`title: >`) is no title on that line, and is not read; nor is a title nested in a
// YAML mapping (indented) or a TOML table (after its header).
func frontTitle(front []byte) string {
	if bytes.HasPrefix(front, []byte("+++")) {
		if i := mdFrontTable.FindIndex(front); i != nil {
			front = front[:i[0]]
		}
	}
	m := mdFrontTitle.FindSubmatch(front)
	if m == nil {
		return ""
	}
	t := string(m[1])
	// A comment may follow the value (YAML's and TOML's "# …"): a quoted value ends at its
	// closing quote, an unquoted one before " #" ("C#" is no comment).
	if q := mdFrontQuoted.FindString(t); q != "" {
		t = q
	} else if i := mdFrontComment.FindStringIndex(t); i != nil {
		t = t[:i[0]]
	}
	switch {
	case len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"':
		t = strings.ReplaceAll(t[1:len(t)-1], `\"`, `"`)
	case len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'':
		t = strings.ReplaceAll(t[1:len(t)-1], "''", "'")
	}
	if strings.HasPrefix(t, "|") || strings.HasPrefix(t, ">") {
		return ""
	}
	return strings.TrimSpace(t)
}

// parseMarkdown splits a Markdown file into sections at its headings (ATX and setext) and
// writes each block as text. goldmark does the reading, so what CommonMark says is structure
// is structure: headings inside fenced code are code, "[text][ref]" links keep their text and
// their definitions go, HTML blocks give their text (as HTML files do), and a table is a
// table with or without outer pipes.
//
// Like every extractor it writes a paragraph or list item ("- item", "1. item") on one line,
// whatever its source line breaks (hard-wrapped Markdown is the rule), a hard line break as a
// line break, code with its lines, and a table as readable rows (tableText: the header row,
// then "Header: value; …" per row, as for spreadsheets). A blank line separates blocks where
// the source has one.
//
// Parsing stops with errParseDeadline at the deadline, between pieces (see maxMarkdownPiece)
// or within one (see deadlineContext); the zero time means none.
func parseMarkdown(data []byte, deadline time.Time) (Parsed, error) {
	return parseMarkdownPieces(data, deadline, maxMarkdownPiece, maxMarkdownPieceLines)
}

// parseMarkdownPieces is parseMarkdown with pieces of at most size bytes or lines lines.
func parseMarkdownPieces(data []byte, deadline time.Time, size, lines int) (_ Parsed, err error) {
	defer func() {
		if r := recover(); r == errParseDeadline {
			err = errParseDeadline
		} else if r != nil {
			panic(r)
		}
	}()
	src := data
	var doc Parsed
	if front := mdFront.Find(data); front != nil {
		doc.Title, src = frontTitle(front), data[len(front):]
	}
	if line := markdownTooDeep(src, maxMarkdownDepth); line > 0 {
		return Parsed{}, fmt.Errorf("markdown nested deeper than %d levels of lists and block quotes (line %d)", maxMarkdownDepth, line)
	}
	w := &mdWriter{}
	outline := newOutline(&doc)
	var cur Section
	pieces := markdownPieces(src, size, lines)
	var labels map[string]bool
	if len(pieces) > 1 {
		labels = referenceLabels(src)
	}
	for _, piece := range pieces {
		if !deadline.IsZero() && time.Now().After(deadline) {
			return Parsed{}, errParseDeadline
		}
		md := markdown
		if markdownTableCells(piece) > len(piece)+4096 {
			md = markdownNoTables
		}
		var pc parser.Context = sharedReferences{parser.NewContext(), labels}
		if !deadline.IsZero() {
			pc = deadlineContext{pc, deadline}
		}
		root := md.Parser().Parse(text.NewReader(piece), parser.WithContext(pc))
		w.src = piece
		for n := root.FirstChild(); n != nil; n = n.NextSibling() {
			if h, ok := n.(*ast.Heading); ok {
				cur.Text = w.body.String()
				doc.Sections = append(doc.Sections, cur)
				w.body.Reset()
				if cur = outline.enter(h.Level, w.inline(h), ""); outline.err != nil {
					return Parsed{}, outline.err
				}
				continue
			}
			w.block(n, "")
		}
		if w.err != nil {
			return Parsed{}, w.err
		}
	}
	cur.Text = w.body.String()
	doc.Sections = append(doc.Sections, cur)
	return doc, nil
}

// maxMarkdownDepth bounds the nesting of list items and block quotes. goldmark takes time
// quadratic in it (each line walks the open blocks, each open block its own prefix), and
// walks its tree recursively: a 300 KB line of "- - - …" took 100 s and a 9 MB staircase of
// indented items 45 s and 1.2 GB before this bound, and a deeper one would end in a stack
// overflow, which no recover catches. No document written by a person nests a hundred deep.
const maxMarkdownDepth = 32

// maxMarkdownPiece bounds the Markdown goldmark reads at once. Its tree costs up to some 190
// times the source (a list item of "- x" is a few nodes of a few hundred bytes each: a 5 MB
// list peaked at 950 MB), so a large file is read in pieces, each cut at a blank line (else a
// line break) outside fenced code; a piece's text continues the section the previous one
// ended in, and link reference definitions anywhere in the file resolve in every piece (see
// sharedReferences). Four large real files (Node.js's fs.md and n-api.md, Rust's release
// notes, OpenTelemetry's changelog: 229–873 KB) read exactly as they do whole.
const maxMarkdownPiece = 512 << 10

// maxMarkdownPieceLines bounds the lines of a piece too: goldmark reads a paragraph of link
// reference definitions ("[a]: b" lines) in time quadratic in its lines (40,000 took 2 s; the
// 87,000 of a 512 KB piece would take some 10 s).
const maxMarkdownPieceLines = 8192

// markdownPieces cuts src into pieces of about size bytes or lines lines, whichever comes
// first, at line boundaries, preferring a blank line within the next eighth, and never inside
// a fenced code block unless the fence runs on past twice the bounds.
func markdownPieces(src []byte, size, lines int) [][]byte {
	var pieces [][]byte
	for {
		cut, over, fence, n := -1, 0, byte(0), 0
		for i := 0; i < len(src); {
			end := bytes.IndexByte(src[i:], '\n')
			if end < 0 {
				break
			}
			line := src[i : i+end]
			i += end + 1
			n++
			if t := bytes.TrimLeft(line, " "); len(line)-len(t) <= 3 && (bytes.HasPrefix(t, []byte("```")) || bytes.HasPrefix(t, []byte("~~~"))) {
				switch {
				case fence == 0:
					fence = t[0]
				case fence == t[0]:
					fence = 0
				}
			}
			if i < size && n < lines || fence != 0 && i < 2*size && n < 2*lines {
				continue
			}
			if cut < 0 {
				cut, over = i, n // the first line break past the bounds
			}
			blank := len(bytes.TrimSpace(line)) == 0
			if blank || i > cut+size/8 || n > over+lines/8 || i >= 2*size || n >= 2*lines {
				if blank {
					cut = i
				}
				break
			}
		}
		if cut < 0 || cut == len(src) {
			break // the rest is within bounds, or one line: goldmark reads a paragraph in linear time
		}
		pieces = append(pieces, src[:cut])
		src = src[cut:]
	}
	return append(pieces, src)
}

// sharedReferences resolves, besides a piece's own link reference definitions, the labels
// defined anywhere in the file: "[text][label]" stays a link (written as its text) when its
// definition is in another piece, as reference lists at the end of a file are. Only the text
// is written, so the destination is not needed.
type sharedReferences struct {
	parser.Context
	labels map[string]bool
}

func (c sharedReferences) Reference(label string) (parser.Reference, bool) {
	if r, ok := c.Context.Reference(label); ok {
		return r, true
	}
	if c.labels[label] {
		return parser.NewReference([]byte(label), nil, nil), true
	}
	return nil, false
}

// deadlineContext stops goldmark at the file's deadline within a piece: some inputs take it
// time quadratic in a line's length, which no cut into pieces shortens ("[a](" repeated, each
// "]" scanning the rest of the line for its destination's end: 30,000 on one line took 5 s, a
// 16 MB line would take days). Its link parser asks the context for its state at every bracket,
// so Get checks the clock and, past the deadline, panics with errParseDeadline, which
// parseMarkdownPieces recovers: goldmark offers no way to stop, and a parse left running after
// its file failed (see withTimeout) would hold a core for as long.
type deadlineContext struct {
	parser.Context
	deadline time.Time
}

func (c deadlineContext) Get(key parser.ContextKey) any {
	if time.Now().After(c.deadline) {
		panic(errParseDeadline)
	}
	return c.Context.Get(key)
}

// referenceLabels returns the labels of the lines of src that read as link reference
// definitions ("[label]: destination" after a blank line or another definition), normalised as
// goldmark looks them up. A line of code that reads as one only makes "[text][label]" read as
// a link's text.
func referenceLabels(src []byte) map[string]bool {
	labels := map[string]bool{}
	open := true // a definition cannot interrupt a paragraph: it follows a blank line or another
	for line := range bytes.Lines(src) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		t := bytes.TrimLeft(line, " ")
		after := open
		open = len(bytes.TrimSpace(t)) == 0
		if !after || len(line)-len(t) > 3 || len(t) < 4 || t[0] != '[' {
			continue
		}
		if end := bytes.Index(t, []byte("]:")); end > 1 && end <= 1000 {
			labels[util.ToLinkReference(t[1:end])] = true
			open = true
		}
	}
	return labels
}

// markdownTableCells estimates the cells goldmark's table extension lays out in src: for each
// delimiter row ("|---|:-:|"), its columns times the lines that follow it up to a blank line.
// Rows shorter than the header are padded with empty cells, each a few hundred bytes of tree:
// a 1,000-column header over 10,000 lines of "|b" took 2.3 GB from a 33 KB file. A real table
// holds at most about one cell per byte.
func markdownTableCells(src []byte) int {
	cells, cols := 0, 0
	for line := range bytes.Lines(src) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		t := bytes.TrimSpace(line)
		switch {
		case len(t) == 0:
			cols = 0
		case cols > 0:
			cells += cols
		case bytes.IndexByte(t, '|') >= 0 && bytes.IndexByte(t, '-') >= 0 && len(bytes.Trim(t, "|-: \t")) == 0:
			cols = bytes.Count(t, []byte("|")) + 1
			cells += 2 * cols // the header and the delimiter row
		}
	}
	return cells
}

// markdownTooDeep returns the first line (1-based) whose container nesting exceeds limit, or
// 0. A line's nesting is estimated from the list markers and quote marks that open it and the
// white space before its last marker (each nested list level indents its items by at least
// two columns), whichever says deeper. Lines without a marker, code among them, count
// nothing, however indented.
func markdownTooDeep(src []byte, limit int) int {
	n := 0
	for line := range bytes.Lines(src) {
		n++
		line = bytes.TrimSuffix(line, []byte("\n"))
		if thematicBreak(line) {
			continue // "- - - - …" is a rule, not lists
		}
		markers, space, indent := 0, 0, 0
	scan:
		for i := 0; i < len(line); {
			switch c := line[i]; {
			case c == ' ':
				space++
				i++
			case c == '\t':
				space += 4
				i++
			case c == '>':
				markers, indent = markers+1, space
				i++
			case (c == '-' || c == '*' || c == '+') && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
				markers, indent = markers+1, space
				i++
			case c >= '0' && c <= '9':
				j := i
				for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
					j++
				}
				if j < len(line) && (line[j] == '.' || line[j] == ')') && (j+1 == len(line) || line[j+1] == ' ' || line[j+1] == '\t') {
					markers, indent = markers+1, space
					i = j + 1
					continue
				}
				break scan
			default:
				break scan
			}
		}
		if markers > 0 && max(markers, indent/2+1) > limit {
			return n
		}
	}
	return 0
}

// thematicBreak reports a CommonMark thematic break: three or more of one of '-', '*', '_',
// with spaces or tabs between them and nothing else.
func thematicBreak(line []byte) bool {
	t := bytes.TrimSpace(line)
	if len(t) < 3 || t[0] != '-' && t[0] != '*' && t[0] != '_' {
		return false
	}
	n := 0
	for _, c := range t {
		switch c {
		case t[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// mdWriter writes the blocks of one section as text.
type mdWriter struct {
	src   []byte
	body  strings.Builder
	err   error // a table too large to write out (see tableText)
	lists int   // the lists open around the block being written
}

// lines writes the lines of block n, the first after prefix (a list item's marker).
func (w *mdWriter) lines(n ast.Node, lines []string, prefix string) {
	blank := n.HasBlankPreviousLines()
	for _, l := range lines {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if blank && w.body.Len() > 0 {
			w.body.WriteByte('\n')
		}
		blank = false
		w.body.WriteString(prefix)
		prefix = ""
		w.body.WriteString(l)
		w.body.WriteByte('\n')
	}
}

// block writes the block n; prefix is a list item's marker, written before its first line.
func (w *mdWriter) block(n ast.Node, prefix string) {
	switch n := n.(type) {
	case *ast.Heading: // inside a list or quote: a line, not structure
		w.lines(n, strings.Split(w.inline(n), "\n"), prefix)
	case *ast.Paragraph, *ast.TextBlock:
		w.lines(n, strings.Split(w.inline(n), "\n"), prefix)
	case *ast.List:
		// A nested list's items are indented two spaces a level, as the HTML reader writes
		// them (listIndent).
		indent := strings.Repeat("  ", min(w.lists, maxListLevels-1))
		w.lists++
		defer func() { w.lists-- }()
		num := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			if (item == n.FirstChild() && n.HasBlankPreviousLines() || item.HasBlankPreviousLines()) && w.body.Len() > 0 {
				w.body.WriteByte('\n')
			}
			marker := indent + "- " // whichever bullet the source used ("*", "+"), as the other readers write one
			if n.IsOrdered() {
				marker = indent + strconv.Itoa(num) + string(n.Marker) + " "
				num++
			}
			first := true
			for c := item.FirstChild(); c != nil; c = c.NextSibling() {
				if first {
					w.block(c, marker)
					first = false
				} else {
					w.block(c, "")
				}
			}
		}
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			w.block(c, prefix)
			prefix = ""
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		if n.HasBlankPreviousLines() && w.body.Len() > 0 {
			w.body.WriteByte('\n')
		}
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			w.body.WriteString(strings.TrimRight(string(seg.Value(w.src)), " \t\r\n"))
			w.body.WriteByte('\n')
		}
	case *ast.HTMLBlock:
		var raw bytes.Buffer
		segs := n.Lines()
		for i := range segs.Len() {
			seg := segs.At(i)
			raw.Write(seg.Value(w.src))
		}
		if n.HasClosure() {
			raw.Write(n.ClosureLine.Value(w.src))
		}
		html, _ := parseHTML(raw.Bytes(), nil, "")
		var lines []string
		for _, s := range html.Sections {
			if len(s.Headings) > 0 {
				lines = append(lines, s.Headings[len(s.Headings)-1])
			}
			lines = append(lines, strings.Split(s.Text, "\n")...)
		}
		w.lines(n, lines, "")
	case *east.Table:
		var rows [][]string
		for r := n.FirstChild(); r != nil; r = r.NextSibling() {
			var cells []string
			for c := r.FirstChild(); c != nil; c = c.NextSibling() {
				cells = append(cells, collapse(w.inline(c)))
			}
			rows = append(rows, cells)
		}
		// GFM makes a table out of a paragraph, and goldmark does not carry the paragraph's
		// blank line over: a table is set apart whatever the source does.
		if w.body.Len() > 0 {
			w.body.WriteByte('\n')
		}
		text, err := tableText(rows)
		if err != nil {
			w.err = err
			return
		}
		w.lines(n, strings.Split(text, "\n"), "")
	case *ast.ThematicBreak:
	default: // a block kind not listed: its text, if any
		if n.Type() == ast.TypeBlock && n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeBlock {
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				w.block(c, prefix)
				prefix = ""
			}
			return
		}
		w.lines(n, strings.Split(w.inline(n), "\n"), prefix)
	}
}

// inline returns the text of n's inlines: markup goes, link and image text stays, a hard
// line break is "\n" and white space otherwise collapses to single spaces.
func (w *mdWriter) inline(n ast.Node) string {
	var b strings.Builder
	w.inlines(&b, n)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = collapse(l)
	}
	return strings.Join(nonEmpty(lines), "\n")
}

func (w *mdWriter) inlines(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(unescape(c.Segment.Value(w.src)))
			switch {
			case c.HardLineBreak():
				b.WriteByte('\n')
			case c.SoftLineBreak():
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan: // code is verbatim: no escapes to undo
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					b.Write(t.Segment.Value(w.src))
				}
			}
		case *ast.AutoLink:
			b.Write(c.Label(w.src))
		case *ast.RawHTML: // inline tags go; a <br> breaks the line
			for i := range c.Segments.Len() {
				seg := c.Segments.At(i)
				if tag := bytes.ToLower(seg.Value(w.src)); bytes.HasPrefix(tag, []byte("<br")) {
					b.WriteByte('\n')
				}
			}
		case *east.TaskCheckBox:
			if c.IsChecked {
				b.WriteString("[x] ")
			} else {
				b.WriteString("[ ] ")
			}
		default: // emphasis, links, images (their alt text), strikethrough: their text
			w.inlines(b, c)
		}
	}
}

// unescape resolves backslash escapes and character references, as a renderer would.
func unescape(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

func nonEmpty(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// slug makes a GitHub-style heading anchor: lower case, spaces to hyphens, punctuation
// dropped, and -1, -2… on repeats within a document.
func slug(title string, seen map[string]int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	s := b.String()
	if n := seen[s]; n > 0 {
		seen[s] = n + 1
		return s + "-" + itoa(n)
	}
	seen[s] = 1
	return s
}
