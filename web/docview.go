package web

import (
	"context"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The document page shows a document's structure rather than flat text. Extraction stores a
// body in which every section starts with its innermost heading on a line of its own, and
// writes each paragraph or list item on one line ("- item", "1. item", a nested one indented two
// spaces a level) and each table as
// readable rows (a "A | B" header row, then "A: x; B: y" per row): see ingest.Layout and
// parseMarkdown. The chunks keep each section's heading path and offsets, which tell the
// heading lines from the paragraphs that happen to look like them. docBlocks reads that back
// into headings, paragraphs, lists and tables, with the cited passage marked wherever it falls.

// docBlock is one block of a document's body.
type docBlock struct {
	Kind  string     // "h", "p", "ul", "ol" or "table"
	Level int        // h: 2 for a top-level section (the page's title is the h1), at most 6; ul, ol: the lists it is nested in (see nestClass)
	Start int        // ol: its first item's number when not 1 (a list going on after a nested one)
	Items [][]span   // p, h: one; ul, ol: one per item
	Head  []string   // table
	Rows  [][][]span // table: rows of cells
}

// span is a run of a line's text, marked when it is part of the cited passage; First is the
// passage's first run, which the page scrolls to.
type span struct {
	Text        string
	Mark, First bool
}

// headingLines finds the offsets of the body's heading lines, with their depth in the
// document's outline (1: top level), from the chunks' heading paths.
func headingLines(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, doc int64, body string) (map[int]int, error) {
	rows, err := q.Query(ctx, `SELECT heading, min(start_offset) FROM chunks WHERE document_id = $1 AND heading <> '' GROUP BY heading`, doc)
	if err != nil {
		return nil, err
	}
	out := map[int]int{}
	var heading string
	var start int
	_, err = pgx.ForEachRow(rows, []any{&heading, &start}, func() error {
		path := strings.Split(heading, " › ")
		inner := path[len(path)-1] + "\n\n"
		if start < 0 || start > len(body) {
			return nil
		}
		if i := headingLine(body, inner, start); i >= 0 {
			out[i] = len(path)
		}
		return nil
	})
	return out, err
}

// headingLine returns the offset of the line reading inner (a heading and its blank line)
// last before start, or -1. The indexer writes a heading right before its section's text, so
// the search looks no further back than headingReach: a heading that is not there (one
// holding " › " splits wrongly) would otherwise cost a scan of the body, for each of
// thousands of headings, on every view of the document.
func headingLine(body, inner string, start int) int {
	lo := max(start-len(inner)-headingReach, 0)
	for end := start; end > lo; {
		i := strings.LastIndex(body[lo:end], inner)
		if i < 0 {
			return -1
		}
		if i += lo; i == 0 || body[i-1] == '\n' {
			return i
		}
		end = i
	}
	return -1
}

// headingReach bounds how far before its section's first chunk headingLines looks for the
// heading's line.
const headingReach = 4096

// bodyLine is a line of a body and its offset.
type bodyLine struct {
	text string
	off  int
}

var orderedItem = regexp.MustCompile(`^\d{1,4}[.)] `)

// docBlocks lays out body as blocks, marking the passage [start, end) (none when end <= start).
func docBlocks(body string, headings map[int]int, start, end int) []docBlock {
	var lines []bodyLine
	for off := 0; off <= len(body); {
		n := strings.IndexByte(body[off:], '\n')
		if n < 0 {
			n = len(body) - off
		}
		lines = append(lines, bodyLine{body[off : off+n], off})
		off += n + 1
	}
	first := true
	spans := func(text string, off int) []span {
		var out []span
		cut := func(a, b int, mark bool) {
			if a < b {
				s := span{Text: text[a:b], Mark: mark}
				if mark && first {
					s.First, first = true, false
				}
				out = append(out, s)
			}
		}
		a, b := min(max(start-off, 0), len(text)), min(max(end-off, 0), len(text))
		if end <= start {
			a, b = len(text), len(text)
		}
		cut(0, a, false)
		cut(a, b, true)
		cut(b, len(text), false)
		return out
	}
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l.text) == "" {
			continue
		}
		if depth, ok := headings[l.off]; ok {
			out = append(out, docBlock{Kind: "h", Level: min(depth+1, 6), Items: [][]span{spans(l.text, l.off)}})
			continue
		}
		if head, rows, n := tableAt(lines[i:], spans); n > 0 {
			out = append(out, docBlock{Kind: "table", Head: head, Rows: rows})
			i += n - 1
			continue
		}
		// A nested list's items are indented two spaces a level, and follow an item of the list
		// they are nested in (indented lines after a paragraph are a code block's).
		indent := len(l.text) - len(strings.TrimLeft(l.text, " "))
		if indent > 0 && (len(out) == 0 || out[len(out)-1].Kind != "ul" && out[len(out)-1].Kind != "ol") {
			indent = -1
		}
		kind, prefix, level, num := "p", 0, 0, 0
		switch t := l.text[max(indent, 0):]; {
		case indent < 0:
		case strings.HasPrefix(t, "- "):
			kind, prefix = "ul", indent+2
		case orderedItem.MatchString(t):
			kind, prefix = "ol", indent+strings.IndexByte(t, ' ')+1
			num = markerStart(t[:prefix-indent-1])
		}
		if kind != "p" {
			level = min(indent/2, maxListLevel)
		}
		item := spans(l.text[prefix:], l.off+prefix)
		if last := len(out) - 1; kind != "p" && last >= 0 && out[last].Kind == kind && out[last].Level == level && i > 0 && strings.TrimSpace(lines[i-1].text) != "" {
			out[last].Items = append(out[last].Items, item)
			continue
		}
		out = append(out, docBlock{Kind: kind, Level: level, Start: num, Items: [][]span{item}})
	}
	return out
}

