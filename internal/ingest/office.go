package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// zipLimits guard against zip bombs: archives whose entries inflate far beyond their size.
type zipLimits struct {
	// MaxEntries bounds the entries listed in the archive.
	MaxEntries int
	// MaxInflated bounds the bytes read out of the archive in total.
	MaxInflated int64
	// Deadline, when set, stops the reading of the XML parts there (errParseDeadline): a part
	// of millions of tiny elements took seconds of CPU, running on after the parse timeout.
	Deadline time.Time
}

// 64 MiB of XML holds far more text than the extracted-text limit allows anyway.
var defaultZipLimits = zipLimits{MaxEntries: 20000, MaxInflated: 64 << 20}

// officeZip reads the parts of an Office Open XML file within the limits.
type officeZip struct {
	zr     *zip.Reader
	limits zipLimits
	read   int64
}

func openOffice(data []byte, limits zipLimits) (*officeZip, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errDamagedZip
	}
	if len(zr.File) > limits.MaxEntries {
		return nil, fmt.Errorf("zip archive with %d entries (limit %d)", len(zr.File), limits.MaxEntries)
	}
	return &officeZip{zr: zr, limits: limits}, nil
}

// errDamagedZip is openOffice's error for bytes that are no zip archive.
var errDamagedZip = errors.New("not a valid Office file (damaged zip archive)")

// errZipBomb is returned when reading stops at the inflation limit.
var errZipBomb = errors.New("zip bomb: the archive inflates past the extraction limit")

// part returns the named entry's bytes, or nil when it is absent.
func (o *officeZip) part(name string) ([]byte, error) {
	for _, f := range o.zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		defer rc.Close()
		left := o.limits.MaxInflated - o.read
		// Size the buffer from the declared size, never past the limit: ReadAll's doubling
		// would reserve up to twice the limit for a bomb. The declared size is the sender's
		// word: never reserve more than the stored bytes can inflate to (deflate's ratio is at
		// most 1032:1), or a 300-byte file declaring 4 GB reserves the whole limit.
		var buf bytes.Buffer
		buf.Grow(int(min(int64(min(f.UncompressedSize64, f.CompressedSize64*1032+1024, 1<<62)), left) + 1))
		n, err := buf.ReadFrom(io.LimitReader(rc, left+1))
		o.read += n
		if n > left {
			return nil, errZipBomb
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		return buf.Bytes(), nil
	}
	return nil, nil
}

func (o *officeZip) names(pattern *regexp.Regexp) []string {
	var out []string
	for _, f := range o.zr.File {
		if pattern.MatchString(f.Name) {
			out = append(out, f.Name)
		}
	}
	// slide10 after slide9: order by the number in the name.
	slices.SortFunc(out, func(a, b string) int { return trailingNumber(a) - trailingNumber(b) })
	return out
}

var digits = regexp.MustCompile(`(\d+)\D*$`)

func trailingNumber(s string) int {
	m := digits.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// coreTitle reads dc:title from docProps/core.xml.
func (o *officeZip) coreTitle() string {
	b, err := o.part("docProps/core.xml")
	if err != nil || b == nil {
		return ""
	}
	title := ""
	_ = walkXML(b, o.limits.Deadline, func(t xml.Token, stack []string) error {
		if cd, ok := t.(xml.CharData); ok && len(stack) > 0 && stack[len(stack)-1] == "title" {
			title += string(cd)
		}
		return nil
	})
	return strings.TrimSpace(title)
}

// walkXML streams the tokens of an XML document with the stack of enclosing element names.
// encoding/xml never expands entities declared in a DTD nor fetches external ones, so entity
// bombs and XXE come out as literal text; nesting deeper than maxXMLDepth is refused.
// It stops at deadline, unless that is zero, looking at the clock every deadlineTokens tokens.
//
// Office Open XML's markup compatibility writes some content twice, in an mc:AlternateContent's
// mc:Choice for newer readers and its mc:Fallback for older ones (Word's text boxes and
// shapes, PowerPoint's newer objects): fn sees the choice only, so that text is read once.
func walkXML(data []byte, deadline time.Time, fn func(t xml.Token, stack []string) error) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	var stack []string
	fallback := 0 // the depth of the mc:Fallback being passed over, or 0
	for n := 1; ; n++ {
		if n%deadlineTokens == 0 && !deadline.IsZero() && time.Now().After(deadline) {
			return errParseDeadline
		}
		t, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("malformed XML: %w", err)
		}
		skip := fallback > 0
		switch e := t.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			if len(stack) > maxXMLDepth {
				return fmt.Errorf("XML nested deeper than %d levels", maxXMLDepth)
			}
			if fallback == 0 && e.Name.Space == "mc" && e.Name.Local == "Fallback" {
				fallback, skip = len(stack), true
			}
		case xml.EndElement:
			if len(stack) == fallback {
				fallback = 0
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
		if skip {
			continue
		}
		if err := fn(t, stack); err != nil {
			return err
		}
	}
}

