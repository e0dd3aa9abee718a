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
//
// Word counts a list by its definition (w:abstractNum), not by the list (w:num) a paragraph
// names: lists of one definition go on from one another's numbers (Word splits one list into
// several, a paragraph's own numbering and its style's), but for a list's restart
// (w:lvlOverride/w:startOverride, "Restart Numbering"), which sets its levels' next numbers
// where it is first used.
type docxLists struct {
	formats   map[string][]string    // numId → its levels' formats ("decimal", "bullet", "lowerLetter", …)
	starts    map[string][]int       // numId → its levels' first numbers
	abstract  map[string]string      // numId → its definition's id (abstractNumId)
	overrides map[string]map[int]int // numId → the first numbers of the levels it restarts
	styles    map[string]docxNum     // paragraph style id → the list its paragraphs belong to
	counts    map[string]*docxCounts // abstractNumId → its numbers so far
	used      map[string]bool        // the numIds met so far: a restart applies once
}

// docxCounts are a list definition's numbers so far: the last given at each level, and
// whether the level has begun (a level begins again after a higher one's item).
type docxCounts struct {
	last  [maxListLevels]int
	begun [maxListLevels]bool
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
	l := &docxLists{formats: map[string][]string{}, starts: map[string][]int{}, abstract: map[string]string{}, overrides: map[string]map[int]int{},
		styles: map[string]docxNum{}, counts: map[string]*docxCounts{}, used: map[string]bool{}}
	abstractFmt, abstractStart := map[string][]string{}, map[string][]int{}
	var abstract, num string
	level, override := -1, -1
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
				l.formats[num], l.starts[num], l.abstract[num] = abstractFmt[id], abstractStart[id], id
			}
		case "lvlOverride":
			override = -1
			if n, err := strconv.Atoi(attrOf(e, "ilvl")); err == nil && n >= 0 && n < maxListLevels {
				override = n
			}
		case "startOverride":
			if n, err := strconv.Atoi(attrOf(e, "val")); err == nil && override >= 0 && slices.Contains(tags, "num") {
				if l.overrides[num] == nil {
					l.overrides[num] = map[int]int{}
				}
				l.overrides[num][override] = n
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
	c := l.counts[l.abstract[n.id]]
	if c == nil {
		c = &docxCounts{}
		l.counts[l.abstract[n.id]] = c
	}
	if !l.used[n.id] {
		l.used[n.id] = true
		for level, start := range l.overrides[n.id] {
			c.last[level], c.begun[level] = max(start, 1)-1, true
		}
	}
	if !c.begun[n.level] {
		c.last[n.level], c.begun[n.level] = max(l.starts[n.id][n.level], 1)-1, true
	}
	c.last[n.level]++
	clear(c.begun[n.level+1:])
	return listMarker(formats[n.level], c.last[n.level], n.level)
}

// listMarker writes the bullet or number n of a list item at level (0 the outermost) in
// format, named as Word names them: "bullet", "decimal" (also any it does not know),
// "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", and "none" for no marker.
// Bullets are "- " and numbers "2. ", as the Markdown and HTML readers write list items,
// indented two spaces a level.
func listMarker(format string, n, level int) string {
	indent := strings.Repeat("  ", level)
	switch format {
	case "bullet":
		return indent + "- "
	case "none":
		return ""
	case "lowerLetter":
		return indent + letters(n) + ". "
	case "upperLetter":
		return indent + strings.ToUpper(letters(n)) + ". "
	case "lowerRoman":
		return indent + strings.ToLower(roman(n)) + ". "
	case "upperRoman":
		return indent + roman(n) + ". "
	}
	return indent + strconv.Itoa(n) + ". "
}

// letters numbers as Word's letter lists do: a-z, then aa-zz, aaa-zzz, up to
// maxListLetters; larger numbers in digits, as roman does. The number can come straight
// from the file (a level's start value), and each 26 more repeat the letter once more:
// a list starting at 2^31 would write 82 million letters for each of its items.
func letters(n int) string {
	if n > maxListLetters {
		return strconv.Itoa(n)
	}
	n = max(n, 1) - 1
	return strings.Repeat(string(rune('a'+n%26)), n/26+1)
}

