package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// RTF is read by a small parser of its own rather than a library: the Go RTF readers found are
// unmaintained or convert to HTML through a full layout model, while text extraction needs only
// the syntax (groups, control words, \'hh and \uN escapes) and the list of destinations that
// hold no text. The parser is a single pass over the bytes with bounded nesting, so a hostile
// file costs at most its own length.

// rtfSkip lists destinations whose content is not document text: tables of fonts, colours and
// styles, embedded pictures and objects, field instructions (the field's result is kept),
// page headers and footers (repeated on every page), and document metadata.
var rtfSkip = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "info": true, "pict": true, "object": true,
	"fldinst": true, "header": true, "headerl": true, "headerr": true, "headerf": true, "footer": true,
	"footerl": true, "footerr": true, "footerf": true, "listtable": true, "listoverridetable": true,
	"rsidtbl": true, "generator": true, "themedata": true, "colorschememapping": true, "datastore": true,
	"latentstyles": true, "xmlnstbl": true, "filetbl": true, "revtbl": true, "pgdsctbl": true,
	"bkmkstart": true, "bkmkend": true, "footnote": true, "annotation": true, "atnid": true, "atnauthor": true,
	"shppict": true, "nonshppict": true, "blipuid": true, "mmathPr": true, "operator": true, "author": true,
}

// rtfText maps control words that stand for characters.
var rtfText = map[string]string{
	"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "tab": "\t", "cell": " | ", "row": "\n",
	"emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’", "ldblquote": "“",
	"rdblquote": "”", "emspace": " ", "enspace": " ", "qmspace": " ",
}

const maxRTFDepth = 1000

// rtfState is what a group carries and restores when it closes.
type rtfState struct {
	skip     bool // inside a destination that is not text
	uc       int  // characters to skip after a \uN
	dest     string
	style    int  // the paragraph style (\sN)
	styleDef bool // inside a style's definition in the style sheet
	// out is the outline level + 1 of the paragraph being written. Paragraph properties are
	// group state in RTF: LibreOffice numbers a heading with {\listtext\pard\plain 1.\tab}
	// inside it, and that group's \pard must not end the heading once the group closes.
	out int
}

