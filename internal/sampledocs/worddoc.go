package sampledocs

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// WordDocOptions varies a generated Word 97-2003 document.
type WordDocOptions struct {
	// Compressed stores the text one byte a character (Windows-1252), as Word does for text
	// without other characters; otherwise it is UTF-16.
	Compressed bool
	// Encrypted sets the FIB's fEncrypted flag.
	Encrypted bool
	// NFib is the FIB's version (default 0x00C1, Word 97; below it, Word 6 or 95).
	NFib uint16
	// PieceOffset, when set, is written as the piece's position in the stream instead of the
	// text's own (a damaged file).
	PieceOffset uint32
	// Headings gives paragraphs (by their index, counting the marks that end them, '\r' and
	// '\x07') the built-in style Heading 1-9: their level.
	Headings map[int]int
	// RowEnds marks the paragraphs (counted as for Headings) whose '\x07' ends a table row,
	// as Word does (sprmPFTtp). Without it a row's end is only a second '\x07'.
	RowEnds map[int]bool
	// Footnotes is the footnotes' text, stored after the main text as Word stores it: each
	// footnote its mark ('\x02') and paragraphs; the main text refers to them by '\x02' too.
	Footnotes string
}

// WordDoc returns a Word 97-2003 binary document (.doc) whose main text is text, in Word's own
// characters: '\r' ends a paragraph, '\x07' a table cell or row (see RowEnds), '\x13' '\x14'
// '\x15' open a field, start its result and close it. It is the smallest file the format
// allows: a compound file (version 3, 512-byte sectors) holding a WordDocument stream (a FIB
// and the text) and a 1Table stream (a piece table of one piece), both long enough to live in
// regular sectors.
func WordDoc(text string, o WordDocOptions) []byte {
	const textAt = 0x800
	mainChars := len([]rune(text))
	if !o.Compressed {
		mainChars = len(utf16.Encode([]rune(text)))
	}
	text += o.Footnotes
	var body []byte
	fc := uint32(textAt)
	if o.Compressed {
		body, _ = charmap.Windows1252.NewEncoder().Bytes([]byte(text))
		fc = textAt*2 | 0x40000000
	} else {
		for _, u := range utf16.Encode([]rune(text)) {
			body = binary.LittleEndian.AppendUint16(body, u)
		}
	}
	if o.PieceOffset != 0 {
		fc = o.PieceOffset
	}
	chars := uint32(len([]rune(text)))
	width := uint32(1)
	if !o.Compressed {
		chars, width = uint32(len(body)/2), 2
	}
	fkpAt := (textAt + len(body) + 511) / 512 * 512 // the page of paragraph properties
	wd := make([]byte, sectorsFor(fkpAt+512)*512)
	le := binary.LittleEndian
	le.PutUint16(wd[0:], 0xA5EC)
	le.PutUint16(wd[2:], cmpOr(o.NFib, 0x00C1))
	flags := uint16(0x0200) // the piece table is in 1Table
	if o.Encrypted {
		flags |= 0x0100
	}
	le.PutUint16(wd[0x0A:], flags)
	le.PutUint32(wd[0x4C:], uint32(mainChars))
	le.PutUint32(wd[0x50:], chars-uint32(mainChars)) // the footnotes' characters
	copy(wd[textAt:], body)
	// The Clx: a Pcdt holding a PlcPcd of one piece, characters [0, chars).
	clx := []byte{0x02}
	clx = le.AppendUint32(clx, 4*2+8)
	clx = le.AppendUint32(clx, 0)
	clx = le.AppendUint32(clx, chars)
	clx = append(clx, 0, 0)
	clx = le.AppendUint32(clx, fc)
	clx = append(clx, 0, 0)
	le.PutUint32(wd[0x01A2:], 0)
	le.PutUint32(wd[0x01A6:], uint32(len(clx)))
	table := make([]byte, 8*512)
	copy(table, clx)
	if len(o.Headings) > 0 || len(o.RowEnds) > 0 {
		// The style sheet: a header of 18 bytes (its first field the count of styles), then
		// styles 0-9, each a definition of 10 bytes whose first 12 bits are its built-in
		// identifier: 0 Normal, 1-9 Heading 1-9 (the style index is the level).
		stsh := le.AppendUint16(nil, 18)
		stsh = le.AppendUint16(stsh, 10)
		stsh = append(stsh, make([]byte, 16)...)
		for sti := range 10 {
			stsh = le.AppendUint16(stsh, 10)
			stsh = le.AppendUint16(stsh, uint16(sti))
			stsh = append(stsh, make([]byte, 8)...)
		}
		copy(table[0x200:], stsh)
		le.PutUint32(wd[0x00A2:], 0x200)
		le.PutUint32(wd[0x00A6:], uint32(len(stsh)))
		// One FKP page: a run per paragraph (from its first character's offset to past its
		// mark), each pointing at a PAPX near the page's end holding its style index, and for
		// a row's end the property that says so (sprmPFTtp).
		page := wd[fkpAt : fkpAt+512]
		var starts []uint32
		begin := uint32(0)
		for i, r := range []rune(text) {
			if r == '\r' || r == 0x07 {
				starts = append(starts, begin)
				begin = uint32(i + 1)
			}
		}
		crun := len(starts)
		for k, st := range starts {
			le.PutUint32(page[4*k:], textAt+width*st)
			end := uint32(chars)
			if k+1 < crun {
				end = starts[k+1]
			}
			le.PutUint32(page[4*k+4:], textAt+width*end)
			papx := 510 - 6*(k+1) // 6 bytes each, from the page's end
			page[4*(crun+1)+13*k] = byte(papx / 2)
			page[papx] = 3 // size: 2*3-1 bytes of istd and properties follow
			le.PutUint16(page[papx+1:], uint16(o.Headings[k]))
			if o.RowEnds[k] {
				le.PutUint16(page[papx+3:], 0x2417) // sprmPFTtp
				page[papx+5] = 1
			}
		}
		page[511] = byte(crun)
		bte := le.AppendUint32(nil, textAt)
		bte = le.AppendUint32(bte, textAt+width*chars)
		bte = le.AppendUint32(bte, uint32(fkpAt/512))
		copy(table[0x400:], bte)
		le.PutUint32(wd[0x0102:], 0x400)
		le.PutUint32(wd[0x0106:], uint32(len(bte)))
	}
	return CompoundFile(CFBStream{"1Table", table}, CFBStream{"WordDocument", wd})
}

