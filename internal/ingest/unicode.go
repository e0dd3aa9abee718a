package ingest

import (
	"bytes"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// byteOrderMarks are the encodings Windows tools (Notepad's "Unicode", PowerShell's Out-File,
// Excel's "Unicode text") announce with a byte-order mark. UTF-32's marks come first: UTF-32LE's
// starts with UTF-16LE's.
var byteOrderMarks = []struct {
	bom string
	enc encoding.Encoding
}{
	{"\xff\xfe\x00\x00", utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM)},
	{"\x00\x00\xfe\xff", utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)},
	{"\xff\xfe", unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)},
	{"\xfe\xff", unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)},
}

// decodeBOM returns text in UTF-16 or UTF-32 with a byte-order mark as UTF-8 (without the
// mark; invalid code units become U+FFFD), and any other data as is. Without it, the NUL bytes
// of UTF-16 made such text look binary.
func decodeBOM(data []byte) []byte {
	for _, m := range byteOrderMarks {
		if bytes.HasPrefix(data, []byte(m.bom)) {
			out, err := m.enc.NewDecoder().Bytes(data)
			if err != nil {
				return data // not reached: decoders replace what they cannot read
			}
			return out
		}
	}
	return data
}
