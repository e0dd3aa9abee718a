package sampledocs

import (
	"cmp"
	"encoding/binary"
	"math"
	"unicode/utf16"
)

// XLSCell is one cell of a generated Excel 97-2003 sheet: Text (a shared string), else Number,
// in the number format Format (General when zero). Formula stores the value as a formula's
// cached result instead (a string result in a STRING record after it).
type XLSCell struct {
	Row, Col int
	Text     string
	Number   float64
	Formula  bool
	Format   NumFmt
}

// XLSSheet is a worksheet of a generated workbook.
type XLSSheet struct {
	Name  string
	Cells []XLSCell
}

// XLSOptions varies a generated workbook.
type XLSOptions struct {
	// SplitStrings ends the shared string table's first record in the middle of its last
	// string, which goes on in a CONTINUE record, as Excel writes tables of more than 8 KB.
	SplitStrings bool
	// Encrypted adds a FILEPASS record; Version, when set, replaces BOF's 0x0600 (BIFF8).
	Encrypted bool
	Version   uint16
	// Book adds an Excel 5.0/95 "Book" stream beside the Workbook stream, as Excel 97's
	// "Microsoft Excel 97 & 5.0/95 Workbook" format writes both.
	Book bool
	// StreamName, when set, names the Workbook stream otherwise ("WORKBOOK": compound file
	// names compare without case).
	StreamName string
	// Date1904 sets the workbook's date system to 1904 (DATEMODE), as Excel for the Mac wrote
	// workbooks.
	Date1904 bool
}

