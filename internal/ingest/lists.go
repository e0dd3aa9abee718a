package ingest

import (
	"encoding/xml"
	"errors"
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
	levels    map[string][]listLevel // numId → its definition's levels
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

// listLevel is how one level of a list numbers its items: its format, named as Word names them
// ("bullet", "decimal" (also any format not known here), "lowerLetter", "upperLetter",
// "lowerRoman", "upperRoman", "none"), its first number, and Word's text of the number, where
// %1-%9 stand for the numbers of levels 1-9 ("%1.%2." gives "2.3."; empty for "N.").
type listLevel struct {
	format string
	start  int
	text   string
}

// docxNum is a paragraph's place in a list: the list (numId; "0" for none) and its level.
type docxNum struct {
	id    string
	level int
}

// maxListLevels is Word's number of list levels (w:ilvl 0-8).
const maxListLevels = 9

// readDocxLists reads the numbering definitions; styles are the styles' lists (readDocxStyles).
// The part may be missing or unreadable: the document's text is read all the same, its lists
// unnumbered.
func readDocxLists(numbering []byte, styles map[string]docxNum, deadline time.Time) *docxLists {
	l := &docxLists{levels: map[string][]listLevel{}, abstract: map[string]string{}, overrides: map[string]map[int]int{},
		styles: styles, counts: map[string]*docxCounts{}, used: map[string]bool{}}
	defs := map[string][]listLevel{}
	var id, num string
	level, override := -1, -1
	_ = walkXML(numbering, deadline, func(t xml.Token, tags []string) error {
		e, ok := t.(xml.StartElement)
		if !ok {
			return nil
		}
		var lvl *listLevel // the level being defined, if any
		if level >= 0 && defs[id] != nil && slices.Contains(tags, "abstractNum") {
			lvl = &defs[id][level]
		}
		switch e.Name.Local {
		case "abstractNum":
			id = attrOf(e, "abstractNumId")
			defs[id] = make([]listLevel, maxListLevels)
		case "lvl":
			level = -1
			if n, err := strconv.Atoi(attrOf(e, "ilvl")); err == nil && n >= 0 && n < maxListLevels {
				level = n
			}
		case "numFmt":
			if lvl != nil {
				lvl.format = attrOf(e, "val")
			}
		case "start":
			if n, err := strconv.Atoi(attrOf(e, "val")); err == nil && lvl != nil {
				lvl.start = n
			}
		case "lvlText":
			if lvl != nil {
				lvl.text = attrOf(e, "val")
			}
		case "num":
			num = attrOf(e, "numId")
		case "abstractNumId":
			if slices.Contains(tags, "num") {
				id := attrOf(e, "val")
				l.levels[num], l.abstract[num] = defs[id], id
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
	counts := l.count(n)
	if counts == nil {
		return ""
	}
	return listMarker(l.levels[n.id], counts, n.level)
}

// number returns the number of the next item at n, without indentation or a bullet ("2.3"), and
// counts it: a numbered heading's ("2.3 Taxis").
func (l *docxLists) number(n docxNum) string {
	counts := l.count(n)
	if counts == nil {
		return ""
	}
	return numberText(l.levels[n.id], counts, n.level)
}

// count counts the next item at n and returns the list's numbers at each level, or nil for a
// paragraph in no list.
func (l *docxLists) count(n docxNum) []int {
	levels := l.levels[n.id]
	if n.id == "" || n.id == "0" || levels == nil {
		return nil
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
		c.last[n.level], c.begun[n.level] = max(levels[n.level].start, 1)-1, true
	}
	c.last[n.level]++
	clear(c.begun[n.level+1:])
	return c.last[:]
}

// listMarker writes the bullet or number that opens an item at level (0 the outermost) of a
// list of levels, whose numbers are counts: "- " for a bullet and "2. " (or what the level's
// text makes of it, "2.3.") for a number, as the Markdown and HTML readers write list items,
// indented two spaces a level.
func listMarker(levels []listLevel, counts []int, level int) string {
	switch levels[level].format {
	case "bullet":
		return strings.Repeat("  ", level) + "- "
	case "none":
		return ""
	}
	if num := numberText(levels, counts, level); num != "" {
		return strings.Repeat("  ", level) + num + " "
	}
	return ""
}

// numberText writes an item's number at level: the level's text with each %N replaced by
// level N's number in that level's format, or the number and a full stop.
func numberText(levels []listLevel, counts []int, level int) string {
	l := levels[level]
	if l.format == "bullet" || l.format == "none" {
		return ""
	}
	if l.text == "" {
		return formatNumber(l.format, counts[level]) + "."
	}
	var b strings.Builder
	for i := 0; i < len(l.text); i++ {
		if l.text[i] == '%' && i+1 < len(l.text) {
			if k := int(l.text[i+1]) - '1'; k >= 0 && k <= level {
				b.WriteString(formatNumber(levels[k].format, max(counts[k], 1)))
				i++
				continue
			}
		}
		b.WriteByte(l.text[i])
	}
	return strings.TrimSpace(b.String())
}

// formatNumber writes n in a level's format.
func formatNumber(format string, n int) string {
	switch format {
	case "lowerLetter":
		return letters(n)
	case "upperLetter":
		return strings.ToUpper(letters(n))
	case "lowerRoman":
		return strings.ToLower(roman(n))
	case "upperRoman":
		return roman(n)
	case "bullet", "none":
		return ""
	}
	return strconv.Itoa(n)
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
	styles map[string][]listLevel // list style name → its levels (text:level 1-10)
	open   []odfList              // the enclosing text:list elements, outermost first
	last   map[string][]int       // list style name → the last numbers its latest list gave
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

// errStylesRead stops reading a part at its body, past the styles.
var errStylesRead = errors.New("styles read")

// odfNumFormats maps ODF's style:num-format to listLevel's format names; no format is no number.
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
	lvl := listLevel{format: "bullet"}
	if levels := l.styles[list.style]; levels != nil && levels[level].format != "" {
		lvl = levels[level]
	}
	// The numbers of the enclosing levels live in the enclosing lists; this list counts its own.
	if list.counts[level] == 0 {
		list.counts[level] = max(lvl.start, 1) - 1
	}
	list.counts[level]++
	levels := make([]listLevel, level+1) // the enclosing levels' numbers are other lists'
	levels[level] = lvl
	return listMarker(levels, list.counts, level)
}
