package ingest

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OpenDocument (LibreOffice, ODF 1.2+) files are zip archives like Office Open XML, so they are
// read through officeZip within the same zip-bomb limits. All three kinds keep their text in
// content.xml and their title in meta.xml; each is laid out as its Office counterpart is:
// headings make sections (.odt), sheets make sections of "Header: value" rows (.ods), slides
// make sections headed by their title (.odp).

// odfContent opens an OpenDocument file and returns its content.xml and title.
func odfContent(data []byte, limits zipLimits, kind string) (*officeZip, []byte, string, error) {
	o, err := openOffice(data, limits)
	if err == errDamagedZip {
		return nil, nil, "", errors.New("not a valid OpenDocument file (damaged zip archive)")
	}
	if err != nil {
		return nil, nil, "", err // over a limit, which the error names
	}
	body, err := o.part("content.xml")
	if err != nil {
		return nil, nil, "", err
	}
	if body == nil {
		return nil, nil, "", fmt.Errorf("not an OpenDocument %s: content.xml is missing", kind)
	}
	title := ""
	if meta, err := o.part("meta.xml"); err == nil && meta != nil {
		_ = walkXML(meta, limits.Deadline, func(t xml.Token, stack []string) error {
			if cd, ok := t.(xml.CharData); ok && len(stack) > 1 && stack[len(stack)-1] == "title" && stack[len(stack)-2] == "meta" {
				title += string(cd)
			}
			return nil
		})
	}
	return o, body, strings.TrimSpace(title), nil
}

// odfText collects the text of ODF paragraphs: character data anywhere inside a text:p or
// text:h (spans, links, fields), with the spacing elements written out. A paragraph nested in
// another (a footnote's body, a text box in a frame) continues the outer one, so paragraphs
// never interleave. Tracked deletions, comments and footnote marks are not text.
type odfText struct {
	depth int // enclosing text:p / text:h elements
	skip  int // enclosing elements whose content is not text
	b     strings.Builder
	// raised names the text styles set above the line (superscript); spans holds whether
	// each enclosing text:span is of one: its digits are written as superscripts.
	raised map[string]bool
	spans  []bool
}

// readODFStyles reads the styles of an ODF part (styles.xml's named ones, content.xml's
// automatic ones, which come before its body) that change what the text says: into lists,
// each list style's levels (see odfLists); into raised, the text styles set above the line, a
// style:text-position of "super" or of a positive percentage ("33% 80%", as LibreOffice writes
// a footnote mark typed as superscript).
func readODFStyles(part []byte, deadline time.Time, lists map[string][]listLevel, raised map[string]bool) {
	var style, list string
	_ = walkXML(part, deadline, func(t xml.Token, tags []string) error {
		e, ok := t.(xml.StartElement)
		if !ok {
			return nil
		}
		switch e.Name.Local {
		case "body":
			return errStylesRead
		case "style":
			style = attrOf(e, "name")
		case "text-properties":
			pos, _, _ := strings.Cut(strings.TrimSpace(attrOf(e, "text-position")), " ")
			pct, err := strconv.ParseFloat(strings.TrimSuffix(pos, "%"), 64)
			if style != "" && (pos == "super" || (err == nil && strings.HasSuffix(pos, "%") && pct > 0)) {
				raised[style] = true
			}
		case "list-style":
			list = attrOf(e, "name")
			lists[list] = make([]listLevel, maxODFListLevels)
		case "list-level-style-number", "list-level-style-bullet", "list-level-style-image":
			n, err := strconv.Atoi(attrOf(e, "level"))
			if err != nil || n < 1 || n > maxODFListLevels || lists[list] == nil {
				return nil
			}
			l := listLevel{format: "bullet"}
			if e.Name.Local == "list-level-style-number" {
				l.format = odfNumFormats[attrOf(e, "num-format")]
				l.start, _ = strconv.Atoi(attrOf(e, "start-value"))
			}
			lists[list][n-1] = l
		}
		return nil
	})
}

