package ingest

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Excel 97-2003 workbooks (.xls) are read from their Workbook stream, a sequence of BIFF8
// records ([MS-XLS] 2.1.4): the workbook's globals (the sheets' names and offsets, the shared
// string table) and, for each worksheet, its cells. Cells holding text (LABELSST, LABEL), numbers
// (NUMBER, RK, MULRK) and formulas' cached results are laid out as an .xlsx sheet is (tableText:
// "Header: value; …"), a number in a date or time format as an ISO date or time (numfmt.go):
// each number cell names its cell format (an XF record), which names its number format, a
// built-in one or a FORMAT record's. Each record is bounded by its stream, and the cells by
// maxSheetCells, so a damaged or hostile file fails with a reason.

// BIFF8 record types.
const (
	xlsBOF        = 0x0809
	xlsEOF        = 0x000A
	xlsBoundSheet = 0x0085
	xlsSST        = 0x00FC
	xlsContinue   = 0x003C
	xlsLabelSST   = 0x00FD
	xlsLabel      = 0x0204
	xlsNumber     = 0x0203
	xlsRK         = 0x027E
	xlsMulRK      = 0x00BD
	xlsFormula    = 0x0006
	xlsString     = 0x0207
	xlsFilePass   = 0x002F
	xlsXF         = 0x00E0
	xlsFormat     = 0x041E
	xlsDateMode   = 0x0022
)

// xlsRecord is one record, with the CONTINUE records after it as further parts.
type xlsRecord struct {
	typ   uint16
	parts [][]byte
}

// xlsRecords calls f with each record of a BIFF stream, from offset at until EOF. A record's
// parts are valid only during the call: the records are not kept, as a slice of them took 46
// times the stream (8 MB of empty 4-byte records, 370 MB).
func xlsRecords(b []byte, at int, f func(xlsRecord) error) error {
	var parts [][]byte
	for at+4 <= len(b) {
		typ := binary.LittleEndian.Uint16(b[at:])
		parts = parts[:0]
		for {
			n := int(binary.LittleEndian.Uint16(b[at+2:]))
			if at+4+n > len(b) {
				return errors.New("damaged Excel workbook: a record runs past the end of its stream")
			}
			parts = append(parts, b[at+4:at+4+n])
			if at += 4 + n; at+4 > len(b) || binary.LittleEndian.Uint16(b[at:]) != xlsContinue {
				break
			}
		}
		if err := f(xlsRecord{typ, parts}); err != nil {
			return err
		}
		if typ == xlsEOF {
			break
		}
	}
	return nil
}

// parseXLS extracts the sheets of an Excel 97-2003 workbook.
func parseXLS(data []byte, deadline time.Time) (Parsed, error) {
	book, err := xlsWorkbook(data)
	if err != nil {
		return Parsed{}, err
	}
	return parseXLSBook(book, deadline)
}