const maxXMLDepth = 256

// deadlineTokens is how often walkXML looks at the clock: 4,096 tokens take well under a
// millisecond.
const deadlineTokens = 4096

func attrOf(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

var headingStyle = regexp.MustCompile(`^(?i)(heading|berschrift|titre)\s*([1-6])$|^(?i)title$`)

// builtinHeading matches the name (w:name) Word gives its heading styles in styles.xml, in
// English whatever the language of the program that wrote the file: the style ids are the
// localised names ("Ttulo1" for Spanish's Título 1, "Kop1" for Dutch, "Nagwek1" for Polish),
// which no list of ids keeps up with.
var builtinHeading = regexp.MustCompile(`^(?i)heading\s*([1-9])$|^(?i)title$`)

// maxStyleChain bounds how far a style's w:basedOn chain is followed (Word writes a few links;
// a hostile file may loop).
const maxStyleChain = 16

// readDocxStyles reads word/styles.xml in one pass: the heading level (1 the top) of each
// paragraph style that is a heading, and the list each style's paragraphs belong to. A style is
// a heading by its built-in name, else by the outline level its paragraph properties give
// (w:outlineLvl 0-8; 9 is body text), its own or that of the style it is based on ("Chapter"
// based on Heading 1), as Word's navigation pane and table of contents read them. A missing or
// unreadable part gives none of either.
func readDocxStyles(styles []byte, deadline time.Time) (levels map[string]int, lists map[string]docxNum) {
	type def struct {
		name, basedOn string
		outline       int // -1 when the style sets none
	}
	defs := map[string]*def{}
	lists = map[string]docxNum{}
	var cur *def    // the paragraph style being read
	var id string   // the style being read, of any type
	var num docxNum // its list
	_ = walkXML(styles, deadline, func(t xml.Token, tags []string) error {
		switch e := t.(type) {
		case xml.StartElement:
			parent := ""
			if n := len(tags); n >= 2 {
				parent = tags[n-2]
			}
			switch {
			case e.Name.Local == "style":
				cur, id, num = nil, attrOf(e, "styleId"), docxNum{}
				if attrOf(e, "type") == "paragraph" {
					cur = &def{outline: -1}
					defs[id] = cur
				}
			case (e.Name.Local == "numId" || e.Name.Local == "ilvl") && slices.Contains(tags, "numPr"):
				num.set(e)
			case cur == nil:
			case e.Name.Local == "name" && parent == "style":
				cur.name = attrOf(e, "val")
			case e.Name.Local == "basedOn" && parent == "style":
				cur.basedOn = attrOf(e, "val")
			case e.Name.Local == "outlineLvl" && parent == "pPr":
				if n, err := strconv.Atoi(attrOf(e, "val")); err == nil && n >= 0 && n <= 9 {
					cur.outline = n
				}
			}
		case xml.EndElement:
			if e.Name.Local == "style" {
				if num.id != "" {
					lists[id] = num
				}
				cur, num = nil, docxNum{}
			}
		}
		return nil
	})
	levels = map[string]int{}
	for id := range defs {
		d := defs[id]
		for range maxStyleChain {
			if m := builtinHeading.FindStringSubmatch(d.name); m != nil {
				levels[id] = 1
				if m[1] != "" {
					levels[id], _ = strconv.Atoi(m[1])
				}
				break
			}
			if d.outline >= 0 {
				if d.outline < 9 {
					levels[id] = d.outline + 1
				}
				break
			}
			if d = defs[d.basedOn]; d == nil {
				break
			}
		}
	}
	return levels, lists
}

// parseDOCX reads word/document.xml: paragraphs styled as headings (readDocxStyles), or given
// an outline level of their own, split sections;
// table cells are kept on one line per row.
func parseDOCX(data []byte, limits zipLimits) (Parsed, error) {
	o, err := openOffice(data, limits)
	if err != nil {
		return Parsed{}, err
	}
	body, err := o.part("word/document.xml")
	if err != nil {
		return Parsed{}, err
	}
	if body == nil {
		return Parsed{}, errors.New("not a Word document: word/document.xml is missing")
	}
	// The lists' definitions are optional parts: a document without them has no lists.
	numbering, _ := o.part("word/numbering.xml")
	styles, _ := o.part("word/styles.xml")
	headingLevels, styleLists := readDocxStyles(styles, o.limits.Deadline)
	lists := readDocxLists(numbering, styleLists, o.limits.Deadline)
	notes := map[string]map[string]string{"footnoteReference": nil, "endnoteReference": nil}
	if part, _ := o.part("word/footnotes.xml"); part != nil {
		notes["footnoteReference"] = docxNotes(part, "footnote", o.limits.Deadline)
	}
	if part, _ := o.part("word/endnotes.xml"); part != nil {
		notes["endnoteReference"] = docxNotes(part, "endnote", o.limits.Deadline)
	}
	var noteLines []string // the notes referred to in the paragraph or table row being read, numbered as Word shows them
	noted := map[string]bool{}
	footnotes, endnotes := 0, 0
	doc := Parsed{Title: o.coreTitle()}
	var (
		cur   Section
		text  strings.Builder
		para  = &strings.Builder{}
		row   tableRow
		level int
		num   docxNum // the paragraph's list: its style's, or its own numbering properties'
		// The run being read is raised (superscript, or set higher by w:position): its
		// digits are a footnote mark or an exponent, written as superscripts.
		raised bool
		// The paragraphs a text box's paragraphs interrupt (a box is anchored inside a
		// paragraph's run): each goes on after the box, which is read as lines before it.
		// Each keeps its own builder, taken back as it was, not copied: a long paragraph
		// holding thousands of empty ones would be copied once for each.
		outer []docxOuter
	)
	flushNotes := func() {
		if len(noteLines) > 0 {
			text.WriteString(strings.Join(noteLines, "\n") + "\n")
			noteLines = noteLines[:0]
		}
	}
	outline := newOutline(&doc)
	var toc docxTOC
	err = walkXML(body, o.limits.Deadline, func(t xml.Token, tags []string) error {
		toc.token(t, tags)
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "p":
				if slices.Contains(tags[:len(tags)-1], "p") {
					outer = append(outer, docxOuter{para, level, num})
					para = &strings.Builder{}
				} else {
					toc.hit = slices.Contains(toc.fields, true) || slices.Contains(toc.sdts, true)
				}
				para.Reset()
				level, num = 0, docxNum{}
			case "pStyle":
				if slices.Contains(tags, "pPrChange") {
					// A tracked change's record of the paragraph's former style: a heading
					// made body text is body text.
					break
				}
				style := attrOf(e, "val")
				if l, ok := headingLevels[style]; ok {
					level = l
				} else if m := headingStyle.FindStringSubmatch(strings.ReplaceAll(style, " ", "")); m != nil {
					// A file without a styles part, or whose part lacks the style.
					level = 1
					if m[2] != "" {
						level, _ = strconv.Atoi(m[2])
					}
				}
				if n, ok := lists.styles[style]; ok && num.id == "" {
					num = n
				}
			case "outlineLvl":
				// The paragraph's own outline level overrides its style's (9: body text).
				if n := len(tags); n >= 3 && tags[n-2] == "pPr" && tags[n-3] == "p" {
					if v, err := strconv.Atoi(attrOf(e, "val")); err == nil && v >= 0 && v <= 9 {
						level = (v + 1) % 10
					}
				}
			case "numId", "ilvl":
				// The paragraph's own numbering, not a tracked change's record of the old.
				if slices.Contains(tags, "numPr") && !slices.Contains(tags, "pPrChange") {
					num.set(e)
				}
			case "footnoteReference", "endnoteReference":
				// Word refers to a note once; a file that refers to one again gets no copy
				// (a large note referred to thousands of times would multiply the text).
				key := e.Name.Local + attrOf(e, "id")
				note, ok := notes[e.Name.Local][attrOf(e, "id")]
				if !ok || noted[key] {
					break
				}
				noted[key] = true
				mark := ""
				if e.Name.Local == "footnoteReference" {
					footnotes++
					mark = "[" + strconv.Itoa(footnotes) + "]"
				} else {
					endnotes++
					mark = "[" + strings.ToLower(roman(endnotes)) + "]"
				}
				para.WriteString(mark)
				noteLines = append(noteLines, mark+" "+note)
			case "tab":
				para.WriteByte('\t')
			case "br", "cr":
				para.WriteByte('\n')
			case "r":
				raised = false
			case "vertAlign", "position":
				// A run's own properties (w:r/w:rPr), not the paragraph mark's.
				if n := len(tags); n >= 3 && tags[n-2] == "rPr" && tags[n-3] == "r" {
					v := attrOf(e, "val")
					pos, _ := strconv.Atoi(v)
					raised = raised || v == "superscript" || (e.Name.Local == "position" && pos > 0)
				}
			}
		case xml.CharData:
			if len(tags) > 0 && tags[len(tags)-1] == "t" {
				if raised {
					para.WriteString(superscript(string(e)))
				} else {
					para.Write(e)
				}
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "tc":
				if err := row.endCell(); err != nil {
					return err
				}
			case "p":
				// Manual line breaks and tabs too: a paragraph is one line.
				p := docxPara{collapse(para.String()), level, num}
				if toc.hit && len(outer) == 0 {
					p.text = "" // an entry of the table of contents
				}
				if k := len(outer) - 1; k >= 0 && slices.Contains(tags, "p") {
					para, level, num = outer[k].para, outer[k].level, outer[k].num
					outer = outer[:k]
				}
				if p.level > 0 && p.text != "" {
					cur.Text = text.String()
					doc.Sections = append(doc.Sections, cur)
					text.Reset()
					// A numbered heading ("2.3 Taxis") keeps its number: "section 2.3" is how
					// people refer to it.
					if num := lists.number(p.num); num != "" {
						p.text = num + " " + p.text
					}
					cur = outline.enter(p.level, p.text, "")
					return outline.err
				}
				switch {
				case p.text == "":
				case slices.Contains(tags, "tc"):
					row.add(p.text)
				default:
					text.WriteString(lists.marker(p.num) + p.text + "\n")
				}
				// A paragraph's notes follow it (a table row's, the row), in the same passage
				// as the text they explain.
				if len(outer) == 0 && !slices.Contains(tags, "tc") {
					flushNotes()
				}
			case "tr":
				line, _ := row.end()
				text.WriteString(line + "\n")
				if !slices.Contains(tags, "tc") {
					flushNotes()
				}
			}
		}
		return nil
	})
	if err != nil {
		return Parsed{}, err
	}
	cur.Text = text.String()
	doc.Sections = append(doc.Sections, cur)
	return doc, nil
}