// token feeds one XML token; it returns the paragraph's text when a paragraph closes.
func (p *odfText) token(t xml.Token) (line string, closed bool) {
	switch e := t.(type) {
	case xml.StartElement:
		switch e.Name.Local {
		case "tracked-changes", "annotation", "note-citation":
			p.skip++
		case "p", "h":
			if p.depth > 0 {
				p.b.WriteByte(' ')
			}
			p.depth++
		case "s":
			// text:s c="N" is N spaces, but a paragraph's spaces collapse to one (see
			// collapse): writing N would only let 20 bytes of XML make 100 of text.
			p.b.WriteByte(' ')
		case "tab":
			p.b.WriteByte('\t')
		case "line-break":
			p.b.WriteByte('\n')
		case "span":
			p.spans = append(p.spans, p.raised[attrOf(e, "style-name")])
		}
	case xml.CharData:
		if p.depth > 0 && p.skip == 0 {
			if slices.Contains(p.spans, true) {
				p.b.WriteString(superscript(string(e)))
			} else {
				p.b.Write(e)
			}
		}
	case xml.EndElement:
		switch e.Name.Local {
		case "span":
			if n := len(p.spans); n > 0 {
				p.spans = p.spans[:n-1]
			}
		case "tracked-changes", "annotation", "note-citation":
			p.skip = max(p.skip-1, 0)
		case "p", "h":
			if p.depth == 0 {
				return "", false
			}
			if p.depth--; p.depth == 0 {
				line = collapse(p.b.String())
				p.b.Reset()
				return line, true
			}
		}
	}
	return "", false
}

