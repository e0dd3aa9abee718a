package ingest

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/charmap"
)

// Word 97-2003 documents (.doc) are still most of what an old file share holds. Their text is
// read the way the format's specification ([MS-DOC] 2.4.1, "Retrieving Text") describes: the
// piece table in the Clx of the table stream maps the main document's characters to runs of
// the WordDocument stream, each either UTF-16 or "compressed" (one byte a character, Windows-
// 1252). A paragraph in one of Word's built-in heading styles (Heading 1-9, known by the
// style's built-in identifier, whatever the style is named in the document's language) starts a
// section, found through the paragraph properties (the FKPs of PlcfBtePapx) and the style sheet;
// tables read as rows of cells joined by " | ", as RTF's do. The compound file is read by mscfb, the streams
// are bounded by the file's own size, and every offset is checked, so a damaged or hostile file
// fails with a reason rather than reading out of bounds.

// Offsets in the WordDocument stream's FIB ([MS-DOC] 2.5.1): the flags of FibBase, ccpText
// (the main document's length in characters) in FibRgLw97, and fcClx/lcbClx in FibRgFcLcb97.
const (
	docMagic      = 0xA5EC
	docFlags      = 0x0A
	docCcpText    = 0x4C
	docCcpFtn     = 0x50 // the footnotes' characters, stored after the main text
	docFcStshf    = 0x00A2
	docLcbStshf   = 0x00A6
	docFcBtePapx  = 0x0102
	docLcbBtePapx = 0x0106
	docFcClx      = 0x01A2
	docLcbClx     = 0x01A6
	docMinFIB     = 0x01AA
	docNFibWord97 = 0x00C1
	// fEncrypted and fWhichTblStm in FibBase's flags.
	docEncrypted = 0x0100
	docTable1    = 0x0200
	// fCompressed in a piece descriptor's fc.
	docCompressed = 0x40000000
)

// parseDOC extracts the main text of a Word 97-2003 document.
func parseDOC(data []byte, deadline time.Time) (Parsed, error) {
	streams, err := docStreams(data)
	if err != nil {
		return Parsed{}, err
	}
	wd := streams["WordDocument"]
	if len(wd) < docMinFIB || binary.LittleEndian.Uint16(wd) != docMagic {
		return Parsed{}, errors.New("not a Word 97-2003 document: no Word file information block")
	}
	if nFib := binary.LittleEndian.Uint16(wd[2:]); nFib < docNFibWord97 {
		return Parsed{}, ErrSkip{Reason: "a Word 6 or Word 95 document: open it in Word or LibreOffice and save it as .docx"}
	}
	flags := binary.LittleEndian.Uint16(wd[docFlags:])
	if flags&docEncrypted != 0 {
		return Parsed{}, ErrSkip{Reason: "encrypted Word document (password-protected)"}
	}
	table := streams["0Table"]
	if flags&docTable1 != 0 {
		table = streams["1Table"]
	}
	ccp := int64(binary.LittleEndian.Uint32(wd[docCcpText:]))
	fc, lcb := int64(binary.LittleEndian.Uint32(wd[docFcClx:])), int64(binary.LittleEndian.Uint32(wd[docLcbClx:]))
	if fc+lcb > int64(len(table)) || lcb == 0 {
		return Parsed{}, errors.New("damaged Word document: its piece table is missing or out of bounds")
	}
	ccpFtn := int64(binary.LittleEndian.Uint32(wd[docCcpFtn:]))
	raw, marks, err := docText(wd, table[fc:fc+lcb], ccp+ccpFtn, deadline)
	if err != nil {
		return Parsed{}, err
	}
	// The footnotes follow the main text; each opens with its mark (\x02), as its reference in
	// the main text is one: numbered alike in both, "[1]" refers to "[1] The note".
	main, footnotes := raw, ""
	if k := runeOffset(raw, ccp); k < len(raw) {
		main, footnotes = raw[:k], raw[k:]
	}
	n := strings.Count(main, "\r") + strings.Count(main, "\x07")
	paras, rows := docParagraphs(wd, table, marks[:min(n, len(marks))])
	text, headings := docPlain(main, paras, rows, footnotes != "")
	if notes, _ := docPlain(footnotes, nil, false, true); strings.TrimSpace(notes) != "" {
		text += "\n" + notes
	}
	var doc Parsed
	o := newOutline(&doc)
	cur, pos := Section{}, 0
	for _, h := range headings {
		title := strings.TrimSpace(text[h.start:h.end])
		if title == "" {
			continue
		}
		if body := text[pos:h.start]; strings.TrimSpace(body) != "" {
			cur.Text = body
			doc.Sections = append(doc.Sections, cur)
		}
		if cur = o.enter(h.level, title, ""); o.err != nil {
			return Parsed{}, o.err
		}
		pos = h.end
	}
	cur.Text = text[pos:]
	doc.Sections = append(doc.Sections, cur)
	return doc, nil
}

