package sampledocs

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf16"
)

// PPTOptions varies a generated PowerPoint 97-2003 presentation.
type PPTOptions struct {
	// InBoxes writes each slide's title and text in text boxes of the slide's drawing as well,
	// as some PowerPoint versions save placeholders; text a box holds that fits ISO-8859-1 is
	// written one byte a character (TextBytesAtom).
	InBoxes bool
	// NotInList leaves the text out of the document's slide list, as LibreOffice writes it
	// (with InBoxes, the text is then only in the drawing).
	NotInList bool
	// Notes gives slides (by index) speaker notes, on a notes page of their own.
	Notes map[int]string
	// Stale writes an earlier edit first: the first slide as it is, the others with other
	// text ("Old title N", "Stale line N"), and one slide more, which the newest edit's list
	// no longer holds. The newest edit (a fast save) writes the document and every slide but
	// the first again, so the first is read from the earlier edit's directory, and names the
	// earlier edit as its previous one. The first slide's notes are lost.
	Stale bool
	// Encrypted marks the Current User stream's header token as an encrypted file's and names
	// a CryptSession10Container in the newest edit.
	Encrypted bool
	// LoopEdits makes the chain of edits loop: the newest names itself as its previous edit,
	// or, with Stale, the earlier edit names the newest.
	LoopEdits bool
	// Nesting wraps each slide's shapes in that many more groups.
	Nesting int
}

// Record types of [MS-PPT] that PPT writes.
const (
	pptDocument     = 0x03E8
	pptSlideList    = 0x0FF0
	pptSlidePersist = 0x03F3
	pptSlide        = 0x03EE
	pptSlideAtom    = 0x03EF
	pptNotes        = 0x03F0
	pptNotesAtom    = 0x03F1
	pptDrawing      = 0x040C
	pptTextHeader   = 0x0F9F
	pptTextChars    = 0x0FA0
	pptTextBytes    = 0x0FA8
	pptPersistDir   = 0x1772
	pptUserEdit     = 0x0FF5
	pptCurrentUser  = 0x0FF6
	pptCryptSession = 0x2F14
	// OfficeArt: the drawing, the group of shapes, a shape, its properties, its text box.
	artDg      = 0xF002
	artSpgr    = 0xF003
	artSp      = 0xF004
	artSpgrAtm = 0xF009
	artFSp     = 0xF00A
	artTextbox = 0xF00D
)

// Persist ids PPT gives its objects: the document, each slide's (slide i's is pptSlideIDs+i),
// each notes page's, the encryption session's; and the first slide's and notes page's ids
// (SlideId, NotesId), which the slide list and a slide's SlideAtom name them by.
const (
	pptDocID    = 1
	pptCryptoID = 2
	pptSlideIDs = 0x1000
	pptNotesIDs = 0x80000
	pptSlideID0 = 0x100
	pptNotesID0 = 0x100000
)

// PPT returns a PowerPoint 97-2003 presentation (.ppt) of the slides: a compound file holding
// the Current User and PowerPoint Document streams of PPTStreams.
func PPT(slides []Slide, o PPTOptions) []byte {
	doc, user := PPTStreams(slides, o)
	return CompoundFile(CFBStream{"Current User", user}, CFBStream{"PowerPoint Document", doc})
}