// parseXLSBook extracts the sheets of a Workbook stream.
func parseXLSBook(book []byte, deadline time.Time) (Parsed, error) {
	type sheetAt struct {
		name string
		at   int
	}
	var sheets []sheetAt
	var sst []string
	var xfs []int                 // each cell format's number format id, by ixfe
	custom := map[int]numFormat{} // the FORMAT records' number formats, by id
	date1904 := false             // DATEMODE: the workbook's dates count from 1904
	first := true
	old := ErrSkip{Reason: "an Excel 5.0/95 or older workbook: open it in Excel or LibreOffice and save it as .xlsx"}
	err := xlsRecords(book, 0, func(r xlsRecord) error {
		if first {
			if first = false; r.typ != xlsBOF || len(r.parts[0]) < 4 || binary.LittleEndian.Uint16(r.parts[0]) != 0x0600 {
				return old
			}
		}
		switch r.typ {
		case xlsFilePass:
			return ErrSkip{Reason: "encrypted Excel workbook (password-protected)"}
		case xlsBoundSheet:
			p := r.parts[0]
			// A worksheet's (dt 0) offset, visibility, type and name.
			if len(p) >= 8 && p[5] == 0 {
				if len(sheets) == maxSections {
					return errTooManySections // each sheet is a section, as a heading's
				}
				name, _ := xlsShortString(p[6:])
				sheets = append(sheets, sheetAt{name, int(binary.LittleEndian.Uint32(p))})
			}
		case xlsSST:
			var err error
			if sst, err = xlsSharedStrings(r.parts, deadline); err != nil {
				return err
			}
		case xlsXF:
			if p := r.parts[0]; len(p) >= 4 && len(xfs) < maxCellFormats {
				xfs = append(xfs, int(binary.LittleEndian.Uint16(p[2:])))
			}
		case xlsFormat:
			if p := r.parts[0]; len(p) >= 2 {
				if code, ok := xlsString16(p[2:]); ok {
					custom[int(binary.LittleEndian.Uint16(p))] = parseNumFormat(code)
				}
			}
		case xlsDateMode:
			date1904 = len(r.parts[0]) >= 2 && binary.LittleEndian.Uint16(r.parts[0]) == 1
		}
		return nil
	})
	if err == nil && first {
		err = old
	}
	if err != nil {
		return Parsed{}, err
	}
	formats := cellFormatsOf(xfs, custom)
	// number is the text of a number cell of cell format ixfe.
	number := func(v float64, ixfe uint16) string {
		if int(ixfe) < len(formats) {
			if d, ok := formats[ixfe].text(v, date1904); ok {
				return d
			}
		}
		return xlsNumberText(v)
	}
	var doc Parsed
	cells := 0
	for i, sh := range sheets {
		if time.Now().After(deadline) {
			return Parsed{}, errParseDeadline
		}
		if sh.at < 0 || sh.at >= len(book) {
			return Parsed{}, fmt.Errorf("damaged Excel workbook: sheet %s lies outside the file", sh.name)
		}
		type cell struct {
			row, col int
			v        string
		}
		var grid []cell
		set := func(row, col int, v string) error {
			if v = strings.TrimSpace(v); v == "" {
				return nil
			}
			if col >= maxRowCells {
				return errRowTooWide
			}
			if cells++; cells > maxSheetCells {
				return errTooManyCells
			}
			grid = append(grid, cell{row, col, v})
			return nil
		}
		pendingString := [2]int{-1, -1} // a formula whose string result is the next STRING record
		records := 0
		err := xlsRecords(book, sh.at, func(r xlsRecord) error {
			if records++; records%4096 == 0 && time.Now().After(deadline) {
				return errParseDeadline
			}
			p := r.parts[0]
			if len(p) < 6 && r.typ != xlsString {
				return nil
			}
			var row, col int
			var ixfe uint16 // the cell's format, but in a MULRK
			if len(p) >= 6 {
				row, col, ixfe = int(binary.LittleEndian.Uint16(p)), int(binary.LittleEndian.Uint16(p[2:])), binary.LittleEndian.Uint16(p[4:])
			}
			var err error
			switch r.typ {
			case xlsLabelSST:
				if len(p) >= 10 {
					if k := int(binary.LittleEndian.Uint32(p[6:])); k < len(sst) {
						err = set(row, col, sst[k])
					}
				}
			case xlsLabel:
				if len(p) >= 9 {
					s, _ := xlsString16(p[6:])
					err = set(row, col, s)
				}
			case xlsNumber:
				if len(p) >= 14 {
					err = set(row, col, number(math.Float64frombits(binary.LittleEndian.Uint64(p[6:])), ixfe))
				}
			case xlsRK:
				if len(p) >= 10 {
					err = set(row, col, number(xlsRKValue(binary.LittleEndian.Uint32(p[6:])), ixfe))
				}
			case xlsMulRK:
				// Each number has its format and RK value (rgrkrec), after the row and first column.
				for k, c := 0, col; 4+6*k+6 <= len(p)-2; k, c = k+1, c+1 {
					rk := p[4+6*k:]
					if err = set(row, c, number(xlsRKValue(binary.LittleEndian.Uint32(rk[2:])), binary.LittleEndian.Uint16(rk))); err != nil {
						break
					}
				}
			case xlsFormula:
				if len(p) >= 14 {
					v := p[6:14]
					if binary.LittleEndian.Uint16(v[6:]) != 0xFFFF {
						err = set(row, col, number(math.Float64frombits(binary.LittleEndian.Uint64(v)), ixfe))
					} else if v[0] == 0 {
						pendingString = [2]int{row, col}
					}
				}
			case xlsString:
				if pendingString[0] >= 0 {
					// Its characters can go on in CONTINUE records, as a shared string's do.
					sr := &xlsReader{parts: r.parts}
					n := int(sr.u16())
					s := sr.chars(n, sr.byte()&0x01 != 0)
					err = set(pendingString[0], pendingString[1], s)
					pendingString = [2]int{-1, -1}
				}
			}
			return err
		})
		if err != nil {
			return Parsed{}, fmt.Errorf("sheet %s: %w", sh.name, err)
		}
		// The rows that hold a cell, in order, each as wide as its last cell; a cell written
		// twice keeps its last value. The blanks laid out before a cell count against
		// maxSheetCells, as .xlsx counts them: one number in column 16,384 of each row would
		// otherwise lay out 16,384 empty strings per 14-byte record.
		slices.SortStableFunc(grid, func(a, b cell) int { return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col)) })
		var rows [][]string
		for k, c := range grid {
			if k == 0 || c.row != grid[k-1].row {
				rows = append(rows, nil)
			}
			line := rows[len(rows)-1]
			if cells += max(c.col-len(line), 0); cells > maxSheetCells {
				return Parsed{}, fmt.Errorf("sheet %s: %w", sh.name, errTooManyCells)
			}
			for len(line) < c.col {
				line = append(line, "")
			}
			rows[len(rows)-1] = append(line[:c.col], c.v)
		}
		text, err := sheetText(rows)
		if err != nil {
			return Parsed{}, fmt.Errorf("sheet %s: %w", sh.name, err)
		}
		doc.Sections = append(doc.Sections, Section{Headings: []string{sh.name}, Anchor: "sheet-" + strconv.Itoa(i+1), Page: i + 1, Text: text})
	}
	return doc, nil
}