// docxTOC follows a Word document's table of contents: the result of a TOC field (from its
// fldChar "separate" to its "end", across paragraphs, or a w:fldSimple's) and a content control
// Word marks as one (w:docPartGallery "Table of Contents", its "Contents" heading included).
// Its entries are the document's headings again with their page numbers ("2.1 Taxis 4"): no
// text to index, as an HTML page's own outline is not.
type docxTOC struct {
	fields []bool // each open field, whether it is a table of contents
	instr  []byte // the innermost open field's instruction, its first bytes
	sdts   []bool // each open content control, whether it is a table of contents
	hit    bool   // the paragraph being read lies in a table of contents
}

// token follows the fields and content controls a token of word/document.xml opens and closes.
func (c *docxTOC) token(t xml.Token, tags []string) {
	isTOC := func(instr string) bool { return strings.HasPrefix(strings.TrimSpace(instr), "TOC") }
	switch e := t.(type) {
	case xml.StartElement:
		switch e.Name.Local {
		case "fldChar":
			switch attrOf(e, "fldCharType") {
			case "begin":
				c.fields, c.instr = append(c.fields, false), c.instr[:0]
			case "separate":
				if n := len(c.fields); n > 0 {
					c.fields[n-1] = isTOC(string(c.instr))
				}
			case "end":
				if n := len(c.fields); n > 0 {
					c.fields = c.fields[:n-1]
				}
			}
		case "fldSimple":
			c.fields = append(c.fields, isTOC(attrOf(e, "instr")))
		case "sdt":
			c.sdts = append(c.sdts, false)
		case "docPartGallery":
			if n := len(c.sdts); n > 0 && strings.EqualFold(attrOf(e, "val"), "Table of Contents") {
				c.sdts[n-1] = true
			}
		}
	case xml.CharData:
		if len(tags) > 0 && tags[len(tags)-1] == "instrText" && len(c.instr) < 16 {
			c.instr = append(c.instr, e[:min(len(e), 16)]...)
		}
	case xml.EndElement:
		switch e.Name.Local {
		case "fldSimple":
			if n := len(c.fields); n > 0 {
				c.fields = c.fields[:n-1]
			}
		case "sdt":
			if n := len(c.sdts); n > 0 {
				c.sdts = c.sdts[:n-1]
			}
		}
	}
	if slices.Contains(c.fields, true) || slices.Contains(c.sdts, true) {
		c.hit = true
	}
}

