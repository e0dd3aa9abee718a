package sampledocs

import (
	"fmt"
	"html"
	"strings"
)

// OpenDocument files are zip archives of XML parts, like Office Open XML: these writers make
// the smallest valid ones, so the parsers' tests build them from text.

const odfNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ` +
	`xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"`

func odf(mimetype, title, styles, body string) []byte {
	return Zip(map[string]string{
		"mimetype": mimetype,
		"meta.xml": `<?xml version="1.0"?><office:document-meta ` + odfNS + `><office:meta><dc:title>` + html.EscapeString(title) + `</dc:title></office:meta></office:document-meta>`,
		"content.xml": `<?xml version="1.0"?><office:document-content ` + odfNS + `><office:automatic-styles>` + styles +
			`</office:automatic-styles><office:body>` + body + `</office:body></office:document-content>`,
	})
}

// ODT returns a text document whose office:text holds body (text:h, text:p, text:list,
// table:table elements).
func ODT(title, body string) []byte { return ODTStyled(title, "", body) }

// ODTStyled is ODT with automatic styles (text:list-style elements, for one).
func ODTStyled(title, styles, body string) []byte {
	return odf("application/vnd.oasis.opendocument.text", title, styles, `<office:text>`+body+`</office:text>`)
}

// ODTHeading and ODTPara write a heading of the given outline level and a paragraph.
func ODTHeading(level int, text string) string {
	return fmt.Sprintf(`<text:h text:outline-level="%d">%s</text:h>`, level, html.EscapeString(text))
}

func ODTPara(text string) string { return `<text:p>` + html.EscapeString(text) + `</text:p>` }

// ODTTable writes a table of rows, each cell a paragraph.
func ODTTable(rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<table:table table:name="T">`)
	for _, r := range rows {
		b.WriteString(`<table:table-row>`)
		for _, c := range r {
			b.WriteString(`<table:table-cell>` + ODTPara(c) + `</table:table-cell>`)
		}
		b.WriteString(`</table:table-row>`)
	}
	b.WriteString(`</table:table>`)
	return b.String()
}

// ODS returns a spreadsheet with one sheet of rows (the first is the header). Every row ends in
// the run of empty columns and the sheet in the million repeated empty rows LibreOffice writes.
func ODS(title, sheet string, rows [][]string) []byte {
	var b strings.Builder
	b.WriteString(`<office:spreadsheet><table:table table:name="` + html.EscapeString(sheet) + `">`)
	for _, r := range rows {
		b.WriteString(`<table:table-row>`)
		for _, c := range r {
			if c == "" {
				b.WriteString(`<table:table-cell/>`)
				continue
			}
			b.WriteString(`<table:table-cell office:value-type="string">` + ODTPara(c) + `</table:table-cell>`)
		}
		b.WriteString(`<table:table-cell table:number-columns-repeated="16380"/></table:table-row>`)
	}
	b.WriteString(`<table:table-row table:number-rows-repeated="1048571"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`)
	b.WriteString(`</table:table></office:spreadsheet>`)
	return odf("application/vnd.oasis.opendocument.spreadsheet", title, "", b.String())
}

// ODP returns a presentation of the slides; each slide's lines are also given speaker notes,
// which are not slide text.
func ODP(title string, slides ...Slide) []byte {
	var b strings.Builder
	b.WriteString(`<office:presentation>`)
	for i, s := range slides {
		fmt.Fprintf(&b, `<draw:page draw:name="page%d">`, i+1)
		if s.Title != "" {
			b.WriteString(`<draw:frame presentation:class="title"><draw:text-box>` + ODTPara(s.Title) + `</draw:text-box></draw:frame>`)
		}
		b.WriteString(`<draw:frame presentation:class="outline"><draw:text-box><text:list>`)
		for _, l := range s.Lines {
			b.WriteString(`<text:list-item>` + ODTPara(l) + `</text:list-item>`)
		}
		b.WriteString(`</text:list></draw:text-box></draw:frame>`)
		b.WriteString(`<presentation:notes><draw:page-thumbnail/><draw:frame presentation:class="notes"><draw:text-box>`)
		if s.Notes != "" {
			b.WriteString(ODTPara(s.Notes))
		}
		b.WriteString(`</draw:text-box></draw:frame></presentation:notes>`)
		b.WriteString(`</draw:page>`)
	}
	b.WriteString(`</office:presentation>`)
	return odf("application/vnd.oasis.opendocument.presentation", title, "", b.String())
}
