package sampledocs

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"sort"
	"strings"
)

// Zip returns an Office Open XML container holding parts (name → content).
func Zip(parts map[string]string) []byte {
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, _ := zw.Create(n) // writing to memory cannot fail
		w.Write([]byte(parts[n]))
	}
	zw.Close()
	return buf.Bytes()
}

func core(title string) string {
	return `<?xml version="1.0"?><cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>` +
		html.EscapeString(title) + `</dc:title></cp:coreProperties>`
}

// Para is a Word paragraph; Style is e.g. "Heading1", or empty for body text.
type Para struct{ Style, Text string }

// WordPara renders one paragraph of word/document.xml.
func WordPara(p Para) string {
	s := `<w:p>`
	if p.Style != "" {
		s += `<w:pPr><w:pStyle w:val="` + p.Style + `"/></w:pPr>`
	}
	return s + `<w:r><w:t>` + html.EscapeString(p.Text) + `</w:t></w:r></w:p>`
}

// DOCX returns a Word document with title in its properties and body as word/document.xml's body.
func DOCX(title, body string) []byte {
	return Zip(map[string]string{
		"word/document.xml": `<?xml version="1.0"?><w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`,
		"docProps/core.xml": core(title),
	})
}

// Slide is one PowerPoint slide: a title and its text lines, and (written by ODP) its speaker
// notes.
type Slide struct {
	Title string
	Lines []string
	Notes string
}

// PPTX returns a presentation of the slides.
func PPTX(title string, slides ...Slide) []byte {
	parts := map[string]string{"docProps/core.xml": core(title)}
	for i, s := range slides {
		var b strings.Builder
		b.WriteString(`<p:sld xmlns:p="p" xmlns:a="a">`)
		if s.Title != "" {
			b.WriteString(`<p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>` + html.EscapeString(s.Title) + `</a:t></a:r></a:p></p:txBody></p:sp>`)
		}
		b.WriteString(`<p:sp><p:txBody>`)
		for _, l := range s.Lines {
			b.WriteString(`<a:p><a:r><a:t>` + html.EscapeString(l) + `</a:t></a:r></a:p>`)
		}
		b.WriteString(`</p:txBody></p:sp></p:sld>`)
		parts[fmt.Sprintf("ppt/slides/slide%d.xml", i+1)] = b.String()
	}
	return Zip(parts)
}

// XLSX returns a workbook with one sheet of rows (the first row is the header), all cells
// inline strings.
func XLSX(title, sheet string, rows [][]string) []byte {
	cells := make([][]XLSXCell, len(rows))
	for i, row := range rows {
		for _, v := range row {
			cells[i] = append(cells[i], XLSXCell{Text: v})
		}
	}
	return XLSXSheet(title, sheet, cells, XLSXOptions{})
}

// XLSXCell is a cell of a generated workbook: Number, when set, is a number cell's value as
// stored ("45292.5"), in the number format Format (General when zero); otherwise the cell is the
// inline string Text, in Format all the same.
type XLSXCell struct {
	Text, Number string
	Format       NumFmt
}

// XLSXOptions varies a generated workbook.
type XLSXOptions struct {
	// Date1904 sets the workbook's date system to 1904 (workbookPr date1904), as Excel for
	// the Mac wrote workbooks until 2011.
	Date1904 bool
}

// XLSXSheet returns a workbook with one sheet of rows. The number formats its cells use are
// written to xl/styles.xml, a cell format (xf) each after the General one, and the custom ones
// among them as numFmts; a workbook that uses none has no styles part.
func XLSXSheet(title, sheet string, rows [][]XLSXCell, o XLSXOptions) []byte {
	var used []NumFmt
	for _, row := range rows {
		for _, c := range row {
			used = append(used, c.Format)
		}
	}
	formats, ids, xf := cellFormats(used)
	var b strings.Builder
	b.WriteString(`<worksheet><sheetData>`)
	for i, row := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for j, c := range row {
			style := ""
			if k := xf[c.Format]; k > 0 {
				style = fmt.Sprintf(` s="%d"`, k)
			}
			if c.Number != "" {
				fmt.Fprintf(&b, `<c r="%c%d"%s><v>%s</v></c>`, 'A'+j, i+1, style, html.EscapeString(c.Number))
			} else {
				fmt.Fprintf(&b, `<c r="%c%d"%s t="inlineStr"><is><t>%s</t></is></c>`, 'A'+j, i+1, style, html.EscapeString(c.Text))
			}
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	workbookPr := ""
	if o.Date1904 {
		workbookPr = `<workbookPr date1904="1"/>`
	}
	parts := map[string]string{
		"xl/workbook.xml":            `<workbook xmlns:r="r">` + workbookPr + `<sheets><sheet name="` + html.EscapeString(sheet) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   b.String(),
		"docProps/core.xml":          core(title),
	}
	if len(formats) > 1 {
		// The cell style's xf, in cellStyleXfs, is no cell format: cells index cellXfs only.
		var numFmts, cellXfs strings.Builder
		for k, f := range formats {
			if f.Code != "" {
				fmt.Fprintf(&numFmts, `<numFmt numFmtId="%d" formatCode="%s"/>`, ids[k], html.EscapeString(f.Code))
			}
			fmt.Fprintf(&cellXfs, `<xf numFmtId="%d" fontId="0" xfId="0" applyNumberFormat="1"/>`, ids[k])
		}
		parts["xl/styles.xml"] = `<styleSheet><numFmts>` + numFmts.String() + `</numFmts><cellStyleXfs count="1"><xf numFmtId="0" fontId="0"/></cellStyleXfs><cellXfs>` +
			cellXfs.String() + `</cellXfs></styleSheet>`
	}
	return Zip(parts)
}

// NumFmt is a cell's number format: a built-in one by its ID (14 is m/d/yyyy), or a custom
// Code, written to the workbook under ID, or under the next custom id (164 on) when ID is 0.
type NumFmt struct {
	ID   int
	Code string
}

// cellFormats lists the distinct formats of cells in first use after General: a cell's format
// (xf) is its format's index in the list, index[f], and ids are the formats' ids.
func cellFormats(cells []NumFmt) (formats []NumFmt, ids []int, index map[NumFmt]int) {
	formats, ids, index = []NumFmt{{}}, []int{0}, map[NumFmt]int{{}: 0}
	custom := 164
	for _, f := range cells {
		if _, ok := index[f]; ok {
			continue
		}
		index[f] = len(formats)
		formats = append(formats, f)
		id := f.ID
		if id == 0 && f.Code != "" {
			id, custom = custom, custom+1
		}
		ids = append(ids, id)
	}
	return formats, ids, index
}