// maxViewColumns bounds the columns of a table laid out as one: matching each part of a row
// to its header is linear in the columns, and a 5,000-column table of 1 MB took 4 s to lay out
// before headers were looked up in a map. Wider tables show as lines.
const maxViewColumns = 256

// tableAt reads a table starting at the first of lines: a header row "A | B" followed by rows
// "A: x; B: y" whose every part names a header. It returns the header, the rows and how many
// lines they take (0: no table here).
func tableAt(lines []bodyLine, spans func(string, int) []span) ([]string, [][][]span, int) {
	if len(lines) < 2 || !strings.Contains(lines[0].text, " | ") {
		return nil, nil, 0
	}
	head := strings.Split(lines[0].text, " | ")
	if len(head) > maxViewColumns {
		return nil, nil, 0 // shown as lines
	}
	// A part "Header: value" names its column by the text before its first ": ", unless a
	// header itself holds ": ": those few are tried in turn, the first match winning as before.
	column := make(map[string]int, len(head))
	var colonHeads []int
	for c, h := range head {
		if _, seen := column[h]; !seen && h != "" {
			column[h] = c
		}
		if strings.Contains(h, ": ") {
			colonHeads = append(colonHeads, c)
		}
	}
	var rows [][][]span
	n := 1
	for ; n < len(lines); n++ {
		row, off := lines[n].text, lines[n].off
		cells := make([]bodyLine, len(head))
		pos := 0
		ok := row != ""
		for _, part := range strings.Split(row, "; ") {
			col := -1
			if name, _, ok := strings.Cut(part, ": "); ok {
				if c, ok := column[name]; ok {
					col = c
				}
			}
			for _, c := range colonHeads {
				if c < col || col < 0 {
					if h := head[c]; strings.HasPrefix(part, h+": ") {
						col = c
						break
					}
				} else {
					break
				}
			}
			if col < 0 || cells[col].text != "" {
				ok = false
				break
			}
			value := len(head[col]) + 2
			cells[col] = bodyLine{part[value:], off + pos + value}
			pos += len(part) + 2
		}
		if !ok {
			break
		}
		marked := make([][]span, len(cells))
		for c, cell := range cells {
			marked[c] = spans(cell.text, cell.off)
		}
		rows = append(rows, marked)
	}
	if len(rows) == 0 {
		return nil, nil, 0
	}
	return head, rows, n
}
