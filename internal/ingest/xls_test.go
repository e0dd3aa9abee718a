package ingest

import (
	"encoding/binary"
	"errors"
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

// TestXLSManySheets: each worksheet is a section, bounded by maxSections as an .ods's sheets
// are: 13-byte BOUNDSHEET records, all pointing at one empty sheet, made a section each (a
// 100 MB file: 8 million, some 150 bytes each).
func TestXLSManySheets(t *testing.T) {
	le := binary.LittleEndian
	record := func(b []byte, typ uint16, data []byte) []byte {
		b = le.AppendUint16(b, typ)
		b = le.AppendUint16(b, uint16(len(data)))
		return append(b, data...)
	}
	book := record(nil, xlsBOF, append(le.AppendUint16(nil, 0x0600), make([]byte, 14)...))
	const sheets = maxSections + 1
	end := len(book) + sheets*(4+9) + 4 // the globals' EOF, where every sheet points
	for range sheets {
		book = record(book, xlsBoundSheet, append(le.AppendUint32(nil, uint32(end)), 0, 0, 1, 0, 'S'))
	}
	book = record(book, xlsEOF, nil)
	book = record(book, xlsEOF, nil)
	doc, err := parseXLSBook(book, time.Now().Add(time.Minute))
	if !errors.Is(err, errTooManySections) {
		t.Errorf("%d sections, err = %v, want %v", len(doc.Sections), err, errTooManySections)
	}
}
