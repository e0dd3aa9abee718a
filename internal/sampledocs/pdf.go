// Package sampledocs writes small, valid PDF and Office (DOCX, PPTX, XLSX) files, so tests and
// the sample corpus need no opaque binary committed: each file is built from text in code.
package sampledocs

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// PDF returns a PDF whose pages hold the given lines (set in Helvetica; see pageContent for
// headings), with title in its metadata.
func PDF(title string, pages ...[]string) []byte { return OutlinedPDF(title, nil, pages...) }

// Mark is an entry of a PDF's outline (a bookmark): a heading at Level (0 the top) that opens
// Page (from 0). With Action set, it points at its page through a go-to action, as some
// writers do, rather than a destination.
type Mark struct {
	Level  int
	Title  string
	Page   int
	Action bool
}

// OutlinedPDF is PDF with an outline of marks, in order.
func OutlinedPDF(title string, marks []Mark, pages ...[]string) []byte {
	var objs []string
	// 1: catalog, 2: pages, 3: font, 4: info; then a page and a content stream per page, then
	// the outline's root and its entries.
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 5+2*i)
	}
	root := 5 + 2*len(pages)
	catalog := "<< /Type /Catalog /Pages 2 0 R >>"
	if len(marks) > 0 {
		catalog = fmt.Sprintf("<< /Type /Catalog /Pages 2 0 R /Outlines %d 0 R >>", root)
	}
	objs = append(objs,
		catalog,
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Title (%s) /Producer (docent testpdf) >>", escape(title)),
	)
	for i, lines := range pages {
		content := pageContent(lines)
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 6+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		)
	}
	if len(marks) > 0 {
		objs = append(objs, outline(marks, root)...)
	}
	return Objects(objs, "/Info 4 0 R")
}

// pageContent is a page's content stream: its lines in 12 pt Helvetica, 16 pt apart. A line
// starting "# " is a heading set at 18 pt, "## " at 14 pt, as "1 Tf" in a text matrix scaled to
// the size (as Chrome and Skia write type; Word and LibreOffice write "18 Tf"): a PDF's headings
// are only told by their size.
func pageContent(lines []string) string {
	var b strings.Builder
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "# ") || strings.HasPrefix(l, "## ") }) {
		b.WriteString("BT /F1 12 Tf 72 720 Td 16 TL\n")
		for _, l := range lines {
			fmt.Fprintf(&b, "(%s) Tj T*\n", escape(l))
		}
		b.WriteString("ET")
		return b.String()
	}
	b.WriteString("BT\n")
	y := 720
	for _, l := range lines {
		size := 12
		if h, ok := strings.CutPrefix(l, "# "); ok {
			l, size = h, 18
		} else if h, ok := strings.CutPrefix(l, "## "); ok {
			l, size = h, 14
		}
		if size > 12 {
			y -= size - 12
			fmt.Fprintf(&b, "/F1 1 Tf %d 0 0 %d 72 %d Tm (%s) Tj\n", size, size, y, escape(l))
			y -= 8
		} else {
			fmt.Fprintf(&b, "/F1 12 Tf 1 0 0 1 72 %d Tm (%s) Tj\n", y, escape(l))
		}
		y -= 16
	}
	b.WriteString("ET")
	return b.String()
}

// outline writes the outline's root (object root) and an entry object per mark after it,
// linked as the format wants: each to its parent, its first and last children, its siblings.
func outline(marks []Mark, root int) []string {
	n := len(marks)
	parent, first, last, prev, next := make([]int, n), make([]int, n), make([]int, n), make([]int, n), make([]int, n)
	rootFirst, rootLast := 0, 0
	var open []int // the entries whose children may follow, by level
	for i, m := range marks {
		obj := root + 1 + i
		open = open[:min(m.Level, len(open))]
		p := root
		if len(open) > 0 {
			p = open[len(open)-1]
		}
		parent[i] = p
		sibling := 0
		if p == root {
			sibling, rootLast = rootLast, obj
			if rootFirst == 0 {
				rootFirst = obj
			}
		} else {
			k := p - root - 1
			sibling, last[k] = last[k], obj
			if first[k] == 0 {
				first[k] = obj
			}
		}
		if sibling != 0 {
			prev[i], next[sibling-root-1] = sibling, obj
		}
		open = append(open, obj)
	}
	ref := func(key string, obj int) string {
		if obj == 0 {
			return ""
		}
		return fmt.Sprintf(" /%s %d 0 R", key, obj)
	}
	objs := []string{fmt.Sprintf("<< /Type /Outlines%s%s /Count %d >>", ref("First", rootFirst), ref("Last", rootLast), n)}
	for i, m := range marks {
		target := fmt.Sprintf("/Dest [%d 0 R /XYZ 0 792 0]", 5+2*m.Page)
		if m.Action {
			target = fmt.Sprintf("/A << /S /GoTo /D [%d 0 R /Fit] >>", 5+2*m.Page)
		}
		objs = append(objs, fmt.Sprintf("<< /Title (%s) %s%s%s%s%s%s >>", escape(m.Title), target,
			ref("Parent", parent[i]), ref("Prev", prev[i]), ref("Next", next[i]), ref("First", first[i]), ref("Last", last[i])))
	}
	return objs
}

// Objects writes a PDF of the given objects (numbered from 1; object 1 is the catalog) with a
// correct cross-reference table; extra goes into the trailer. Tests use it for malformed or
// hostile PDFs.
func Objects(objs []string, extra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, extra, xref)
	return b.Bytes()
}

func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}