// docStreams reads the streams parseDOC needs.
func docStreams(data []byte) (map[string][]byte, error) {
	out, err := compoundStreams(data, "Word 97-2003 document", topLevel("WordDocument", "0Table", "1Table"))
	if err == nil && out["WordDocument"] == nil {
		err = errors.New("not a Word 97-2003 document: no WordDocument stream")
	}
	return out, err
}

// compoundStreams reads the streams of a compound file (a .doc, an .xls, an Outlook .msg) that
// want picks by path, the names of the storages above a stream and its own joined by "/"
// ("__attach_version1.0_#00000000/__substg1.0_3701000D"), keyed by the key want gives it.
// Each is read once, at most as long as the file itself, and all of them together at most the
// file's length: a stream's sector chain can claim more, or loop, and a hostile directory can
// name one long stream thousands of times, or thousands of streams over the same sectors; the
// streams of a sound file take sectors of their own. kind names the format in errors.
func compoundStreams(data []byte, kind string, want func(path string) (key string, ok bool)) (map[string][]byte, error) {
	if cfbDepth(data) > maxStorageDepth {
		return nil, fmt.Errorf("damaged %s: storages nested more than %d deep", kind, maxStorageDepth)
	}
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		article := "a"
		if strings.ContainsRune("AEIOU", rune(kind[0])) {
			article = "an"
		}
		return nil, fmt.Errorf("not %s %s: %w", article, kind, err)
	}
	out := map[string][]byte{}
	budget := int64(len(data))
	for entry, err := r.Next(); err == nil; entry, err = r.Next() {
		if entry.FileInfo().IsDir() {
			continue // a storage: its streams come as entries of their own
		}
		key, ok := want(strings.Join(append(slices.Clip(entry.Path), entry.Name), "/"))
		if !ok || entry.Size > int64(len(data)) || out[key] != nil {
			continue // another stream, a damaged size, or one read before
		}
		if budget -= entry.Size; budget < 0 {
			return nil, fmt.Errorf("damaged %s: its streams are longer than the file", kind)
		}
		b, err := io.ReadAll(io.LimitReader(entry, entry.Size))
		if err != nil {
			return nil, fmt.Errorf("damaged %s: reading %s: %w", kind, entry.Name, err)
		}
		out[key] = b
	}
	return out, nil
}

// topLevel picks the streams at the root of a compound file named names, whatever the case of
// their names as the file writes them ([MS-CFB] compares names without case: other writers say
// "WORKBOOK"), keyed by the name as given.
func topLevel(names ...string) func(path string) (string, bool) {
	return func(path string) (string, bool) {
		k := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, path) })
		if k < 0 {
			return "", false
		}
		return names[k], true
	}
}

