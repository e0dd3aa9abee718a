package ingest

import (
	"encoding/binary"
	"runtime"
	"testing"
	"time"
)

// TestXLSRecordsNotKept: a Workbook stream's records were all kept, a slice header and a
// parts slice each: 2 million empty 4-byte records (8 MB, a 100 MB file holds 25 million)
// took about 20 times their size before a cell was read.
func TestXLSRecordsNotKept(t *testing.T) {
	le := binary.LittleEndian
	book := le.AppendUint16(nil, xlsBOF)
	book = le.AppendUint16(book, 16)
	book = le.AppendUint16(book, 0x0600)
	book = append(book, make([]byte, 14)...)
	book = append(book, make([]byte, 8<<20)...) // records of type 0, empty
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := parseXLSBook(book, time.Now().Add(time.Minute))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("an %d MB stream allocated %d MB", len(book)>>20, n>>20)
	}
}
