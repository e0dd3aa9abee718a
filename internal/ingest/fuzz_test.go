package ingest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/sampledocs"
	"github.com/docent-search/docent/internal/source"
)

// FuzzParse feeds arbitrary bytes to every parser through Parse and the chunker: no panic, no
// hang past the timeout, and chunks that are valid UTF-8 slices of the body.
func FuzzParse(f *testing.F) {
	f.Add("a.md", []byte("# T\n\n## S\n\ntext. More text.\n```\n# code\n```\n"))
	f.Add("a.html", []byte("<html><head><title>t</title></head><body><h1 id=x>H</h1><p>p</p><script>s</script></body></html>"))
	f.Add("a.txt", []byte("Title\n\nbody \xff\x00 text"))
	f.Add("a.csv", []byte("a,b\n1,\"2\n3\"\n"))
	f.Add("a.docx", sampledocs.DOCX("T", sampledocs.WordPara(sampledocs.Para{Style: "Heading1", Text: "H"})))
	f.Add("a.xlsx", sampledocs.XLSX("T", "S", [][]string{{"h"}, {"v"}}))
	f.Add("d.xlsx", sampledocs.XLSXSheet("T", "S", [][]sampledocs.XLSXCell{{{Text: "h"}}, {{Number: "45292.5", Format: sampledocs.NumFmt{Code: `[$-409]d\ mmm"x"yy h:mm`}}}}, sampledocs.XLSXOptions{Date1904: true}))
	f.Add("a.pptx", sampledocs.PPTX("T", sampledocs.Slide{Title: "t", Lines: []string{"l"}}))
	f.Add("a.odt", sampledocs.ODT("T", sampledocs.ODTHeading(1, "H")+sampledocs.ODTTable([][]string{{"a", "b"}})))
	f.Add("a.ods", sampledocs.ODS("T", "S", [][]string{{"h"}, {"v"}}))
	f.Add("a.odp", sampledocs.ODP("T", sampledocs.Slide{Title: "t", Lines: []string{"l"}}))
	f.Add("a.rtf", sampledocs.RTF("T", sampledocs.Para{Style: "Heading1", Text: "H"}, sampledocs.Para{Text: "café 東京"}))
	f.Add("a.doc", sampledocs.WordDoc("T\rA\x07B\x07\x07\x13 F \x14r\x15\r", sampledocs.WordDocOptions{}))
	f.Add("c.doc", sampledocs.WordDoc("café\r", sampledocs.WordDocOptions{Compressed: true}))
	f.Add("n.doc", sampledocs.WordDoc("T\x02\r", sampledocs.WordDocOptions{Footnotes: "\x02 n\r"}))
	f.Add("t.doc", sampledocs.WordDoc("H\rA\x07\x07B\x07\x07\r", sampledocs.WordDocOptions{Headings: map[int]int{0: 1}, RowEnds: map[int]bool{4: true}}))
	f.Add("l.docx", sampledocs.Zip(map[string]string{
		"word/document.xml": `<w:document><w:body><w:p><w:pPr><w:pStyle w:val="LB"/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr>` +
			`<w:r><w:t>a</w:t><w:footnoteReference w:id="2"/><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>b</w:t></w:r></w:p></w:txbxContent></mc:Choice>` +
			`<mc:Fallback><w:p/></mc:Fallback></mc:AlternateContent></w:r></w:p></w:body></w:document>`,
		"word/numbering.xml": `<w:numbering><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="1"><w:start w:val="-3"/><w:numFmt w:val="upperRoman"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`,
		"word/styles.xml":    `<w:styles><w:style w:styleId="LB"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>`,
		"word/footnotes.xml": `<w:footnotes><w:footnote w:id="2"><w:p><w:r><w:t>n</w:t></w:r></w:p></w:footnote></w:footnotes>`,
	}))
	f.Add("r.docx", sampledocs.Zip(map[string]string{
		"word/document.xml":  `<w:document><w:body><w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>a</w:t></w:r></w:p></w:body></w:document>`,
		"word/numbering.xml": `<w:numbering><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="1"><w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum><w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="2147483647"/></w:lvlOverride></w:num></w:numbering>`,
	}))
	f.Add("l.odt", sampledocs.ODTStyled("T", `<text:list-style style:name="N"><text:list-level-style-number text:level="2" style:num-format="i" text:start-value="9999"/></text:list-style>`,
		`<text:list text:style-name="N"><text:list-item><text:list><text:list-item><text:p>x</text:p></text:list-item></text:list></text:list-item></text:list>`))
	f.Add("a.xls", sampledocs.XLS([]sampledocs.XLSSheet{{Name: "S", Cells: []sampledocs.XLSCell{{Text: "h"}, {Row: 1, Text: "v"}, {Row: 1, Col: 1, Number: 2.5, Format: sampledocs.NumFmt{Code: "[h]:mm:ss"}}, {Row: 1, Col: 2, Number: 45292, Format: sampledocs.NumFmt{ID: 14}}}}}, sampledocs.XLSOptions{SplitStrings: true, Date1904: true}))
	f.Add("a.ppt", sampledocs.PPT([]sampledocs.Slide{{Title: "t", Lines: []string{"l\vm"}}}, sampledocs.PPTOptions{InBoxes: true, Notes: map[int]string{0: "n"}}))
	f.Add("stale.ppt", sampledocs.PPT([]sampledocs.Slide{{Title: "t"}}, sampledocs.PPTOptions{Stale: true}))
	f.Add("a.eml", sampledocs.EML("a@b", "c@d", "S", "Mon, 2 Mar 2026 09:00:00 +0000", "body", "<p>b</p>", sampledocs.File{Name: "x.txt", Data: []byte("x")}))
	f.Add("a.msg", sampledocs.MSG(sampledocs.Outlook{SenderName: "A", SenderAddress: "a@b", To: "C", Subject: "S", Sent: time.Unix(0, 0), Body: "body",
		Attachments: []sampledocs.File{{Name: "x.txt", Data: []byte("x")}}, Embedded: []sampledocs.Outlook{{Subject: "E", Body: "b"}}}))
	f.Add("rtf.msg", sampledocs.MSG(sampledocs.Outlook{Subject: "S", CodePage: 1252, RTF: rtfSpecExample}))
	f.Add("deep.msg", deepStorages("__substg1.0_0037001F", 33))
	// Hostile shapes of each format, small enough to mutate: nesting, huge counts and sizes.
	f.Add("deep.md", []byte(strings.Repeat("> - ", 40)+"x\n"+strings.Repeat("  ", 40)+"1. y\n"))
	f.Add("emph.md", []byte(strings.Repeat("*_[![", 50)+"x"+strings.Repeat("](u)_*", 50)))
	f.Add("fence.md", []byte("```\n# not a heading\n~~~\n<div>\n"))
	f.Add("deep.html", []byte(strings.Repeat("<div><ul><li><table><tr><td>", 30)+"x<h1>h</h1>"))
	f.Add("deep.rtf", []byte(`{\rtf1\ansicpg932 `+strings.Repeat(`{\*\x `, 30)+`\u-1\uc9999 \'8a\'bf\bin99999 x}`))
	f.Add("deep.eml", []byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: message/rfc822\r\n\r\n"+
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\nGyRCJEgbKEI=\r\n--b--\r\n--a--\r\n"))
	f.Add("lie.odt", lyingZip("content.xml", []byte(`<office:body><office:text><text:h text:outline-level="99999999999">h</text:h><text:s text:c="-5"/></office:text></office:body>`), 1<<40))
	f.Add("rep.ods", sampledocs.Zip(map[string]string{"content.xml": `<table:table><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row></table:table>`}))
	x := &Extractor{Timeout: 2 * time.Second}
	defer x.Close()
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if source.Supported(name) == "pdf" {
			return // PDFium is fuzzed upstream; starting it per input would be slow
		}
		doc, err := x.Parse(name, data)
		if err != nil {
			return
		}
		body, chunks := Layout(doc, DefaultChunkOptions)
		for _, c := range chunks {
			if c.Start < 0 || c.End > len(body) || c.Start > c.End || body[c.Start:c.End] != c.Text {
				t.Fatalf("chunk %d-%d does not slice the body", c.Start, c.End)
			}
			if !utf8.ValidString(c.Text) || strings.ContainsRune(c.Text, 0) {
				t.Fatalf("chunk text is not clean UTF-8: %q", c.Text)
			}
		}
	})
}