// docText follows the piece table (clx) over the first ccp characters of the WordDocument
// stream wd and returns them, with the stream offset (FC) of each paragraph mark in order ('\r',
// and a table cell's or row's end mark '\x07', which also ends a paragraph): the paragraph
// properties are found by it.
func docText(wd, clx []byte, ccp int64, deadline time.Time) (string, []int64, error) {
	// Skip the Prcs (property modifiers of pieces), each 0x01, a 16-bit size and its bytes, to
	// the Pcdt: 0x02, a 32-bit size, then the PlcPcd.
	for len(clx) >= 3 && clx[0] == 0x01 {
		n := int(binary.LittleEndian.Uint16(clx[1:]))
		if 3+n > len(clx) {
			break
		}
		clx = clx[3+n:]
	}
	if len(clx) < 5 || clx[0] != 0x02 {
		return "", nil, errors.New("damaged Word document: no piece table")
	}
	plc := clx[5:]
	if n := int64(binary.LittleEndian.Uint32(clx[1:])); n <= int64(len(plc)) {
		plc = plc[:n]
	}
	// n+1 character positions, then n piece descriptors of 8 bytes (the fc at offset 2).
	pieces := (len(plc) - 4) / 12
	if pieces <= 0 {
		return "", nil, errors.New("damaged Word document: empty piece table")
	}
	// A character takes at least a byte of the stream, and the pieces follow one another: a
	// hostile table of pieces that each claim the whole stream again cannot multiply it.
	ccp = min(ccp, int64(len(wd)))
	prevEnd := int64(0)
	var b strings.Builder
	var marks []int64
	win := charmap.Windows1252.NewDecoder()
	for i := range pieces {
		if i%4096 == 0 && time.Now().After(deadline) {
			return "", nil, errors.New("reading the Word document's text took too long")
		}
		start, end := int64(binary.LittleEndian.Uint32(plc[4*i:])), int64(binary.LittleEndian.Uint32(plc[4*i+4:]))
		if start < prevEnd {
			return "", nil, errors.New("damaged Word document: its pieces of text overlap")
		}
		if start >= ccp {
			break
		}
		end = min(end, ccp)
		if end <= start {
			continue
		}
		prevEnd = end
		fc := binary.LittleEndian.Uint32(plc[4*(pieces+1)+8*i+2:])
		chars := end - start
		if fc&docCompressed != 0 {
			off := int64(fc&^docCompressed) / 2
			if off+chars > int64(len(wd)) {
				return "", nil, errors.New("damaged Word document: a piece of text lies outside the file")
			}
			run := wd[off : off+chars]
			for j, c := range run {
				if c == '\r' || c == 0x07 {
					marks = append(marks, off+int64(j))
				}
			}
			s, err := win.Bytes(run)
			if err != nil {
				return "", nil, fmt.Errorf("damaged Word document: %w", err)
			}
			b.Write(s)
			continue
		}
		off := int64(fc)
		if off+2*chars > int64(len(wd)) {
			return "", nil, errors.New("damaged Word document: a piece of text lies outside the file")
		}
		u := make([]uint16, chars)
		for j := range u {
			u[j] = binary.LittleEndian.Uint16(wd[off+2*int64(j):])
			if u[j] == '\r' || u[j] == 0x07 {
				marks = append(marks, off+2*int64(j))
			}
		}
		b.WriteString(string(utf16.Decode(u)))
	}
	return b.String(), marks, nil
}

// docPara is what parseDOC needs of a paragraph's properties: its heading level (1-9 for
// Word's built-in Heading 1-9, 0 otherwise), and whether its mark ends a table row (the
// table-terminating paragraph, sprmPFTtp or sprmPFInnerTtp) rather than a cell.
type docPara struct {
	level  int
	rowEnd bool
}

// Word's paragraph properties that mark a row's end mark: of the outermost table, and of a
// table nested in a cell.
const (
	docSprmPFTtp      = 0x2417
	docSprmPFInnerTtp = 0x244C
	docSprmTDefTable  = 0xD608 // a row's cells, in its end mark's properties
)