// xlsWorkbook returns the Workbook stream of the compound file. A dual-format file (Excel 97 &
// 5.0/95) holds both that and the Excel 95 Book stream: Book decides only when there is no
// Workbook stream.
func xlsWorkbook(data []byte) ([]byte, error) {
	streams, err := compoundStreams(data, "Excel 97-2003 workbook", topLevel("Workbook", "Book"))
	switch {
	case err != nil:
		return nil, err
	case streams["Workbook"] != nil:
		return streams["Workbook"], nil
	case streams["Book"] != nil:
		return nil, ErrSkip{Reason: "an Excel 5.0/95 workbook: open it in Excel or LibreOffice and save it as .xlsx"}
	}
	return nil, errors.New("not an Excel 97-2003 workbook: no Workbook stream")
}

// xlsSharedStrings reads the shared string table: its counts, then strings that may continue
// from one part (a CONTINUE record) to the next, where the characters go on with a new byte
// saying whether they are one byte or two.
func xlsSharedStrings(parts [][]byte, deadline time.Time) ([]string, error) {
	r := &xlsReader{parts: parts}
	r.skip(4)
	unique := int(r.u32())
	if unique > maxSheetCells {
		return nil, fmt.Errorf("damaged Excel workbook: %d shared strings", unique)
	}
	out := make([]string, 0, min(unique, 1<<16))
	for i := 0; i < unique && !r.done(); i++ {
		if i%4096 == 0 && time.Now().After(deadline) {
			return nil, errParseDeadline
		}
		cch := int(r.u16())
		flags := r.byte()
		runs, ext := 0, 0
		if flags&0x08 != 0 {
			runs = int(r.u16())
		}
		if flags&0x04 != 0 {
			ext = int(r.u32())
		}
		out = append(out, r.chars(cch, flags&0x01 != 0))
		r.skip(4*runs + ext)
	}
	return out, nil
}

// xlsReader reads across a record's parts; past the end it reads zeros.
type xlsReader struct {
	parts [][]byte
	i, at int
}

func (r *xlsReader) done() bool { return r.i >= len(r.parts) }

// next moves to the next part when the current one is read to its end.
func (r *xlsReader) next() {
	for r.i < len(r.parts) && r.at >= len(r.parts[r.i]) {
		r.i, r.at = r.i+1, 0
	}
}

func (r *xlsReader) byte() byte {
	if r.next(); r.done() {
		return 0
	}
	b := r.parts[r.i][r.at]
	r.at++
	return b
}

func (r *xlsReader) u16() uint16 { return uint16(r.byte()) | uint16(r.byte())<<8 }

func (r *xlsReader) u32() uint32 { return uint32(r.u16()) | uint32(r.u16())<<16 }

func (r *xlsReader) skip(n int) {
	for n > 0 {
		if r.next(); r.done() {
			return
		}
		k := min(n, len(r.parts[r.i])-r.at)
		r.at, n = r.at+k, n-k
	}
}

// chars reads n characters, one or two bytes each (wide); a part boundary inside them starts
// with a byte saying which the rest are.
func (r *xlsReader) chars(n int, wide bool) string {
	var u []uint16
	for len(u) < n {
		if r.next(); r.done() {
			break
		}
		if r.at == 0 && len(u) > 0 {
			wide = r.parts[r.i][0]&0x01 != 0
			r.at = 1
			continue
		}
		if wide {
			u = append(u, r.u16())
		} else {
			u = append(u, uint16(r.byte()))
		}
	}
	return string(utf16.Decode(u))
}

// xlsShortString reads a ShortXLUnicodeString: a one-byte count, a flags byte, the characters.
func xlsShortString(p []byte) (string, bool) {
	if len(p) < 2 {
		return "", false
	}
	return xlsChars(p[2:], int(p[0]), p[1]&0x01 != 0)
}

// xlsString16 reads an XLUnicodeString: a two-byte count, a flags byte, the characters.
func xlsString16(p []byte) (string, bool) {
	if len(p) < 3 {
		return "", false
	}
	return xlsChars(p[3:], int(binary.LittleEndian.Uint16(p)), p[2]&0x01 != 0)
}

// xlsChars decodes n characters of p, UTF-16 when wide, else one byte each (ISO-8859-1, as
// the format's "compressed" characters are the low bytes of UTF-16).
func xlsChars(p []byte, n int, wide bool) (string, bool) {
	if wide {
		if 2*n > len(p) {
			return "", false
		}
		return utf16LE(p[:2*n]), true
	}
	if n > len(p) {
		return "", false
	}
	return latin1(p[:n]), true
}

// xlsRKValue decodes an RK number: a 30-bit integer or the high 30 bits of a float64, divided
// by 100 when its lowest bit says so.
func xlsRKValue(rk uint32) float64 {
	var v float64
	if rk&0x02 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^0x03) << 32)
	}
	if rk&0x01 != 0 {
		v /= 100
	}
	return v
}

// xlsNumberText writes a number as a spreadsheet shows it by default: without a needless
// fraction or exponent.
func xlsNumberText(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