// XLS returns an Excel 97-2003 workbook (BIFF8 records in a Workbook stream of a compound file)
// holding sheets. Shared strings of Latin-1 characters are written one byte each, others as
// UTF-16, as Excel does. The cells' number formats are cell formats (XF records) after the 15
// style formats Excel writes first, the custom ones among them also FORMAT records.
func XLS(sheets []XLSSheet, o XLSOptions) []byte {
	le := binary.LittleEndian
	record := func(b []byte, typ uint16, data []byte) []byte {
		b = le.AppendUint16(b, typ)
		b = le.AppendUint16(b, uint16(len(data)))
		return append(b, data...)
	}
	bof := func(dt uint16) []byte {
		d := le.AppendUint16(nil, cmpOr(o.Version, 0x0600))
		d = le.AppendUint16(d, dt)
		return append(d, make([]byte, 12)...)
	}
	// The shared strings, in first use.
	var strs []string
	index := map[string]int{}
	for _, sh := range sheets {
		for _, c := range sh.Cells {
			if c.Text != "" && !c.Formula {
				if _, ok := index[c.Text]; !ok {
					index[c.Text] = len(strs)
					strs = append(strs, c.Text)
				}
			}
		}
	}
	sst := le.AppendUint32(nil, uint32(len(strs)))
	sst = le.AppendUint32(sst, uint32(len(strs)))
	var cont []byte // the CONTINUE record's data, when the last string is split
	for i, s := range strs {
		u := utf16.Encode([]rune(s))
		wide := false
		for _, c := range u {
			wide = wide || c > 0xFF
		}
		sst = le.AppendUint16(sst, uint16(len(u)))
		chars := func(u []uint16) []byte {
			var b []byte
			for _, c := range u {
				if wide {
					b = le.AppendUint16(b, c)
				} else {
					b = append(b, byte(c))
				}
			}
			return b
		}
		if o.SplitStrings && i == len(strs)-1 && len(u) > 1 {
			half := len(u) / 2
			sst = append(append(sst, flag(wide)), chars(u[:half])...)
			cont = append([]byte{flag(wide)}, chars(u[half:])...)
			continue
		}
		sst = append(append(sst, flag(wide)), chars(u)...)
	}
	var used []NumFmt
	for _, sh := range sheets {
		for _, c := range sh.Cells {
			used = append(used, c.Format)
		}
	}
	formats, ids, xf := cellFormats(used)
	var globals []byte
	globals = record(globals, 0x0809, bof(0x0005))
	if o.Encrypted {
		globals = record(globals, 0x002F, make([]byte, 6))
	}
	date1904 := uint16(0)
	if o.Date1904 {
		date1904 = 1
	}
	globals = record(globals, 0x0022, le.AppendUint16(nil, date1904))
	for k, f := range formats {
		if f.Code != "" {
			u := utf16.Encode([]rune(f.Code))
			d := le.AppendUint16(le.AppendUint16(nil, uint16(ids[k])), uint16(len(u)))
			d = append(d, 1)
			for _, ch := range u {
				d = le.AppendUint16(d, ch)
			}
			globals = record(globals, 0x041E, d)
		}
	}
	// XF records: ifnt, ifmt, then flags (fStyle for the style formats) and the cell's look.
	for k := range 15 + len(formats) {
		d := make([]byte, 20)
		if k < 15 {
			le.PutUint16(d[4:], 0xFFF4) // a style format of no parent
		} else {
			le.PutUint16(d[2:], uint16(ids[k-15]))
		}
		globals = record(globals, 0x00E0, d)
	}
	// BOUNDSHEET records: their offsets are filled in once the sheets' places are known.
	var boundAt []int
	for _, sh := range sheets {
		d := make([]byte, 6)
		d = append(d, byte(len(sh.Name)), 0)
		d = append(d, sh.Name...)
		boundAt = append(boundAt, len(globals)+4)
		globals = record(globals, 0x0085, d)
	}
	globals = record(globals, 0x00FC, sst)
	if cont != nil {
		globals = record(globals, 0x003C, cont)
	}
	globals = record(globals, 0x000A, nil)
	book := globals
	for i, sh := range sheets {
		le.PutUint32(book[boundAt[i]:], uint32(len(book)))
		book = record(book, 0x0809, bof(0x0010))
		ixfe := func(c XLSCell) uint16 { return uint16(15 + xf[c.Format]) }
		rk := func(c XLSCell) (uint32, bool) { // an RK integer
			ok := !c.Formula && c.Text == "" && c.Number == math.Trunc(c.Number) && math.Abs(c.Number) < 1<<29
			return uint32(int32(c.Number))<<2 | 0x02, ok
		}
		for k := 0; k < len(sh.Cells); k++ {
			c := sh.Cells[k]
			head := le.AppendUint16(nil, uint16(c.Row))
			head = le.AppendUint16(head, uint16(c.Col))
			// RK numbers side by side in a row are one MULRK record, as Excel writes them:
			// the row, the first column, each number's XF and RK, the last column.
			run := head
			for n := k; n < len(sh.Cells); n++ {
				v, ok := rk(sh.Cells[n])
				if !ok || sh.Cells[n].Row != c.Row || sh.Cells[n].Col != c.Col+n-k {
					break
				}
				run = le.AppendUint32(le.AppendUint16(run, ixfe(sh.Cells[n])), v)
			}
			if n := (len(run) - 4) / 6; n > 1 {
				book = record(book, 0x00BD, le.AppendUint16(run, uint16(c.Col+n-1)))
				k += n - 1
				continue
			}
			head = le.AppendUint16(head, ixfe(c))
			v, isRK := rk(c)
			switch {
			case c.Formula && c.Text != "":
				v := []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}
				book = record(book, 0x0006, append(append(head, v...), make([]byte, 8)...))
				u := utf16.Encode([]rune(c.Text))
				s := le.AppendUint16(nil, uint16(len(u)))
				s = append(s, 1)
				for _, ch := range u {
					s = le.AppendUint16(s, ch)
				}
				// A record holds at most 8,224 bytes: longer text goes on in a CONTINUE
				// record, which starts with its characters' flags byte.
				typ := uint16(0x0207)
				for most := 3 + 2*4110; len(s) > most; most = 1 + 2*4111 {
					book = record(book, typ, s[:most])
					s, typ = append([]byte{1}, s[most:]...), 0x003C
				}
				book = record(book, typ, s)
			case c.Formula:
				book = record(book, 0x0006, append(le.AppendUint64(head, math.Float64bits(c.Number)), make([]byte, 8)...))
			case c.Text != "":
				book = record(book, 0x00FD, le.AppendUint32(head, uint32(index[c.Text])))
			case isRK:
				book = record(book, 0x027E, le.AppendUint32(head, v))
			default:
				book = record(book, 0x0203, le.AppendUint64(head, math.Float64bits(c.Number)))
			}
		}
		book = record(book, 0x000A, nil)
	}
	var streams []CFBStream
	if o.Book { // listed first, as Excel 97 writes a dual-format file
		streams = append(streams, CFBStream{"Book", make([]byte, 512)})
	}
	return CompoundFile(append(streams, CFBStream{cmp.Or(o.StreamName, "Workbook"), book})...)
}

func flag(wide bool) byte {
	if wide {
		return 1
	}
	return 0
}