// parseRTF extracts an RTF document's text. Paragraphs with an outline level (\outlinelevelN,
// or a style named "heading N" in the style sheet) split sections; \info's \title is the title.
func parseRTF(data []byte) (Parsed, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \r\n\t"), []byte(`{\rtf`)) {
		return Parsed{}, errors.New(`not an RTF file: it does not start with {\rtf`)
	}
	var (
		doc      Parsed
		st       = rtfState{uc: 1}
		stack    []rtfState
		para     strings.Builder
		text     strings.Builder
		cur      Section
		title    strings.Builder
		styleNm  strings.Builder
		headings = map[int]int{} // style number → outline level + 1
		pending  []byte          // \'hh bytes awaiting decoding as one run (multi-byte code pages)
		skipN    int             // characters still to skip after \uN
		enc      encoding.Encoding
	)
	outline := newOutline(&doc)
	flushBytes := func() {
		if len(pending) == 0 {
			return
		}
		s := decodeRTFBytes(pending, enc)
		pending = pending[:0]
		if !st.skip {
			para.WriteString(s)
		}
	}
	endPara := func() {
		flushBytes()
		// A table row's cells each end in \cell: drop the separator after the last.
		line := strings.TrimSuffix(collapse(para.String()), " |")
		para.Reset()
		if line == "" {
			return
		}
		if st.out > 0 {
			cur.Text = text.String()
			doc.Sections = append(doc.Sections, cur)
			text.Reset()
			cur = outline.enter(st.out, line, "")
			return
		}
		text.WriteString(line + "\n")
	}
	emit := func(s string) {
		flushBytes()
		switch {
		case st.dest == "title":
			title.WriteString(s)
		case st.styleDef:
			styleNm.WriteString(s)
		case !st.skip:
			para.WriteString(s)
		}
	}
	for i := 0; i < len(data); {
		if outline.err != nil {
			return Parsed{}, outline.err
		}
		c := data[i]
		switch c {
		case '{':
			if len(stack) >= maxRTFDepth {
				return Parsed{}, fmt.Errorf("RTF groups nested deeper than %d levels", maxRTFDepth)
			}
			flushBytes()
			stack = append(stack, st)
			skipN = 0
			i++
			continue
		case '}':
			flushBytes()
			skipN = 0
			if st.styleDef && len(stack) > 0 {
				name := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(styleNm.String()), ";")))
				if lvl, ok := strings.CutPrefix(name, "heading "); ok {
					if n, err := strconv.Atoi(lvl); err == nil && n >= 1 && n <= 9 {
						headings[st.style] = n
					}
				} else if name == "title" {
					headings[st.style] = 1
				}
				styleNm.Reset()
			}
			if len(stack) > 0 {
				st, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
			i++
			continue
		case '\r', '\n':
			i++
			continue
		case '\\':
		default:
			if skipN > 0 {
				skipN--
				i++
				continue
			}
			j := i
			for j < len(data) && data[j] != '\\' && data[j] != '{' && data[j] != '}' && data[j] != '\r' && data[j] != '\n' {
				j++
			}
			emit(string(data[i:j]))
			i = j
			continue
		}
		// A control word or symbol.
		i++
		if i >= len(data) {
			break
		}
		c = data[i]
		if !isASCIILetter(c) {
			i++
			switch c {
			case '\'':
				if i+2 <= len(data) {
					if b, err := strconv.ParseUint(string(data[i:i+2]), 16, 8); err == nil {
						i += 2
						if skipN > 0 {
							skipN--
							continue
						}
						switch {
						case st.dest == "title" || st.styleDef:
							emit(decodeRTFBytes([]byte{byte(b)}, enc))
						case !st.skip:
							pending = append(pending, byte(b))
						}
						continue
					}
				}
			case '*':
				st.skip = true // an ignorable destination this reader does not know
			case '~':
				emit("\u00a0")
			case '_':
				emit("-")
			case '-':
				// an optional hyphen: not text
			case '\\', '{', '}':
				if skipN > 0 {
					skipN--
					continue
				}
				emit(string(c))
			case '\n', '\r':
				endPara()
			}
			continue
		}
		j := i
		for j < len(data) && isASCIILetter(data[j]) && j-i < 32 {
			j++
		}
		word := string(data[i:j])
		k := j
		if k < len(data) && data[k] == '-' {
			k++
		}
		for k < len(data) && data[k] >= '0' && data[k] <= '9' && k-j < 10 {
			k++
		}
		num, hasNum := 0, k > j
		if hasNum {
			num, _ = strconv.Atoi(string(data[j:k]))
		}
		i = k
		if i < len(data) && data[i] == ' ' {
			i++ // the delimiter belongs to the control word
		}
		if word != "u" && word != "bin" {
			flushBytes()
		}
		switch {
		case word == "bin":
			i += min(max(num, 0), len(data)-i) // raw bytes: never text
		case word == "u":
			if hasNum {
				if num < 0 {
					num += 65536
				}
				flushBytes()
				r := rune(num)
				if !utf8.ValidRune(r) {
					r = utf8.RuneError
				}
				emit(string(r))
				skipN = st.uc
			}
		case word == "uc":
			st.uc = max(num, 0)
		case word == "ansicpg":
			enc = rtfCodePage(num)
		case word == "title" && st.dest == "info":
			st.dest = "title"
		case rtfSkip[word]:
			st.skip, st.dest = true, word
		case word == "s" && len(stack) > 0 && stack[len(stack)-1].dest == "stylesheet":
			st.styleDef, st.style = true, num
		case word == "s":
			st.style = num
			if lvl, ok := headings[num]; ok && !st.skip {
				st.out = lvl
			}
		case word == "outlinelevel" && num >= 0 && num < 9:
			if st.styleDef {
				headings[st.style] = num + 1
			} else if !st.skip {
				st.out = num + 1
			}
		case word == "pard":
			if !st.skip {
				st.out = 0
			}
		case word == "par" || word == "page" || word == "sect" || word == "row":
			if !st.skip {
				endPara()
			}
		default:
			if s, ok := rtfText[word]; ok {
				emit(s)
			}
		}
	}
	endPara()
	cur.Text = text.String()
	doc.Sections = append(doc.Sections, cur)
	if t := collapse(title.String()); t != "" {
		doc.Title = t
	}
	return doc, nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// rtfCodePage returns the decoder for \ansicpgN; nil means Windows-1252, RTF's default.
func rtfCodePage(n int) encoding.Encoding {
	switch n {
	case 936:
		return simplifiedchinese.GBK
	case 950:
		return traditionalchinese.Big5
	case 932:
		return japanese.ShiftJIS
	case 949:
		return korean.EUCKR
	case 65001:
		return encoding.Nop
	}
	for _, cm := range charmap.All {
		if c, ok := cm.(*charmap.Charmap); ok && strings.HasSuffix(c.String(), " "+strconv.Itoa(n)) && n >= 437 {
			return c
		}
	}
	return nil
}

func decodeRTFBytes(b []byte, enc encoding.Encoding) string {
	if enc == nil {
		enc = charmap.Windows1252
	}
	s, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}