// docParagraphs returns the properties of the paragraph of each mark at the offsets marks,
// and whether any row's end was found among them (without one, docPlain tells row ends by
// position). A document whose style sheet or paragraph properties cannot be read has no
// headings and no known rows: its text is still read.
func docParagraphs(wd, table []byte, marks []int64) (paras []docPara, rows bool) {
	le := binary.LittleEndian
	paras = make([]docPara, len(marks))
	heading := docHeadingStyles(wd, table)
	// PlcfBtePapx: the FKP pages (512 bytes of the WordDocument stream) of paragraph
	// properties. Each page maps runs of offsets to a PAPX: its size byte (or, where that is
	// 0, a second one counting words), the style index (istd), then the properties (sprms).
	fc, lcb := int64(le.Uint32(wd[docFcBtePapx:])), int64(le.Uint32(wd[docLcbBtePapx:]))
	if lcb < 12 || fc+lcb > int64(len(table)) {
		return paras, false
	}
	plc := table[fc : fc+lcb]
	n := (len(plc) - 4) / 8
	type run struct {
		start, end int64
		para       docPara
	}
	var runs []run
	// Each page is read once: a hostile table naming one page again and again would add its
	// runs for every entry (100,000 entries of 800 KB kept 400 MB).
	seen := map[int64]bool{}
	for i := range n {
		pn := int64(le.Uint32(plc[4*(n+1)+4*i:]) & 0x3FFFFF)
		if (pn+1)*512 > int64(len(wd)) || seen[pn] {
			continue
		}
		seen[pn] = true
		page := wd[pn*512 : (pn+1)*512]
		crun := int(page[511])
		if 4*(crun+1)+13*crun > 511 {
			continue
		}
		for k := range crun {
			off := 2 * int(page[4*(crun+1)+13*k])
			if off == 0 || off+4 > 511 {
				continue // no properties: the Normal style
			}
			at, size := off+1, 2*int(page[off])-1
			if page[off] == 0 {
				at, size = off+2, 2*int(page[off+1])
			}
			papx := page[at:min(at+max(size, 2), 511)]
			var p docPara
			if istd := int(le.Uint16(papx)); istd < len(heading) {
				p.level = heading[istd]
			}
			p.rowEnd = docRowEnd(papx[2:])
			if p != (docPara{}) {
				runs = append(runs, run{int64(le.Uint32(page[4*k:])), int64(le.Uint32(page[4*k+4:])), p})
			}
		}
	}
	slices.SortFunc(runs, func(a, b run) int { return cmp.Compare(a.start, b.start) })
	for i, m := range marks {
		// The last run starting at or before the mark, if the mark lies within it.
		if k := sort.Search(len(runs), func(k int) bool { return runs[k].start > m }) - 1; k >= 0 && m < runs[k].end {
			paras[i] = runs[k].para
			rows = rows || paras[i].rowEnd
		}
	}
	return paras, rows
}

// docHeadingStyles returns the heading level of each style of the style sheet, by style
// index: a style definition's first 12 bits are its built-in identifier (sti), 1-9 for
// Heading 1-9. It is empty where the style sheet cannot be read.
func docHeadingStyles(wd, table []byte) []int {
	le := binary.LittleEndian
	fc, lcb := int64(le.Uint32(wd[docFcStshf:])), int64(le.Uint32(wd[docLcbStshf:]))
	if lcb < 2 || fc+lcb > int64(len(table)) {
		return nil
	}
	// The size of the style sheet's header, the header (its first field the count of
	// styles), then each style's definition, its size first.
	stsh := table[fc : fc+lcb]
	var heading []int
	if n := int(le.Uint16(stsh)); 2+n <= len(stsh) && n >= 2 {
		count := int(le.Uint16(stsh[2:]))
		rest := stsh[2+n:]
		for range min(count, len(rest)/2) {
			if len(rest) < 2 {
				break
			}
			size := int(le.Uint16(rest))
			level := 0
			if size >= 2 && 2+size <= len(rest) {
				if sti := int(le.Uint16(rest[2:]) & 0x0FFF); sti >= 1 && sti <= 9 {
					level = sti
				}
			}
			heading = append(heading, level)
			rest = rest[min(len(rest), 2+size):]
		}
	}
	return heading
}

