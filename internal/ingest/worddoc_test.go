package ingest

import (
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/sampledocs"
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
	// Not parallel: it counts the bytes allocated, 3.7 GB when each row copied the text so far.
	var got string
	if allocated := allocatedBy(func() { got = plainText(strings.Repeat("a\x07\x07", 50000)) }); allocated > 64<<20 {
		t.Errorf("50,000 table rows allocated %d MB", allocated>>20)
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
// stream 5,000 times is read once, not 5,000 times over (5 GB from a 3 MB file, 7.6 s, beyond
// any parse timeout, in the background after it). Not parallel: it counts the bytes allocated.
func TestDOCStreamNamedManyTimes(t *testing.T) {
	wd := sampledocs.WordDoc("Hello\r", sampledocs.WordDocOptions{Compressed: true})
	streams, err := docStreams(wd)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 1<<20)
	copy(big, streams["WordDocument"])
	files := []sampledocs.CFBStream{{Name: "1Table", Data: streams["1Table"]}, {Name: "WordDocument", Data: big}}
	for range 4999 {
		files = append(files, sampledocs.CFBStream{Name: "WordDocument"})
	}
	var doc Parsed
	allocated := allocatedBy(func() { doc, err = parseDOC(sampledocs.CompoundFile(files...), time.Now().Add(time.Minute)) })
	if err != nil {
		t.Fatal(err)
	}
	if allocated > 200<<20 {
		t.Errorf("a WordDocument stream named 5,000 times allocated %d MB", allocated>>20)
	}
	if doc.Sections[0].Text != "Hello\n" && doc.Sections[0].Text != "Hello" {
		t.Errorf("text %q", doc.Sections[0].Text)
	}
}

// allocatedBy returns the bytes f allocates (all goroutines': call it from a test that is not
// parallel).
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
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
	text, _ := docPlain(s, nil, false, false)
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
	paras, _ := docParagraphs(wd, table, []int64{2})
	runtime.ReadMemStats(&after)
	if len(paras) != 1 || paras[0].level != 1 {
		t.Errorf("paragraphs = %v, want [{1 false}]", paras)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("an %d-byte table allocated %d MB", len(table), n>>20)
	}
}

// TestDOCRowEndProperty reads the row-end property among others a row's end mark carries,
// past the row's cell definitions (sprmTDefTable, whose size takes two bytes), and not where
// the property says no or the list ends early.
func TestDOCRowEndProperty(t *testing.T) {
	t.Parallel()
	tdef := []byte{0x08, 0xD6, 0x05, 0x00, 1, 2, 3, 4} // sprmTDefTable, 4 bytes of operand
	for _, tc := range []struct {
		name   string
		grpprl []byte
		want   bool
	}{
		{"ttp", []byte{0x17, 0x24, 1}, true},
		{"inner ttp", []byte{0x16, 0x24, 1, 0x4C, 0x24, 1}, true},
		{"after the cells", append(append([]byte{}, tdef...), 0x17, 0x24, 1), true},
		{"after a variable sprm", []byte{0x15, 0xC6, 2, 9, 9, 0x17, 0x24, 1}, true},
		{"ttp off", []byte{0x17, 0x24, 0}, false},
		{"in table only", []byte{0x16, 0x24, 1}, false},
		{"cut short", []byte{0x08, 0xD6, 0xFF, 0x00, 1, 0x17, 0x24, 1}, false},
		{"none", nil, false},
	} {
		if got := docRowEnd(tc.grpprl); got != tc.want {
			t.Errorf("%s: docRowEnd(% x) = %v, want %v", tc.name, tc.grpprl, got, tc.want)
		}
	}
}