// PPTStreams returns the PowerPoint Document and Current User streams of a presentation of the
// slides, for tests that damage them: each edit writes the slides, the notes pages and the
// document container, then its persist directory and its UserEditAtom. A slide's title is
// listed as title text (TextHeaderAtom type 0), its lines joined by '\r' as body text (type 1).
func PPTStreams(slides []Slide, o PPTOptions) (doc, currentUser []byte) {
	le := binary.LittleEndian
	var stream []byte
	prev := uint32(0)
	if o.Stale {
		old := make([]Slide, len(slides)+1)
		for i := range old {
			old[i] = Slide{Title: fmt.Sprintf("Old title %d", i+1), Lines: []string{fmt.Sprintf("Stale line %d", i+1)}}
		}
		if len(slides) > 0 {
			old[0] = slides[0]
		}
		stream, prev = pptEdit(stream, old, o, 0, 0, false)
	}
	kept := 0
	if o.Stale {
		kept = 1
	}
	stream, edit := pptEdit(stream, slides, o, prev, kept, o.Encrypted)
	if o.LoopEdits {
		loopAt := edit // the newest names itself
		if o.Stale {
			loopAt = prev // the earlier names the newest
		}
		le.PutUint32(stream[loopAt+8+8:], edit)
	}
	token := uint32(0xE391C05F)
	if o.Encrypted {
		token = 0xF3D1C4DF
	}
	body := le.AppendUint32(nil, 0x14)
	body = le.AppendUint32(body, token)
	body = le.AppendUint32(body, edit)
	body = le.AppendUint16(body, 6)
	body = le.AppendUint16(body, 0x03F4)
	body = append(body, 3, 0, 0, 0)
	body = append(body, "docent"...)
	body = le.AppendUint32(body, 8)
	return stream, pptRecord(0, pptCurrentUser, body)
}

// pptEdit appends one edit of the slides to stream, whose previous edit is at prev (0: none),
// and returns the stream and the offset of its UserEditAtom. The first kept slides are listed
// but not written: an earlier edit's stand.
func pptEdit(stream []byte, slides []Slide, o PPTOptions, prev uint32, kept int, encrypted bool) ([]byte, uint32) {
	le := binary.LittleEndian
	offsets := map[uint32]uint32{}
	put := func(id uint32, rec []byte) {
		offsets[id] = uint32(len(stream))
		stream = append(stream, rec...)
	}
	var list, notesList []byte
	for i, s := range slides {
		list = append(list, pptPersistAtom(pptSlideIDs+uint32(i), pptSlideID0+uint32(i))...)
		if !o.NotInList {
			if s.Title != "" {
				list = append(list, pptText(0, s.Title, false)...)
			}
			if len(s.Lines) > 0 {
				list = append(list, pptText(1, strings.Join(s.Lines, "\r"), false)...)
			}
		}
		if i < kept {
			continue
		}
		notes, hasNotes := o.Notes[i]
		notesRef := uint32(0)
		if hasNotes {
			notesRef = pptNotesID0 + uint32(i)
			box := pptBox(2, notes)
			put(pptNotesIDs+uint32(i), pptContainer(pptNotes, 0, pptRecord(0, pptNotesAtom, make([]byte, 8)), pptShapes(0, box)))
			notesList = append(notesList, pptPersistAtom(pptNotesIDs+uint32(i), notesRef)...)
		}
		// The SlideAtom: its layout, placeholders, master and (at offset 16) its notes page.
		atom := make([]byte, 24)
		le.PutUint32(atom[12:], 0x80000000)
		le.PutUint32(atom[16:], notesRef)
		var boxes [][]byte
		if o.InBoxes {
			if s.Title != "" {
				boxes = append(boxes, pptBox(0, s.Title))
			}
			if len(s.Lines) > 0 {
				boxes = append(boxes, pptBox(1, strings.Join(s.Lines, "\r")))
			}
		}
		put(pptSlideIDs+uint32(i), pptContainer(pptSlide, 0, pptRecord(0, pptSlideAtom, atom), pptShapes(o.Nesting, boxes...)))
	}
	lists := pptContainer(pptSlideList, 0, list)
	if notesList != nil {
		lists = append(lists, pptContainer(pptSlideList, 2, notesList)...)
	}
	put(pptDocID, pptContainer(pptDocument, 0, pptRecord(0, 0x03E9, make([]byte, 40)), lists))
	if encrypted {
		put(pptCryptoID, pptContainer(pptCryptSession, 0, pptRecord(0, 0x2F15, make([]byte, 16))))
	}
	// The persist directory: an entry (first id, count 1) and its offset for each object.
	var dir []byte
	for _, id := range slices.Sorted(maps.Keys(offsets)) {
		dir = le.AppendUint32(dir, 1<<20|id)
		dir = le.AppendUint32(dir, offsets[id])
	}
	dirAt := uint32(len(stream))
	stream = append(stream, pptRecord(0, pptPersistDir, dir)...)
	edit := le.AppendUint32(nil, pptSlideID0) // lastSlideIdRef
	edit = le.AppendUint16(edit, 0)
	edit = append(edit, 0, 3)
	edit = le.AppendUint32(edit, prev)
	edit = le.AppendUint32(edit, dirAt)
	edit = le.AppendUint32(edit, pptDocID)
	edit = le.AppendUint32(edit, 0xFFFFF) // persistIdSeed: past every id given
	edit = le.AppendUint32(edit, 1)       // lastView, unused
	if encrypted {
		edit = le.AppendUint32(edit, pptCryptoID)
	}
	editAt := uint32(len(stream))
	return append(stream, pptRecord(0, pptUserEdit, edit)...), editAt
}