// docxNotes returns the text of each footnote or endnote (kind) of word/footnotes.xml or
// word/endnotes.xml by its id, its paragraphs joined into one line. The separators Word keeps
// there (w:type="separator") are no notes.
func docxNotes(part []byte, kind string, deadline time.Time) map[string]string {
	notes := map[string]string{}
	var id string
	var b strings.Builder
	_ = walkXML(part, deadline, func(t xml.Token, tags []string) error {
		switch e := t.(type) {
		case xml.StartElement:
			if e.Name.Local == kind {
				id = attrOf(e, "id")
				if attrOf(e, "type") != "" && attrOf(e, "type") != "normal" {
					id = ""
				}
				b.Reset()
			}
		case xml.CharData:
			if id != "" && len(tags) > 0 && tags[len(tags)-1] == "t" {
				b.Write(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "p", "tab", "br":
				b.WriteByte(' ')
			case kind:
				if text := collapse(b.String()); id != "" && text != "" {
					notes[id] = text
				}
				id = ""
			}
		}
		return nil
	})
	return notes
}

// rels returns the relationships of an archive's part (its _rels/NAME.rels): each id's
// target, as a path in the archive, and each type's (its last word: "notesSlide") first target
// under the key "type:notesSlide". A part without relationships has none.
func (o *officeZip) rels(part string) map[string]string {
	dir, name := path.Split(part)
	rels := map[string]string{}
	b, err := o.part(dir + "_rels/" + name + ".rels")
	if err != nil || b == nil {
		return rels
	}
	_ = walkXML(b, o.limits.Deadline, func(t xml.Token, _ []string) error {
		if e, ok := t.(xml.StartElement); ok && e.Name.Local == "Relationship" {
			target := attrOf(e, "Target")
			if !strings.HasPrefix(target, "/") {
				target = dir + target
			}
			target = strings.TrimPrefix(path.Clean(target), "/")
			rels[attrOf(e, "Id")] = target
			typ := attrOf(e, "Type")
			if key := "type:" + typ[strings.LastIndexByte(typ, '/')+1:]; rels[key] == "" {
				rels[key] = target
			}
		}
		return nil
	})
	return rels
}

// docxPara is a Word paragraph read: its text, heading level and list.
type docxPara struct {
	text  string
	level int
	num   docxNum
}

// docxOuter is a Word paragraph that a text box's paragraphs interrupt: its text so far,
// heading level and list.
type docxOuter struct {
	para  *strings.Builder
	level int
	num   docxNum
}

var slideName = regexp.MustCompile(`^ppt/slides/slide\d+\.xml$`)

// parsePPTX makes one section per slide, in the order the presentation shows them (its
// presentation.xml, not the slides' file names, which keep their numbers when slides are
// moved), numbered as the slide and headed by its title: the slide's text, its tables a row
// a line, then its speaker notes.
func parsePPTX(data []byte, limits zipLimits) (Parsed, error) {
	o, err := openOffice(data, limits)
	if err != nil {
		return Parsed{}, err
	}
	doc := Parsed{Title: o.coreTitle()}
	names := slideOrder(o)
	if len(names) == 0 {
		return Parsed{}, errors.New("not a PowerPoint file: no slides found")
	}
	for i, name := range names {
		b, err := o.part(name)
		if err != nil {
			return Parsed{}, err
		}
		title, lines, err := pptxText(b, o.limits.Deadline, false)
		if err != nil {
			return Parsed{}, fmt.Errorf("slide %d: %w", i+1, err)
		}
		// The notes page repeats the slide's number and picture; its body placeholder holds
		// the notes.
		if notes := o.rels(name)["type:notesSlide"]; notes != "" {
			if nb, err := o.part(notes); err == nil && nb != nil {
				if _, n, err := pptxText(nb, o.limits.Deadline, true); err == nil && len(n) > 0 {
					n[0] = "Notes: " + n[0]
					lines = append(lines, n...)
				}
			}
		}
		if err := addSlide(&doc, title, lines); err != nil {
			return Parsed{}, err
		}
	}
	return doc, nil
}

// slideOrder returns the presentation's slides in the order it shows them (presentation.xml's
// slide list, through its relationships), or, where that cannot be read, by the number in each
// slide's file name.
func slideOrder(o *officeZip) []string {
	var names []string
	if pres, err := o.part("ppt/presentation.xml"); err == nil && pres != nil {
		rels := o.rels("ppt/presentation.xml")
		seen := map[string]bool{}
		_ = walkXML(pres, o.limits.Deadline, func(t xml.Token, _ []string) error {
			if e, ok := t.(xml.StartElement); ok && e.Name.Local == "sldId" {
				// r:id names the relationship; the unprefixed id is the slide's own number.
				i := slices.IndexFunc(e.Attr, func(a xml.Attr) bool { return a.Name.Local == "id" && a.Name.Space != "" })
				if i < 0 {
					return nil
				}
				if p := rels[e.Attr[i].Value]; slideName.MatchString(p) && !seen[p] {
					seen[p] = true
					names = append(names, p)
				}
			}
			return nil
		})
	}
	if len(names) == 0 {
		names = o.names(slideName)
	}
	return names
}

// pptxText reads a slide's (or, with notes, a notes page's) text: the title placeholder's first
// paragraph is the title, every other paragraph a line, and a table's rows a line each, their
// cells joined by " | ". On a notes page only the body placeholder is read.
func pptxText(part []byte, deadline time.Time, notes bool) (title string, lines []string, err error) {
	var para strings.Builder
	var row tableRow
	inTitle, inBody := false, false
	err = walkXML(part, deadline, func(t xml.Token, tags []string) error {
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "sp":
				inTitle, inBody = false, false
			case "ph":
				typ := strings.ToLower(attrOf(e, "type"))
				inTitle = strings.Contains(typ, "title")
				inBody = typ == "body"
			}
		case xml.CharData:
			if len(tags) > 0 && tags[len(tags)-1] == "t" {
				para.Write(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "p":
				l := collapse(para.String())
				para.Reset()
				switch {
				case l == "":
				case slices.Contains(tags, "tc"):
					row.add(l)
				case notes && !inBody:
				case inTitle && title == "" && !notes:
					title = l
				default:
					lines = append(lines, l)
				}
			case "tc":
				if err := row.endCell(); err != nil {
					return err
				}
			case "tr":
				if line, ok := row.end(); ok {
					lines = append(lines, strings.TrimRight(line, " |"))
				}
			}
		}
		return nil
	})
	return title, lines, err
}

