package ingest

import (
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// docClx returns a Clx of pieces, each the character positions cps[i]..cps[i+1] at fc.
func docClx(cps []uint32, fcs []uint32) []byte {
	le := binary.LittleEndian
	var plc []byte
	for _, cp := range cps {
		plc = le.AppendUint32(plc, cp)
	}
	for _, fc := range fcs {
		plc = append(plc, 0, 0)
		plc = le.AppendUint32(plc, fc)
		plc = append(plc, 0, 0)
	}
	clx := le.AppendUint32([]byte{0x02}, uint32(len(plc)))
	return append(clx, plc...)
}

// TestDOCPiecesCannotMultiplyTheText: a hostile piece table whose pieces all claim the same
// characters (or more characters than the stream holds) is read at most once over: before,
// 2,000 pieces over one 16 KB stream were read as 2,000 copies of it, and a 10 MB file could
// claim terabytes before the extracted-text limit was checked.
func TestDOCPiecesCannotMultiplyTheText(t *testing.T) {
	t.Parallel()
	wd := make([]byte, 16<<10)
	for i := range wd {
		wd[i] = 'a'
	}
	const pieces = 2000
	chars := uint32(len(wd))
	var cps, fcs []uint32
	for i := 0; i <= pieces; i++ {
		cps = append(cps, uint32(i%2)*chars) // 0, n, 0, n, …: every piece the same characters
	}
	for range pieces {
		fcs = append(fcs, 0x40000000) // compressed, at 0
	}
	text, _, err := docText(wd, docClx(cps, fcs), int64(pieces)*int64(chars), time.Now().Add(time.Minute))
	if err == nil && len(text) > len(wd) {
		t.Errorf("a %d-byte stream read as %d bytes of text", len(wd), len(text))
	}
	// Monotonic pieces that each claim the whole stream again, with a ccpText past it.
	cps = cps[:0]
	for i := 0; i <= pieces; i++ {
		cps = append(cps, uint32(i)*chars)
	}
	text, _, err = docText(wd, docClx(cps, fcs), int64(pieces)*int64(chars), time.Now().Add(time.Minute))
	if err == nil && len(text) > len(wd) {
		t.Errorf("a %d-byte stream read as %d bytes of text through monotonic pieces", len(wd), len(text))
	}
}

// TestDOCManyTableRowsReadInLinearTime: each table row's end copied all the text read so far
// (to take back its last " | "), quadratic in the rows: 200,000 one-cell rows (600 KB of
// text) took 55 s, and a file of a few MB ran past any parse timeout.
func TestDOCManyTableRowsReadInLinearTime(t *testing.T) {
	t.Parallel()
	start := time.Now()
	got := plainText(strings.Repeat("a\x07\x07", 50000))
	if took := time.Since(start); took > time.Second {
		t.Errorf("50,000 table rows took %s", took)
	}
	if got != strings.Repeat("a\n", 50000) {
		t.Errorf("rows read as %q…", got[:min(len(got), 20)])
	}
	if got := plainText("A\x07B\x07\x07C\x07D\x07\x07"); got != "A | B\nC | D\n" {
		t.Errorf("a table read as %q", got)
	}
}

// TestDOCNestedFieldInInstruction: a field nested in another's instruction (a MERGEFIELD in an
// IF, as mail merge writes) is instruction too: only the outer field's result is text.
func TestDOCNestedFieldInInstruction(t *testing.T) {
	t.Parallel()
	got := plainText("Dear \x13 IF \x13 MERGEFIELD Title \x14«Title»\x15 = \"Dr\" \"Doctor\" \"Colleague\" \x14Doctor\x15,\r")
	if got != "Dear Doctor,\n" {
		t.Errorf("got %q, want %q", got, "Dear Doctor,\n")
	}
	// A field in another's result (a TOC's PAGEREF) keeps its result.
	if got := plainText("\x13 TOC \x14Intro \x13 PAGEREF _T1 \x143\x15\x15\r"); got != "Intro 3\n" {
		t.Errorf("got %q, want %q", got, "Intro 3\n")
	}
}

// TestDOCStreamNamedManyTimes: a compound file whose directory names its 1 MB WordDocument
// stream 5,000 times is read once, not 5,000 times over (5 GB from a 3 MB file, beyond any
// parse timeout, in the background after it).
func TestDOCStreamNamedManyTimes(t *testing.T) {
	t.Parallel()
	const (
		dups      = 5000
		wdSectors = 2048
		endChain  = 0xFFFFFFFE
		free      = 0xFFFFFFFF
		none      = 0xFFFFFFFF
	)
	le := binary.LittleEndian
	entries := 3 + dups
	dirSectors := (entries + 3) / 4
	data := 8
	fatSectors := 1
	for (fatSectors+dirSectors+wdSectors+data)/128 >= fatSectors {
		fatSectors++
	}
	fat := make([]uint32, 0, fatSectors*128)
	for range fatSectors {
		fat = append(fat, 0xFFFFFFFD)
	}
	chain := func(n int) uint32 {
		first := uint32(len(fat))
		for i := range n {
			if i == n-1 {
				fat = append(fat, endChain)
			} else {
				fat = append(fat, uint32(len(fat)+1))
			}
		}
		return first
	}
	dirAt, wdAt, tableAt := chain(dirSectors), chain(wdSectors), chain(data)
	for len(fat) < fatSectors*128 {
		fat = append(fat, free)
	}
	header := make([]byte, 512)
	copy(header, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(header[0x18:], 0x3E)
	le.PutUint16(header[0x1A:], 3)
	le.PutUint16(header[0x1C:], 0xFFFE)
	le.PutUint16(header[0x1E:], 9)
	le.PutUint16(header[0x20:], 6)
	le.PutUint32(header[0x2C:], uint32(fatSectors))
	le.PutUint32(header[0x30:], dirAt)
	le.PutUint32(header[0x38:], 0x1000)
	le.PutUint32(header[0x3C:], endChain)
	le.PutUint32(header[0x44:], endChain)
	for i := range 109 {
		v := uint32(free)
		if i < fatSectors {
			v = uint32(i)
		}
		le.PutUint32(header[0x4C+4*i:], v)
	}
	out := append([]byte{}, header...)
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	dir := make([]byte, dirSectors*512)
	entry := func(i int, name string, typ byte, right, child, first uint32, size int) {
		e := dir[128*i:]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42], e[0x43] = typ, 1
		le.PutUint32(e[0x44:], none)
		le.PutUint32(e[0x48:], right)
		le.PutUint32(e[0x4C:], child)
		le.PutUint32(e[0x74:], first)
		le.PutUint32(e[0x78:], uint32(size))
	}
	entry(0, "Root Entry", 5, none, 1, endChain, 0)
	entry(1, "1Table", 2, 2, none, tableAt, data*512)
	for i := 2; i < entries; i++ {
		right := uint32(i + 1)
		if i == entries-1 {
			right = none
		}
		entry(i, "WordDocument", 2, right, none, wdAt, wdSectors*512)
	}
	for i := entries; i < dirSectors*4; i++ {
		le.PutUint32(dir[128*i+0x44:], none)
		le.PutUint32(dir[128*i+0x48:], none)
		le.PutUint32(dir[128*i+0x4C:], none)
	}
	out = append(out, dir...)
	wd := make([]byte, wdSectors*512)
	le.PutUint16(wd[0:], 0xA5EC)
	le.PutUint16(wd[2:], 0x00C1)
	le.PutUint16(wd[0x0A:], 0x0200)
	le.PutUint32(wd[0x4C:], 5)
	copy(wd[0x800:], "Hello")
	out = append(out, wd...)
	table := make([]byte, data*512)
	clx := docClx([]uint32{0, 5}, []uint32{0x800*2 | 0x40000000})
	copy(table, clx)
	le.PutUint32(wd[0x1A6:], uint32(len(clx)))
	copy(out[len(out)-len(wd)+0x1A6:], wd[0x1A6:0x1AA])
	out = append(out, table...)

	start := time.Now()
	doc, err := parseDOC(out, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a WordDocument stream named %d times took %s", dups, took)
	}
	if doc.Sections[0].Text != "Hello" {
		t.Errorf("text %q", doc.Sections[0].Text)
	}
}

// TestDOCColumnBreakEndsALine: Word's column break (\x0e) parts the text as a page break
// does; dropped, it joined the last word of one column to the first of the next.
func TestDOCColumnBreakEndsALine(t *testing.T) {
	t.Parallel()
	if got := plainText("end of the left column\x0eStart of the right\r"); got != "end of the left column\nStart of the right\n" {
		t.Errorf("got %q", got)
	}
}

// plainText is docPlain's text of s, without heading styles.
func plainText(s string) string {
	text, _ := docPlain(s, nil)
	return text
}

// TestDOCHeadingPagesReadOnce: a hostile PlcfBtePapx naming the same FKP page again and again
// added that page's runs for every entry: 100,000 entries (800 KB of table) of one page of 29
// heading runs kept 2.9 million runs, 100 MB, and a 100 MB file would keep 8 GB.
func TestDOCHeadingPagesReadOnce(t *testing.T) {
	le := binary.LittleEndian
	wd := make([]byte, 1024)
	// The style sheet: a header of 2 bytes (2 styles), Normal (sti 0) and Heading 1 (sti 1).
	table := []byte{2, 0, 2, 0, 2, 0, 0, 0, 2, 0, 1, 0}
	le.PutUint32(wd[docFcStshf:], 0)
	le.PutUint32(wd[docLcbStshf:], uint32(len(table)))
	// The FKP page at 512: 29 runs, each with the PAPX at 500, style 1.
	page := wd[512:]
	const crun = 29
	page[511] = crun
	for k := range crun + 1 {
		le.PutUint32(page[4*k:], uint32(2*k))
	}
	for k := range crun {
		page[4*(crun+1)+13*k] = 250
	}
	page[500], page[501] = 1, 1
	const entries = 100000
	le.PutUint32(wd[docFcBtePapx:], uint32(len(table)))
	le.PutUint32(wd[docLcbBtePapx:], 8*entries+4)
	for i := range entries + 1 {
		table = le.AppendUint32(table, uint32(i))
	}
	for range entries {
		table = le.AppendUint32(table, 1)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	levels := docHeadingLevels(wd, table, []int64{2})
	runtime.ReadMemStats(&after)
	if len(levels) != 1 || levels[0] != 1 {
		t.Errorf("levels = %v, want [1]", levels)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("an %d-byte table allocated %d MB", len(table), n>>20)
	}
}
