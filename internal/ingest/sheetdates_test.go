package ingest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/sampledocs"
)

// sheetCell is a cell of a workbook written both as .xlsx and as .xls: text, else a number in
// a number format; formula stores the number as a formula's result (.xls only).
type sheetCell struct {
	text    string
	number  float64
	format  sampledocs.NumFmt
	formula bool
}

// TestSpreadsheetDates: numbers in date and time formats read as ISO dates and times in both
// Excel formats, in either date system; other numbers, and text in a date format, as they are.
func TestSpreadsheetDates(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	var (
		date     = sampledocs.NumFmt{ID: 14} // m/d/yyyy, the file need not spell it out
		iso      = sampledocs.NumFmt{Code: "yyyy-mm-dd"}
		stamp    = sampledocs.NumFmt{Code: "yyyy-mm-dd hh:mm"}
		clock    = sampledocs.NumFmt{ID: 20} // h:mm
		elapsed  = sampledocs.NumFmt{Code: "[h]:mm"}
		percent  = sampledocs.NumFmt{ID: 10} // 0.00%
		grouped  = sampledocs.NumFmt{Code: "#,##0"}
		longDate = sampledocs.NumFmt{Code: `[$-409]mmmm d, yyyy;@`}
	)
	header := []sheetCell{{text: "Holiday"}, {text: "Date"}, {text: "Back"}, {text: "Starts"}, {text: "Length"}, {text: "Share"}, {text: "Budget"}}
	for _, tc := range []struct {
		name     string
		rows     [][]sheetCell
		date1904 bool
		want     string
	}{
		{"holidays", [][]sheetCell{header,
			{{text: "New Year"}, {number: 45292, format: date}, {number: 45293, format: iso}, {number: 45291.75, format: stamp},
				{number: 1.5, format: elapsed}, {number: 0.25, format: percent}, {number: 1234.5, format: grouped}},
			{{text: "Christmas Eve"}, {number: 45650, format: longDate, formula: true}, {text: "45651", format: date},
				{number: 0.5625, format: clock}, {number: 45650.5}},
		}, false, `== chunk heading="S" anchor="sheet-1" page=1
Holiday | Date | Back | Starts | Length | Share | Budget
Holiday: New Year; Date: 2024-01-01; Back: 2024-01-02; Starts: 2023-12-31 18:00; Length: 36:00; Share: 0.25; Budget: 1234.5
Holiday: Christmas Eve; Date: 2024-12-24; Back: 45651; Starts: 13:30; Length: 45650.5
`},
		// Excel for the Mac counted from 1904: the same day is 1,462 days fewer.
		{"mac", [][]sheetCell{{{text: "Date"}}, {{number: 43830, format: date}}}, true, `== chunk heading="S" anchor="sheet-1" page=1
Date
Date: 2024-01-01
`},
	} {
		var xlsx [][]sampledocs.XLSXCell
		var xls []sampledocs.XLSCell
		for r, row := range tc.rows {
			xlsx = append(xlsx, nil)
			for c, v := range row {
				cell := sampledocs.XLSXCell{Text: v.text, Format: v.format}
				if v.text == "" {
					cell.Number = strconv.FormatFloat(v.number, 'f', -1, 64)
				}
				xlsx[r] = append(xlsx[r], cell)
				xls = append(xls, sampledocs.XLSCell{Row: r, Col: c, Text: v.text, Number: v.number, Format: v.format, Formula: v.formula})
			}
		}
		t.Run(tc.name+".xlsx", func(t *testing.T) {
			checkLayout(t, x, tc.name+".xlsx", sampledocs.XLSXSheet("", "S", xlsx, sampledocs.XLSXOptions{Date1904: tc.date1904}), "title: "+tc.name+"\n"+tc.want)
		})
		t.Run(tc.name+".xls", func(t *testing.T) {
			checkLayout(t, x, tc.name+".xls", sampledocs.XLS([]sampledocs.XLSSheet{{Name: "S", Cells: xls}}, sampledocs.XLSOptions{Date1904: tc.date1904}), "title: "+tc.name+"\n"+tc.want)
		})
	}
}

// TestSpreadsheetDatesFromLibreOffice reads workbooks that LibreOffice wrote
// (testdata/sheetdates/make.sh) in both Excel formats and both date systems: its number formats
// are custom ones that escape their separators ("yyyy\-mm\-dd"), its .xls has the XF and FORMAT
// records of a real writer.
func TestSpreadsheetDatesFromLibreOffice(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	for _, name := range []string{"holidays.xlsx", "holidays.xls", "holidays1904.xlsx", "holidays1904.xls"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "sheetdates", name))
			if err != nil {
				t.Fatal(err)
			}
			checkLayout(t, x, name, data, `title: `+strings.TrimSuffix(name, filepath.Ext(name))+`
== chunk heading="Holidays" anchor="sheet-1" page=1
Holiday | Date | Long | Starts | Opens | Length | Share | Staff
Holiday: Christmas Eve; Date: 2024-12-24; Long: 2024-12-24; Starts: 2024-12-24 13:30; Opens: 09:15; Length: 36:00; Share: 0.25; Staff: 12
`)
		})
	}
}

// TestXLSXDamagedStyles: a fault in xl/styles.xml does not fail a workbook that was read without
// its formats before; the cell formats read up to the fault still apply.
func TestXLSXDamagedStyles(t *testing.T) {
	t.Parallel()
	data := sampledocs.Zip(map[string]string{
		"xl/workbook.xml":          `<workbook><sheets><sheet name="S"/></sheets></workbook>`,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row><c r="A1" t="inlineStr"><is><t>Date</t></is></c><c r="B1" t="inlineStr"><is><t>Count</t></is></c></row><row><c r="A2" s="1"><v>45292</v></c><c r="B2" s="2"><v>45292</v></c></row></sheetData></worksheet>`,
		"xl/styles.xml":            `<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="14"`,
	})
	doc, err := parseXLSX(data, defaultZipLimits)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Date | Count\nDate: 2024-01-01; Count: 45292\n"; len(doc.Sections) != 1 || doc.Sections[0].Text != want {
		t.Errorf("got %+v, want one section of %q", doc.Sections, want)
	}
}