// addSlide appends the next slide of a presentation (.pptx, .odp, .ppt) as its own section:
// "Slide N: title", anchored and paged by its number, its title the first line of its text (a
// search for the title lands on the slide) and the deck's title when the deck has none. Each
// slide is a section, as a heading's: past maxSections the deck fails.
func addSlide(doc *Parsed, title string, lines []string) error {
	n := len(doc.Sections) + 1
	if n > maxSections {
		return errTooManySections
	}
	heading := fmt.Sprintf("Slide %d", n)
	if title != "" {
		heading += ": " + title
	}
	if n == 1 && doc.Title == "" {
		doc.Title = title
	}
	doc.Sections = append(doc.Sections, Section{Headings: []string{heading}, Anchor: fmt.Sprintf("slide-%d", n),
		Page: n, Text: strings.Join(append([]string{title}, lines...), "\n")})
	return nil
}

// parseXLSX makes one section per sheet; each row after the header row becomes a line
// "Header: value; Header: value", so a row keeps its meaning when retrieved alone.
func parseXLSX(data []byte, limits zipLimits) (Parsed, error) {
	o, err := openOffice(data, limits)
	if err != nil {
		return Parsed{}, err
	}
	shared, err := sharedStrings(o)
	if err != nil {
		return Parsed{}, err
	}
	sheets, date1904, err := sheetList(o)
	if err != nil {
		return Parsed{}, err
	}
	formats, err := cellNumFormats(o)
	if err != nil {
		return Parsed{}, err
	}
	doc := Parsed{Title: o.coreTitle()}
	cells := 0 // laid out in all sheets, against maxSheetCells
	for i, sh := range sheets {
		b, err := o.part(sh.path)
		if err != nil {
			return Parsed{}, err
		}
		if b == nil {
			continue
		}
		var rows [][]string
		var row []string
		var cell strings.Builder
		cellType, col, style := "", 0, 0
		err = walkXML(b, o.limits.Deadline, func(t xml.Token, tags []string) error {
			switch e := t.(type) {
			case xml.StartElement:
				switch e.Name.Local {
				case "row":
					row = nil
				case "c":
					cellType, col = attrOf(e, "t"), columnIndex(attrOf(e, "r"))
					style, _ = strconv.Atoi(attrOf(e, "s")) // 0, General, when absent
					cell.Reset()
				}
			case xml.CharData:
				if n := len(tags); n > 0 && (tags[n-1] == "v" || tags[n-1] == "t") {
					cell.Write(e)
				}
			case xml.EndElement:
				switch e.Name.Local {
				case "c":
					v := cell.String()
					switch cellType {
					case "s":
						if k, err := strconv.Atoi(v); err == nil && k >= 0 && k < len(shared) {
							v = shared[k]
						}
					case "", "n": // a number; the others are text, booleans and errors
						if style >= 0 && style < len(formats) {
							if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
								if d, ok := formats[style].text(n, date1904); ok {
									v = d
								}
							}
						}
					}
					if col < 0 || col > 16384 {
						col = len(row)
					}
					if cells += max(col-len(row), 0) + 1; cells > maxSheetCells {
						return errTooManyCells
					}
					for len(row) < col {
						row = append(row, "")
					}
					row = append(row[:col], strings.TrimSpace(v))
				case "row":
					// A row without cells holds nothing to lay out: keeping it cost a slice
					// header per <row/>, 10 million of them (88 KB zipped) took 957 MB.
					if len(row) > 0 {
						rows = append(rows, row)
					}
				}
			}
			return nil
		})
		if err != nil {
			return Parsed{}, fmt.Errorf("sheet %s: %w", sh.name, err)
		}
		text, err := sheetText(rows)
		if err != nil {
			return Parsed{}, fmt.Errorf("sheet %s: %w", sh.name, err)
		}
		doc.Sections = append(doc.Sections, Section{Headings: []string{sh.name}, Anchor: "sheet-" + strconv.Itoa(i+1),
			Page: i + 1, Text: text})
	}
	return doc, nil
}