func cmpOr(v, def uint16) uint16 {
	if v == 0 {
		return def
	}
	return v
}

// sectorsFor returns the 512-byte sectors n bytes take, at least 8: a stream of 4,096 bytes
// or more is kept in regular sectors.
func sectorsFor(n int) int { return max(8, (n+511)/512) }

// CFBStream is one directory entry of a generated compound file: a stream named Name holding
// Data, or, with Data nil, one more entry for the sectors of the last stream of that name (a
// hostile directory that names one stream many times). A Name with slashes puts the stream in
// storages ("__attach_version1.0_#00000000/__substg1.0_3701000D"), made as first named.
type CFBStream struct {
	Name string
	Data []byte
}

// CompoundFile writes streams into a compound file ([MS-CFB], version 3, 512-byte sectors):
// the header, the FAT (up to 109 sectors, listed in the header), the directory (the root, then
// each storage and stream; the children of a storage in a chain of right siblings, in the order
// given), the mini FAT and the mini stream, then each stream's sectors in a chain. A stream
// under 4,096 bytes lives in the mini stream, in 64-byte sectors, as writers put it; each has
// its exact size.
func CompoundFile(streams ...CFBStream) []byte {
	const (
		endOfChain = 0xFFFFFFFE
		freeSect   = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
		miniCutoff = 4096
	)
	le := binary.LittleEndian
	// The directory tree: entry 0 is the root; storages are made as paths first name them.
	type node struct {
		name     string
		typ      byte
		children []int
		stream   string // the full name of a stream's CFBStream
	}
	nodes := []node{{name: "Root Entry", typ: 5}}
	storage := map[string]int{"": 0}
	for _, st := range streams {
		parent, dir := 0, ""
		parts := strings.Split(st.Name, "/")
		for _, p := range parts[:len(parts)-1] {
			dir += p + "/"
			k, ok := storage[dir]
			if !ok {
				k = len(nodes)
				nodes = append(nodes, node{name: p, typ: 1})
				storage[dir] = k
				nodes[parent].children = append(nodes[parent].children, k)
			}
			parent = k
		}
		nodes[parent].children = append(nodes[parent].children, len(nodes))
		nodes = append(nodes, node{name: parts[len(parts)-1], typ: 2, stream: st.Name})
	}
	// Streams of 4,096 bytes or more take regular sectors, smaller ones 64-byte sectors of the
	// mini stream.
	dirSectors := (len(nodes) + 3) / 4
	dataSectors := 0
	var mini []byte
	var miniFat []uint32
	type placed struct{ first, size uint32 }
	at := map[string]placed{}
	for _, st := range streams {
		switch {
		case st.Data == nil:
		case len(st.Data) >= miniCutoff:
			dataSectors += (len(st.Data) + 511) / 512
		case len(st.Data) == 0:
			at[st.Name] = placed{endOfChain, 0}
		default:
			n := (len(st.Data) + 63) / 64
			first := uint32(len(miniFat))
			for i := range n {
				next := uint32(len(miniFat) + 1)
				if i == n-1 {
					next = endOfChain
				}
				miniFat = append(miniFat, next)
			}
			at[st.Name] = placed{first, uint32(len(st.Data))}
			padded := make([]byte, n*64)
			copy(padded, st.Data)
			mini = append(mini, padded...)
		}
	}
	miniFatSectors := (len(miniFat)*4 + 511) / 512
	miniSectors := (len(mini) + 511) / 512
	fatSectors := 1
	for fatSectors*128 < fatSectors+dirSectors+miniFatSectors+miniSectors+dataSectors {
		fatSectors++
	}
	if fatSectors > 109 {
		panic("sampledocs: the streams need a DIFAT, which CompoundFile does not write")
	}
	var fat []uint32
	for range fatSectors {
		fat = append(fat, fatSect)
	}
	chain := func(n int) uint32 {
		if n == 0 {
			return endOfChain
		}
		first := uint32(len(fat))
		for i := range n {
			if i == n-1 {
				fat = append(fat, endOfChain)
			} else {
				fat = append(fat, uint32(len(fat)+1))
			}
		}
		return first
	}
	dirAt := chain(dirSectors)
	miniFatAt := chain(miniFatSectors)
	miniAt := chain(miniSectors)
	var body []byte
	for _, st := range streams {
		if len(st.Data) >= miniCutoff {
			n := (len(st.Data) + 511) / 512
			at[st.Name] = placed{chain(n), uint32(len(st.Data))}
			padded := make([]byte, n*512)
			copy(padded, st.Data)
			body = append(body, padded...)
		}
	}
	for len(fat) < fatSectors*128 {
		fat = append(fat, freeSect)
	}
	header := make([]byte, 512)
	copy(header, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(header[0x18:], 0x003E)
	le.PutUint16(header[0x1A:], 0x0003)
	le.PutUint16(header[0x1C:], 0xFFFE)
	le.PutUint16(header[0x1E:], 9)
	le.PutUint16(header[0x20:], 6)
	le.PutUint32(header[0x2C:], uint32(fatSectors))
	le.PutUint32(header[0x30:], dirAt)
	le.PutUint32(header[0x38:], miniCutoff)
	le.PutUint32(header[0x3C:], miniFatAt)
	le.PutUint32(header[0x40:], uint32(miniFatSectors))
	le.PutUint32(header[0x44:], endOfChain)
	for i := range 109 {
		v := uint32(freeSect)
		if i < fatSectors {
			v = uint32(i)
		}
		le.PutUint32(header[0x4C+4*i:], v)
	}
	dir := make([]byte, dirSectors*512)
	for i := range dirSectors * 4 {
		le.PutUint32(dir[128*i+0x44:], noStream)
		le.PutUint32(dir[128*i+0x48:], noStream)
		le.PutUint32(dir[128*i+0x4C:], noStream)
	}
	for i, n := range nodes {
		e := dir[128*i:]
		u := utf16.Encode([]rune(n.name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42], e[0x43] = n.typ, 1
		for k, c := range n.children {
			if k == 0 {
				le.PutUint32(e[0x4C:], uint32(c))
			}
			if k+1 < len(n.children) {
				le.PutUint32(dir[128*c+0x48:], uint32(n.children[k+1]))
			}
		}
		switch {
		case i == 0:
			le.PutUint32(e[0x74:], miniAt)
			le.PutUint64(e[0x78:], uint64(len(mini)))
		case n.typ == 2:
			p := at[n.stream]
			le.PutUint32(e[0x74:], p.first)
			le.PutUint64(e[0x78:], uint64(p.size))
		}
	}
	out := header
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	out = append(out, dir...)
	for _, v := range miniFat {
		out = le.AppendUint32(out, v)
	}
	out = append(out, make([]byte, miniFatSectors*512-len(miniFat)*4)...)
	out = append(out, mini...)
	out = append(out, make([]byte, miniSectors*512-len(mini))...)
	return append(out, body...)
}