// parseODT reads a text document: text:h elements (outline level 1–10) split sections, lists
// are a line per item opened by its bullet or number (see odfLists), and a table is a line per
// row with its cells joined by " | ".
func parseODT(data []byte, limits zipLimits) (Parsed, error) {
	o, body, title, err := odfContent(data, limits, "text document")
	if err != nil {
		return Parsed{}, err
	}
	lists := odfLists{styles: map[string][]listLevel{}, last: map[string][]int{}}
	raised := map[string]bool{}
	if styles, err := o.part("styles.xml"); err == nil {
		readODFStyles(styles, limits.Deadline, lists.styles, raised)
	}
	readODFStyles(body, limits.Deadline, lists.styles, raised)
	doc := Parsed{Title: title}
	outline := newOutline(&doc)
	var (
		cur   Section
		text  strings.Builder
		p     = odfText{raised: raised}
		level int
		row   tableRow
		inDoc bool
	)
	err = walkXML(body, limits.Deadline, func(t xml.Token, tags []string) error {
		if e, ok := t.(xml.StartElement); ok {
			switch e.Name.Local {
			case "text":
				inDoc = inDoc || (len(tags) > 1 && tags[len(tags)-2] == "body")
			case "h":
				if p.depth == 0 {
					level = 1
					if n, err := strconv.Atoi(attrOf(e, "outline-level")); err == nil && n > 0 {
						level = min(n, 10)
					}
				}
			case "p":
				if p.depth == 0 {
					level = 0
				}
			}
		}
		if !inDoc {
			return nil
		}
		lists.token(t)
		line, closed := p.token(t)
		if closed {
			switch {
			case line == "":
			case level > 0:
				cur.Text = text.String()
				doc.Sections = append(doc.Sections, cur)
				text.Reset()
				cur = outline.enter(level, line, "")
				if outline.err != nil {
					return outline.err
				}
			case inTable(tags):
				row.add(line)
			default:
				text.WriteString(lists.marker() + line + "\n")
			}
			return nil
		}
		if e, ok := t.(xml.EndElement); ok {
			switch e.Name.Local {
			case "table-cell":
				if err := row.endCell(); err != nil {
					return err
				}
			case "table-row":
				if line, ok := row.end(); ok {
					text.WriteString(line + "\n")
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

// inTable reports a paragraph inside a table cell (the stack still holds the closing p).
func inTable(tags []string) bool {
	for _, t := range tags {
		if t == "table-cell" {
			return true
		}
	}
	return false
}

// maxODFRepeat bounds how often a repeated row or cell is written out: a sheet declares its
// unused remainder as one row repeated a million times, and such repeats hold no text anyway.
const maxODFRepeat = 100

// parseODS makes one section per sheet, each row after the header row a line
// "Header: value; …", as for .xlsx.
func parseODS(data []byte, limits zipLimits) (Parsed, error) {
	_, body, title, err := odfContent(data, limits, "spreadsheet")
	if err != nil {
		return Parsed{}, err
	}
	doc := Parsed{Title: title}
	var (
		name           string
		rows           [][]string
		row            []string
		cellText       []string
		rowRep, colRep int
		p              odfText
		cells          int // laid out in all sheets, against maxSheetCells
	)
	sheets := 0
	err = walkXML(body, limits.Deadline, func(t xml.Token, tags []string) error {
		if line, closed := p.token(t); closed {
			if line != "" {
				cellText = append(cellText, line)
			}
			return nil
		}
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "table":
				name, rows = attrOf(e, "name"), nil
			case "table-row":
				row = nil
				rowRep = repeat(attrOf(e, "number-rows-repeated"))
			case "table-cell", "covered-table-cell":
				cellText = nil
				colRep = repeat(attrOf(e, "number-columns-repeated"))
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "table-cell", "covered-table-cell":
				v := strings.Join(cellText, " ")
				if v == "" && len(row)+colRep > 16384 {
					colRep = 0 // trailing blank columns to the sheet's edge
				}
				n := min(colRep, 16384-len(row))
				if cells += n; cells > maxSheetCells {
					return errTooManyCells
				}
				for range n {
					row = append(row, v)
				}
			case "table-row":
				for len(row) > 0 && row[len(row)-1] == "" {
					row = row[:len(row)-1] // the blank columns to the sheet's edge
				}
				if len(row) > 0 {
					// Each repeat is laid out again (the cells were counted once above).
					if cells += (min(rowRep, maxODFRepeat) - 1) * len(row); cells > maxSheetCells {
						return errTooManyCells
					}
					for range min(rowRep, maxODFRepeat) {
						rows = append(rows, row)
					}
				}
			case "table":
				if sheets++; sheets > maxSections {
					return errTooManySections // each sheet is a section, as a heading's
				}
				heading := cmp.Or(name, fmt.Sprintf("Sheet %d", sheets))
				text, err := sheetText(rows)
				if err != nil {
					return fmt.Errorf("sheet %s: %w", heading, err)
				}
				doc.Sections = append(doc.Sections, Section{Headings: []string{heading}, Anchor: "sheet-" + strconv.Itoa(sheets),
					Page: sheets, Text: text})
			}
		}
		return nil
	})
	if err != nil {
		return Parsed{}, err
	}
	if sheets == 0 {
		return Parsed{}, errors.New("not an OpenDocument spreadsheet: no sheets found")
	}
	return doc, nil
}

// repeat reads a number-…-repeated attribute: 1 when absent or nonsense.
func repeat(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// parseODP makes one section per slide (draw:page), headed "Slide N: title" as for .pptx; the
// title is the text of the frame of presentation class "title". The speaker notes
// (presentation:notes) follow the slide's text, as for .pptx.
func parseODP(data []byte, limits zipLimits) (Parsed, error) {
	_, body, title, err := odfContent(data, limits, "presentation")
	if err != nil {
		return Parsed{}, err
	}
	doc := Parsed{Title: title}
	var (
		p            odfText
		lines, notes []string
		slideTitle   string
		titleFrame   bool
	)
	err = walkXML(body, limits.Deadline, func(t xml.Token, tags []string) error {
		if e, ok := t.(xml.StartElement); ok && e.Name.Local == "frame" {
			titleFrame = attrOf(e, "class") == "title"
		}
		if e, ok := t.(xml.EndElement); ok && e.Name.Local == "frame" {
			titleFrame = false
		}
		if line, closed := p.token(t); closed {
			switch {
			case line == "":
			case slices.Contains(tags, "notes"):
				notes = append(notes, line)
			case titleFrame && slideTitle == "":
				slideTitle = line
			default:
				lines = append(lines, line)
			}
			return nil
		}
		switch e := t.(type) {
		case xml.StartElement:
			if e.Name.Local == "page" {
				lines, notes, slideTitle = nil, nil, ""
			}
		case xml.EndElement:
			if e.Name.Local == "page" {
				if len(notes) > 0 {
					notes[0] = "Notes: " + notes[0]
				}
				return addSlide(&doc, slideTitle, append(lines, notes...))
			}
		}
		return nil
	})
	if err != nil {
		return Parsed{}, err
	}
	if len(doc.Sections) == 0 {
		return Parsed{}, errors.New("not an OpenDocument presentation: no slides found")
	}
	return doc, nil
}
