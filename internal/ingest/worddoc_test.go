package ingest

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
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
	text, err := docText(wd, docClx(cps, fcs), int64(pieces)*int64(chars), time.Now().Add(time.Minute))
	if err == nil && len(text) > len(wd) {
		t.Errorf("a %d-byte stream read as %d bytes of text", len(wd), len(text))
	}
	// Monotonic pieces that each claim the whole stream again, with a ccpText past it.
	cps = cps[:0]
	for i := 0; i <= pieces; i++ {
		cps = append(cps, uint32(i)*chars)
	}
	text, err = docText(wd, docClx(cps, fcs), int64(pieces)*int64(chars), time.Now().Add(time.Minute))
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
	got := docPlain(strings.Repeat("a\x07\x07", 50000))
	if took := time.Since(start); took > time.Second {
		t.Errorf("50,000 table rows took %s", took)
	}
	if got != strings.Repeat("a\n", 50000) {
		t.Errorf("rows read as %q…", got[:min(len(got), 20)])
	}
	if got := docPlain("A\x07B\x07\x07C\x07D\x07\x07"); got != "A | B\nC | D\n" {
		t.Errorf("a table read as %q", got)
	}
}

// TestDOCNestedFieldInInstruction: a field nested in another's instruction (a MERGEFIELD in an
// IF, as mail merge writes) is instruction too: only the outer field's result is text.
func TestDOCNestedFieldInInstruction(t *testing.T) {
	t.Parallel()
	got := docPlain("Dear \x13 IF \x13 MERGEFIELD Title \x14«Title»\x15 = \"Dr\" \"Doctor\" \"Colleague\" \x14Doctor\x15,\r")
	if got != "Dear Doctor,\n" {
		t.Errorf("got %q, want %q", got, "Dear Doctor,\n")
	}
	// A field in another's result (a TOC's PAGEREF) keeps its result.
	if got := docPlain("\x13 TOC \x14Intro \x13 PAGEREF _T1 \x143\x15\x15\r"); got != "Intro 3\n" {
		t.Errorf("got %q, want %q", got, "Intro 3\n")
	}
}
