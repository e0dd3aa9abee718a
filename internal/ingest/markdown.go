package ingest

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown parses CommonMark with GitHub's extensions (tables, task lists, strikethrough,
// autolinks), the dialect intranet Markdown is written in.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// mdFront matches YAML front matter, which is metadata, not text (goldmark would read it as
// a thematic break and a setext heading).
var mdFront = regexp.MustCompile(`(?s)\A---\r?\n.*?\r?\n---\r?\n`)

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
func parseMarkdown(data []byte) (Parsed, error) {
	src := mdFront.ReplaceAll(data, nil)
	root := markdown.Parser().Parse(text.NewReader(src))
	var doc Parsed
	w := &mdWriter{src: src}
	outline := newOutline(&doc)
	var cur Section
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			cur.Text = w.body.String()
			doc.Sections = append(doc.Sections, cur)
			w.body.Reset()
			cur = outline.enter(h.Level, w.inline(h), "")
			continue
		}
		w.block(n, "")
	}
	cur.Text = w.body.String()
	doc.Sections = append(doc.Sections, cur)
	return doc, nil
}

// mdWriter writes the blocks of one section as text.
type mdWriter struct {
	src  []byte
	body strings.Builder
}

// lines writes the lines of block n.
func (w *mdWriter) lines(n ast.Node, lines []string) {
	blank := n.HasBlankPreviousLines()
	for _, l := range lines {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if blank && w.body.Len() > 0 {
			w.body.WriteByte('\n')
		}
		blank = false
		w.body.WriteString(l)
		w.body.WriteByte('\n')
	}
}

// block writes the block n; prefix is a list item's marker, written before its first line.
func (w *mdWriter) block(n ast.Node, prefix string) {
	switch n := n.(type) {
	case *ast.Heading: // inside a list or quote: a line, not structure
		w.lines(n, strings.Split(prefix+w.inline(n), "\n"))
	case *ast.Paragraph, *ast.TextBlock:
		w.lines(n, strings.Split(prefix+w.inline(n), "\n"))
	case *ast.List:
		num := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			if (item == n.FirstChild() && n.HasBlankPreviousLines() || item.HasBlankPreviousLines()) && w.body.Len() > 0 {
				w.body.WriteByte('\n')
			}
			marker := string(n.Marker) + " "
			if n.IsOrdered() {
				marker = strconv.Itoa(num) + string(n.Marker) + " "
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
		html, _ := parseHTML(raw.Bytes(), nil)
		var lines []string
		for _, s := range html.Sections {
			if len(s.Headings) > 0 {
				lines = append(lines, s.Headings[len(s.Headings)-1])
			}
			lines = append(lines, strings.Split(s.Text, "\n")...)
		}
		w.lines(n, lines)
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
		w.lines(n, strings.Split(tableText(rows), "\n"))
	case *ast.ThematicBreak:
	default: // a block kind not listed: its text, if any
		if n.Type() == ast.TypeBlock && n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeBlock {
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				w.block(c, prefix)
				prefix = ""
			}
			return
		}
		w.lines(n, strings.Split(prefix+w.inline(n), "\n"))
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
