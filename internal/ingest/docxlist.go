package ingest

import (
	"encoding/xml"
	"slices"
	"strconv"
	"strings"
	"time"
)

// docxLists numbers a Word document's list paragraphs as Word shows them. A list item is a
// paragraph with numbering properties (w:numPr), its own or its style's ("List Bullet"); its
// bullet or number is not in the text but drawn from word/numbering.xml. Without it, steps
// and bullets read as loose sentences: "3. Submit the form" lost its number, and the answerer,
// which quotes lists as lists, saw none.
type docxLists struct {
	formats map[string][]string // numId → its levels' formats ("decimal", "bullet", "lowerLetter", …)
	starts  map[string][]int    // numId → its levels' first numbers
	styles  map[string]docxNum  // paragraph style id → the list its paragraphs belong to
	counts  map[string][]int    // numId → the last number given at each level
}

// docxNum is a paragraph's place in a list: the list (numId; "0" for none) and its level.
type docxNum struct {
	id    string
	level int
}

// maxListLevels is Word's number of list levels (w:ilvl 0-8).
const maxListLevels = 9

// readDocxLists reads the numbering definitions and the styles' lists. Either part may be
// missing or unreadable: the document's text is read all the same, its lists unnumbered.
func readDocxLists(numbering, styles []byte, deadline time.Time) *docxLists {
	l := &docxLists{formats: map[string][]string{}, starts: map[string][]int{}, styles: map[string]docxNum{}, counts: map[string][]int{}}
	abstractFmt, abstractStart := map[string][]string{}, map[string][]int{}
	var abstract, num string
	level := -1
	_ = walkXML(numbering, deadline, func(t xml.Token, tags []string) error {
		e, ok := t.(xml.StartElement)
		if !ok {
			return nil
		}
		switch e.Name.Local {
		case "abstractNum":
			abstract = attrOf(e, "abstractNumId")
			abstractFmt[abstract] = make([]string, maxListLevels)
			abstractStart[abstract] = make([]int, maxListLevels)
		case "lvl":
			level = -1
			if n, err := strconv.Atoi(attrOf(e, "ilvl")); err == nil && n >= 0 && n < maxListLevels && abstractFmt[abstract] != nil {
				level = n
			}
		case "numFmt":
			if level >= 0 && slices.Contains(tags, "abstractNum") {
				abstractFmt[abstract][level] = attrOf(e, "val")
			}
		case "start":
			if n, err := strconv.Atoi(attrOf(e, "val")); err == nil && level >= 0 && slices.Contains(tags, "abstractNum") {
				abstractStart[abstract][level] = n
			}
		case "num":
			num = attrOf(e, "numId")
		case "abstractNumId":
			if slices.Contains(tags, "num") {
				id := attrOf(e, "val")
				l.formats[num], l.starts[num] = abstractFmt[id], abstractStart[id]
			}
		}
		return nil
	})
	var style string
	var n docxNum
	_ = walkXML(styles, deadline, func(t xml.Token, tags []string) error {
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "style":
				style, n = attrOf(e, "styleId"), docxNum{}
			case "numId", "ilvl":
				if slices.Contains(tags, "numPr") {
					n.set(e)
				}
			}
		case xml.EndElement:
			if e.Name.Local == "style" && n.id != "" {
				l.styles[style] = n
			}
		}
		return nil
	})
	return l
}

// set takes a w:numId or w:ilvl element's value.
func (n *docxNum) set(e xml.StartElement) {
	v := attrOf(e, "val")
	if e.Name.Local == "numId" {
		n.id = v
	} else if lvl, err := strconv.Atoi(v); err == nil && lvl >= 0 && lvl < maxListLevels {
		n.level = lvl
	}
}

// marker returns the bullet or number, indented by its level, that opens the next item at
// n, and counts it: the deeper levels start again. A paragraph in no list has none.
func (l *docxLists) marker(n docxNum) string {
	formats := l.formats[n.id]
	if n.id == "" || n.id == "0" || formats == nil {
		return ""
	}
	counts := l.counts[n.id]
	if counts == nil {
		counts = make([]int, maxListLevels)
		l.counts[n.id] = counts
	}
	if counts[n.level] == 0 {
		counts[n.level] = max(l.starts[n.id][n.level], 1) - 1
	}
	counts[n.level]++
	clear(counts[n.level+1:])
	indent := strings.Repeat("  ", n.level)
	c := counts[n.level]
	switch formats[n.level] {
	case "bullet":
		return indent + "- "
	case "none":
		return ""
	case "lowerLetter":
		return indent + letters(c) + ". "
	case "upperLetter":
		return indent + strings.ToUpper(letters(c)) + ". "
	case "lowerRoman":
		return indent + strings.ToLower(roman(c)) + ". "
	case "upperRoman":
		return indent + roman(c) + ". "
	}
	return indent + strconv.Itoa(c) + ". "
}

// letters numbers as Word's letter lists do: a-z, then aa-zz, aaa-zzz.
func letters(n int) string {
	n = max(n, 1) - 1
	return strings.Repeat(string(rune('a'+n%26)), n/26+1)
}

// roman writes n (1-3999) in Roman numerals, and larger or smaller numbers in digits.
func roman(n int) string {
	if n < 1 || n > 3999 {
		return strconv.Itoa(n)
	}
	var b strings.Builder
	for _, d := range []struct {
		v int
		s string
	}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}} {
		for ; n >= d.v; n -= d.v {
			b.WriteString(d.s)
		}
	}
	return b.String()
}
