package ingest

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
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

// decodeText returns the bytes of a text file of type typ (text, markdown, csv, html) as
// UTF-8, where they are in another encoding it can tell:
//
//   - UTF-16 or UTF-32 with a byte-order mark (without the mark; invalid code units become
//     U+FFFD): without it, the NUL bytes of UTF-16 made such text look binary;
//   - an HTML page that is not UTF-8 in the charset its <meta> declares, as browsers read it
//     (ISO-8859-2, Shift_JIS, GBK…);
//   - text that is not UTF-8 and reads as Windows-1252 (westernLegacy), of which ISO-8859-1 is
//     a part: what Excel's CSV export, Notepad before 2019 and older web pages wrote in Western
//     Europe and the Americas.
//
// Valid UTF-8 is kept whatever a page declares (a page saved as UTF-8 under an old
// <meta charset="iso-8859-1"> is common). Before, every accented letter of a Windows-1252 file
// became U+FFFD ("Gr��e", "caf�"): found by no search, read by no one. What is none of these
// stays as it is, its invalid bytes replaced later (cleanText).
func decodeText(data []byte, typ string) []byte {
	for _, m := range byteOrderMarks {
		if bytes.HasPrefix(data, []byte(m.bom)) {
			return decodeWith(m.enc, data)
		}
	}
	// Binary content stays as it is, for Parse to refuse: decoded, its high bytes would dilute
	// the control bytes looksBinary counts.
	if utf8.Valid(data) || looksBinary(data) {
		return data
	}
	if typ == "html" {
		// Declared, or windows-1252 as the guess of a page that declares nothing.
		if e, name, _ := charset.DetermineEncoding(data, "text/html"); name != "windows-1252" && name != "utf-8" {
			return decodeWith(e, data)
		}
	}
	if westernLegacy(data) {
		return decodeWith(charmap.Windows1252, data)
	}
	return data
}

// decodeWith decodes data with e.
func decodeWith(e encoding.Encoding, data []byte) []byte {
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return data // not reached: decoders replace what they cannot read
	}
	return out
}

// westernLegacy reports whether data, which is not UTF-8, reads as Windows-1252: its bytes
// above ASCII are mostly not UTF-8 sequences (a UTF-8 file with a stray byte stays UTF-8), and
// they come alone or in pairs between ASCII ones, as accented letters inside words do ("café",
// "Größe"). Cyrillic, Greek and the double-byte encodings of Chinese, Japanese and Korean write
// whole words above ASCII, runs Windows-1252 would turn into nonsense of Latin letters.
func westernLegacy(data []byte) bool {
	var multibyte, invalid int
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			invalid++
		case n > 1:
			multibyte++
		}
		i += n
	}
	if multibyte >= invalid {
		return false
	}
	var high, runs int
	for i, b := range data {
		if b >= utf8.RuneSelf {
			high++
			if i == 0 || data[i-1] < utf8.RuneSelf {
				runs++
			}
		}
	}
	return high <= 2*runs
}

// bulletGlyphs are the characters that open a list item in extracted text other than "•", which
// the sentence splitter and the answerer know: Word's bullets in its Symbol and Wingdings fonts
// come out of PDFs as Private Use Area code points ("\uf0b7", "\uf0a7", "\uf0d8"), and out of
// RTF as the font's byte read as Windows-1252 ("·"); other writers use geometric shapes.
const bulletGlyphs = "·▪▫●◦■○◆►▸‣⁃∙➢➤"

// symbolBullets rewrites the bullet glyph that opens a line, followed by a space or tab, as
// "• ": an item written with Word's Symbol-font bullet then reads as a list item, not as a
// sentence that starts with an unreadable glyph.
func symbolBullets(s string) string {
	if !strings.ContainsAny(s, bulletGlyphs) && !strings.ContainsFunc(s, symbolFontGlyph) {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, line := range lines {
		body := strings.TrimLeft(line, " \t\u00a0")
		r, n := utf8.DecodeRuneInString(body)
		if !strings.ContainsRune(bulletGlyphs, r) && !symbolFontGlyph(r) {
			continue
		}
		after := body[n:]
		if rest := strings.TrimLeft(after, " \t\u00a0"); len(rest) < len(after) && rest != "" && rest != "\n" {
			lines[i] = line[:len(line)-len(body)] + "• " + rest
		}
	}
	return strings.Join(lines, "")
}

// utf16LE decodes UTF-16LE text, as the binary Office formats store it; an odd last byte is
// dropped.
func utf16LE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// latin1 decodes ISO-8859-1 text: the binary Office formats' "compressed" characters, the low
// bytes of UTF-16 ones.
func latin1(b []byte) string {
	s, _ := charmap.ISO8859_1.NewDecoder().Bytes(b)
	return string(s)
}

// symbolFontGlyph reports the code points U+F020–U+F0FF, where PDF writers put the glyphs of
// symbol fonts (Symbol, Wingdings) that have no Unicode mapping.
func symbolFontGlyph(r rune) bool { return r >= 0xF020 && r <= 0xF0FF }

// superscripts maps the characters that have Unicode superscript forms.
var superscripts = strings.NewReplacer(
	"0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷", "8", "⁸", "9", "⁹",
	"+", "⁺", "-", "⁻", "=", "⁼", "(", "⁽", ")", "⁾")

// superscript returns raised text (a footnote mark, an exponent) in Unicode superscripts
// when it is digits, with signs, parentheses, commas or spaces between them ("1" as "¹",
// "1,2" as "¹,²"), so that it no longer runs into the word before it ("minutes1", which
// search reads as one token). Other raised text ("st" of "1st", "TM") is returned as it is.
func superscript(s string) string {
	digits := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case strings.ContainsRune("+-=(), ", r):
		default:
			return s
		}
	}
	if !digits {
		return s
	}
	return superscripts.Replace(s)
}
