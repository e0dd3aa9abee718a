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

// Slide is one PowerPoint slide: a title and its text lines.
type Slide struct {
	Title string
	Lines []string
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
	var b strings.Builder
	b.WriteString(`<worksheet><sheetData>`)
	for i, row := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for j, v := range row {
			fmt.Fprintf(&b, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+j, i+1, html.EscapeString(v))
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return Zip(map[string]string{
		"xl/workbook.xml":            `<workbook xmlns:r="r"><sheets><sheet name="` + html.EscapeString(sheet) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   b.String(),
		"docProps/core.xml":          core(title),
	})
}
