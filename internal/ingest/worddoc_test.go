package ingest

import (
	"encoding/binary"
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