type sheet struct{ name, path string }

// sheetList reads the workbook's sheets, and its date system: date1904 when its dates count
// from 1904 (workbookPr date1904), as Excel for the Mac wrote them until 2011.
func sheetList(o *officeZip) (sheets []sheet, date1904 bool, err error) {
	wb, err := o.part("xl/workbook.xml")
	if err != nil {
		return nil, false, err
	}
	if wb == nil {
		return nil, false, errors.New("not an Excel workbook: xl/workbook.xml is missing")
	}
	rels := o.rels("xl/workbook.xml")
	var out []sheet
	err = walkXML(wb, o.limits.Deadline, func(t xml.Token, _ []string) error {
		if e, ok := t.(xml.StartElement); ok && e.Name.Local == "workbookPr" {
			date1904 = xmlTrue(attrOf(e, "date1904"))
		}
		if e, ok := t.(xml.StartElement); ok && e.Name.Local == "sheet" {
			p := rels[attrOf(e, "id")]
			if p == "" {
				p = fmt.Sprintf("xl/worksheets/sheet%d.xml", len(out)+1)
			}
			out = append(out, sheet{name: attrOf(e, "name"), path: p})
			// Each sheet is a part of the archive: a workbook listing more names no sheets.
			// Four million <sheet/> elements (1.8 MB zipped) each looked for among 20,000
			// entries took two minutes of CPU, running on after the parse timeout.
			if len(out) > len(o.zr.File) {
				return fmt.Errorf("workbook lists more sheets than the file has parts (%d)", len(o.zr.File))
			}
		}
		return nil
	})
	return out, date1904, err
}