// docRowEnd reports whether the paragraph properties grpprl (a list of sprms: a 16-bit
// operation whose top three bits give the operand's size) mark a table row's end.
func docRowEnd(grpprl []byte) bool {
	for len(grpprl) >= 2 {
		op := binary.LittleEndian.Uint16(grpprl)
		rest := grpprl[2:]
		var size int
		switch op >> 13 {
		case 0, 1:
			size = 1
		case 2, 4, 5:
			size = 2
		case 3:
			size = 4
		case 7:
			size = 3
		default: // 6: variable, its size in the first byte
			switch {
			case len(rest) < 2:
				return false
			case op == docSprmTDefTable: // the exception: a 16-bit size, plus one
				size = 1 + int(binary.LittleEndian.Uint16(rest))
			default:
				size = 1 + int(rest[0])
			}
		}
		if size > len(rest) {
			return false
		}
		if (op == docSprmPFTtp || op == docSprmPFInnerTtp) && rest[0] == 1 {
			return true
		}
		grpprl = rest[size:]
	}
	return false
}

// runeOffset returns the byte offset in s of its nth character, or len(s).
func runeOffset(s string, n int64) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// docHeading is a heading paragraph's place in docPlain's text.
type docHeading struct{ start, end, level int }

// docPlain turns Word's characters with a meaning of their own into text: paragraph marks
// (\r), line, page, column and section breaks into line ends; a table cell's end mark (\x07)
// into " | " and a row's into a line end; of a field, only its result (the text between \x14
// and \x15, not the instruction after \x13: "HYPERLINK \"…\""); non-breaking and optional
// hyphens into "-" and nothing; pictures and objects dropped, and footnote marks numbered
// "[1]", "[2]" when notes is set (else dropped). paras gives the properties of each
// paragraph in order, counting both kinds of mark (see docParagraphs);
// where rows is false no row's end mark is known, and a mark right after a cell's is taken
// for its row's (an empty cell then ends its row early). The headings' places in the text
// are returned.
func docPlain(s string, paras []docPara, rows, notes bool) (string, []docHeading) {
	var b []byte
	note := 0 // footnote marks numbered so far
	var headings []docHeading
	var fields []bool // for each open field: whether its result has begun
	// Open fields whose result has not begun: text inside any of them is instruction, also a
	// nested field's result (a MERGEFIELD's inside an IF's instruction).
	instructions := 0
	cellEnded := false
	para, paraStart := 0, 0
	for _, r := range s {
		var p docPara
		if r == '\r' || r == 0x07 {
			// A paragraph ends, even in a field's instruction: marks are counted as
			// docParagraphs counts them.
			if para < len(paras) {
				p = paras[para]
			}
			para++
		}
		switch r {
		case 0x13:
			fields = append(fields, false)
			instructions++
			continue
		case 0x14:
			if len(fields) > 0 && !fields[len(fields)-1] {
				fields[len(fields)-1] = true
				instructions--
			}
			continue
		case 0x15:
			if len(fields) > 0 {
				if !fields[len(fields)-1] {
					instructions--
				}
				fields = fields[:len(fields)-1]
			}
			continue
		case '\r':
			if p.level > 0 {
				headings = append(headings, docHeading{paraStart, len(b), p.level})
			}
			if instructions == 0 {
				b = append(b, '\n')
			}
			paraStart, cellEnded = len(b), false
			continue
		}
		if instructions > 0 {
			continue
		}
		if r == 0x07 {
			if p.rowEnd || !rows && cellEnded {
				for bytes.HasSuffix(b, []byte(" | ")) { // the row's last cells, if empty
					b = b[:len(b)-3]
				}
				b = append(b, '\n')
				paraStart, cellEnded = len(b), false
				continue
			}
			b = append(b, " | "...)
			cellEnded = true
			continue
		}
		cellEnded = false
		switch {
		case r == 0x0b || r == 0x0c || r == 0x0e:
			b = append(b, '\n')
		case r == 0x1e:
			b = append(b, '-')
		case r == '\t':
			b = append(b, '\t')
		case r == 0x02 && notes:
			note++
			b = append(b, "["+strconv.Itoa(note)+"]"...)
		case r < 0x20 || r == 0x1f:
			// pictures (0x01), drawn objects (0x08), comment marks (0x05), and footnote marks
			// (0x02) where the document has no footnotes
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b), headings
}