// maxListLetters is the last number letters spells in letters: 30 z's.
const maxListLetters = 26 * 30

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

// odfLists numbers an OpenDocument text's list items as LibreOffice shows them. As in Word,
// the bullets and numbers are not in the text: a text:list names a list style (its own, or
// its enclosing list's), whose level styles say bullet or number format and first number.
type odfLists struct {
	styles map[string][]odfLevel // list style name → its levels (text:level 1-10)
	open   []odfList             // the enclosing text:list elements, outermost first
	last   map[string][]int      // list style name → the last numbers its latest list gave
}

// odfLevel is one level of a list style: its format (listMarker's names) and first number.
type odfLevel struct {
	format string
	start  int
}

// odfList is an open text:list: its style, its numbers at each level, and whether its next
// paragraph opens an item (a list item's later paragraphs have no marker).
type odfList struct {
	style  string
	counts []int
	item   bool
}

// maxODFListLevels is ODF's number of list levels.
const maxODFListLevels = 10

// readODFListStyles adds the list styles of an ODF part (content.xml's automatic styles,
// styles.xml's named ones) to styles.
func readODFListStyles(part []byte, deadline time.Time, styles map[string][]odfLevel) {
	var name string
	_ = walkXML(part, deadline, func(t xml.Token, tags []string) error {
		e, ok := t.(xml.StartElement)
		if !ok {
			return nil
		}
		switch e.Name.Local {
		case "list-style":
			name = attrOf(e, "name")
			styles[name] = make([]odfLevel, maxODFListLevels)
		case "list-level-style-number", "list-level-style-bullet", "list-level-style-image":
			n, err := strconv.Atoi(attrOf(e, "level"))
			if err != nil || n < 1 || n > maxODFListLevels || styles[name] == nil {
				return nil
			}
			l := odfLevel{format: "bullet"}
			if e.Name.Local == "list-level-style-number" {
				l.format = odfNumFormats[attrOf(e, "num-format")]
				l.start, _ = strconv.Atoi(attrOf(e, "start-value"))
			}
			styles[name][n-1] = l
		}
		return nil
	})
}

// odfNumFormats maps ODF's style:num-format to listMarker's names; no format is no number.
var odfNumFormats = map[string]string{"": "none", "1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}

// token follows the lists a content.xml token opens and closes.
func (l *odfLists) token(t xml.Token) {
	switch e := t.(type) {
	case xml.StartElement:
		switch e.Name.Local {
		case "list":
			style := attrOf(e, "style-name")
			if style == "" && len(l.open) > 0 {
				style = l.open[len(l.open)-1].style
			}
			list := odfList{style: style, counts: make([]int, maxODFListLevels)}
			if attrOf(e, "continue-numbering") == "true" || attrOf(e, "continue-list") != "" {
				copy(list.counts, l.last[style])
			}
			l.open = append(l.open, list)
		case "list-item":
			if len(l.open) > 0 {
				l.open[len(l.open)-1].item = true
			}
		}
	case xml.EndElement:
		if e.Name.Local == "list" && len(l.open) > 0 {
			list := l.open[len(l.open)-1]
			l.last[list.style] = list.counts
			l.open = l.open[:len(l.open)-1]
		}
	}
}

// marker returns the bullet or number that opens the paragraph just closed, if it is the
// first of a list item, and counts it. A paragraph outside lists, or an item's later one,
// has none.
func (l *odfLists) marker() string {
	if len(l.open) == 0 || !l.open[len(l.open)-1].item {
		return ""
	}
	list := &l.open[len(l.open)-1]
	list.item = false
	level := min(len(l.open), maxODFListLevels) - 1
	lvl := odfLevel{format: "bullet"}
	if levels := l.styles[list.style]; levels != nil && levels[level].format != "" {
		lvl = levels[level]
	}
	// The numbers of the enclosing levels live in the enclosing lists; this list counts its own.
	if list.counts[level] == 0 {
		list.counts[level] = max(lvl.start, 1) - 1
	}
	list.counts[level]++
	return listMarker(lvl.format, list.counts[level], level)
}