// pptRecord returns a record: its version and instance, type, length and the parts of its body.
func pptRecord(verInst, typ uint16, body ...[]byte) []byte {
	n := 0
	for _, b := range body {
		n += len(b)
	}
	out := binary.LittleEndian.AppendUint16(nil, verInst)
	out = binary.LittleEndian.AppendUint16(out, typ)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	for _, b := range body {
		out = append(out, b...)
	}
	return out
}

// pptContainer returns a container record (version 0xF) of the children.
func pptContainer(typ, inst uint16, children ...[]byte) []byte {
	return pptRecord(inst<<4|0xF, typ, children...)
}

// pptPersistAtom returns a SlidePersistAtom naming persist id ref, of slide (or notes) id id.
func pptPersistAtom(ref, id uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, ref)
	b = binary.LittleEndian.AppendUint32(b, 4) // flags: fShouldCollapse
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, id)
	return pptRecord(0, pptSlidePersist, b, make([]byte, 4))
}

// pptText returns a TextHeaderAtom of type typ and the text, in UTF-16 (TextCharsAtom), or one
// byte a character (TextBytesAtom) where bytes is set and every character fits.
func pptText(typ uint32, text string, bytes bool) []byte {
	header := pptRecord(0, pptTextHeader, binary.LittleEndian.AppendUint32(nil, typ))
	var latin []byte
	for _, r := range text {
		if r > 0xFF {
			bytes = false
			break
		}
		latin = append(latin, byte(r))
	}
	if bytes {
		return append(header, pptRecord(0, pptTextBytes, latin)...)
	}
	var u []byte
	for _, c := range utf16.Encode([]rune(text)) {
		u = binary.LittleEndian.AppendUint16(u, c)
	}
	return append(header, pptRecord(0, pptTextChars, u)...)
}

// pptBox returns a shape holding a text box of the text, of text type typ.
func pptBox(typ uint32, text string) []byte {
	return pptContainer(artSp, 0, pptRecord(0x2<<4|0x2, artFSp, make([]byte, 8)), pptContainer(artTextbox, 0, pptText(typ, text, true)))
}

// pptShapes returns a DrawingContainer of the shapes, in a group nested in nesting more.
func pptShapes(nesting int, shapes ...[]byte) []byte {
	group := pptContainer(artSp, 0, pptRecord(0x1, artSpgrAtm, make([]byte, 16)), pptRecord(0x2, artFSp, make([]byte, 8)))
	spgr := pptContainer(artSpgr, 0, append([][]byte{group}, shapes...)...)
	for range nesting {
		spgr = pptContainer(artSpgr, 0, spgr)
	}
	return pptContainer(pptDrawing, 0, pptContainer(artDg, 0, spgr))
}