// xmlTrue reads an xsd:boolean.
func xmlTrue(v string) bool { return v == "1" || v == "true" }

// cellNumFormats reads the number format of each cell format (cellXfs) of xl/styles.xml, which
// a cell's s attribute indexes: a built-in format by its id, or one of the workbook's own
// (numFmts), which may also spell out a built-in one. The cell styles' formats (cellStyleXfs) are
// not indexed by cells. Formats past maxCellFormats, more than Excel allows, are read as General,
// and so are those after a fault in the part: the sheets were read without their formats before,
// and are not failed for them now.
func cellNumFormats(o *officeZip) ([]numFormat, error) {
	b, err := o.part("xl/styles.xml")
	if err != nil || b == nil {
		return nil, err
	}
	custom := map[int]numFormat{}
	var ids []int
	err = walkXML(b, o.limits.Deadline, func(t xml.Token, tags []string) error {
		e, ok := t.(xml.StartElement)
		if !ok || len(tags) < 2 {
			return nil
		}
		id, err := strconv.Atoi(attrOf(e, "numFmtId"))
		switch {
		case e.Name.Local == "numFmt" && tags[len(tags)-2] == "numFmts" && err == nil && len(custom) < maxCellFormats:
			custom[id] = parseNumFormat(attrOf(e, "formatCode"))
		case e.Name.Local == "xf" && tags[len(tags)-2] == "cellXfs" && len(ids) < maxCellFormats:
			ids = append(ids, id) // 0, General, when it gives none
		}
		return nil
	})
	if errors.Is(err, errParseDeadline) {
		return nil, err
	}
	return cellFormatsOf(ids, custom), nil
}

func sharedStrings(o *officeZip) ([]string, error) {
	b, err := o.part("xl/sharedStrings.xml")
	if err != nil || b == nil {
		return nil, err
	}
	var out []string
	var cur strings.Builder
	err = walkXML(b, o.limits.Deadline, func(t xml.Token, tags []string) error {
		switch e := t.(type) {
		case xml.CharData:
			if n := len(tags); n > 0 && tags[n-1] == "t" {
				cur.Write(e)
			}
		case xml.EndElement:
			if e.Name.Local == "si" {
				// No sheet lays out more cells than maxSheetCells, so no more strings can be
				// used: 12 million empty <si/> (88 KB zipped) took 937 MB.
				if len(out) == maxSheetCells {
					return fmt.Errorf("more than %d shared strings", maxSheetCells)
				}
				out = append(out, cur.String())
				cur.Reset()
			}
		}
		return nil
	})
	return out, err
}

// columnIndex turns a cell reference such as "C7" into 2.
func columnIndex(ref string) int {
	n := 0
	for _, r := range ref {
		if r < 'A' || r > 'Z' {
			break
		}
		n = n*26 + int(r-'A'+1)
	}
	return n - 1
}

// tableText writes rows as "Header: value; …" lines, the first non-empty row being the header.
// sheetText is tableText for a spreadsheet's (or CSV file's) rows: the rows above its header
// that hold one cell at most (the sheet's title, "Travel budget 2025", a note, a blank row)
// are lines of their own, not the header that every row after it is read by ("Travel budget
// 2025: Taxis" said nothing of the column). A sheet of one column keeps its first row as header.
func sheetText(rows [][]string) (string, error) {
	filled := func(r []string) int {
		n := 0
		for _, v := range r {
			if v != "" {
				n++
			}
		}
		return n
	}
	k := slices.IndexFunc(rows, func(r []string) bool { return filled(r) >= 2 })
	if k <= 0 {
		return tableText(rows)
	}
	var b strings.Builder
	for _, r := range rows[:k] {
		if i := slices.IndexFunc(r, func(v string) bool { return v != "" }); i >= 0 {
			b.WriteString(r[i] + "\n")
		}
		if b.Len() > maxTableText {
			return "", errTableTooLarge
		}
	}
	text, err := tableText(rows[k:])
	return b.String() + text, err
}

func tableText(rows [][]string) (string, error) {
	var header []string
	var b strings.Builder
	for _, r := range rows {
		if slices.IndexFunc(r, func(s string) bool { return s != "" }) < 0 {
			continue
		}
		if header == nil {
			header = r
			for i, v := range r {
				if b.Len() > maxTableText {
					return "", errTableTooLarge
				}
				if i > 0 {
					b.WriteString(" | ")
				}
				b.WriteString(v)
			}
			b.WriteString("\n")
			continue
		}
		first := true
		for i, v := range r {
			if v == "" {
				continue
			}
			if b.Len() > maxTableText {
				return "", errTableTooLarge
			}
			if !first {
				b.WriteString("; ")
			}
			first = false
			if i < len(header) && header[i] != "" {
				b.WriteString(header[i])
				b.WriteString(": ")
			}
			b.WriteString(v)
		}
		b.WriteString("\n")
	}
	if b.Len() > maxTableText {
		return "", errTableTooLarge
	}
	return b.String(), nil
}

// tableRow is a row of a document's table as a reader walks it: the paragraphs of each cell
// make one cell, and the row one line of its cells joined by " | ", at most maxRowCells.
type tableRow struct {
	cell  strings.Builder
	cells []string
}

// add writes a paragraph of the open cell.
func (r *tableRow) add(p string) { r.cell.WriteString(p + " ") }

// endCell closes the open cell.
func (r *tableRow) endCell() error {
	if len(r.cells) == maxRowCells {
		return errRowTooWide
	}
	r.cells = append(r.cells, collapse(r.cell.String()))
	r.cell.Reset()
	return nil
}

// end closes the row: its line, and whether any of its cells holds text.
func (r *tableRow) end() (line string, text bool) {
	line, text = strings.Join(r.cells, " | "), slices.ContainsFunc(r.cells, func(c string) bool { return c != "" })
	r.cells = r.cells[:0]
	return line, text
}

// maxRowCells bounds the cells of one row of a document's table, a spreadsheet's width (Word
// allows 63 columns): 9 million empty <w:tc/> in one row (92 KB zipped) took 770 MB.
const maxRowCells = 16384

var errRowTooWide = fmt.Errorf("a table row of more than %d cells", maxRowCells)

// maxTableText bounds the text of one table. Each value is written with its column's header,
// so a table's text can be many times its source: a CSV header of long names over rows of
// one-letter values, a spreadsheet cell repeated across 16,384 columns, a large shared string
// referenced by every cell. Past this bound the file is failed rather than written out.
const maxTableText = 64 << 20

var errTableTooLarge = fmt.Errorf("table text over %d MB (each value is written with its column's header)", maxTableText>>20)

// maxSheetCells bounds the cells a spreadsheet lays out, blank ones and repeated rows and
// columns included: a 30-byte row element can declare a cell in column 16,384 or a row
// repeated a hundred times, and 64 MB of such elements would lay out terabytes.
const maxSheetCells = 4 << 20

var errTooManyCells = fmt.Errorf("spreadsheet laying out more than %d cells (blank, repeated rows and columns included)", maxSheetCells)
