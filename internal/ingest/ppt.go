package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PowerPoint 97-2003 presentations (.ppt) fill old intranet shares as .doc and .xls do. Their
// text is read as [MS-PPT] 2.1.2 ("Retrieving the Current Document") describes: the Current
// User stream points at the newest UserEditAtom of the PowerPoint Document stream; its chain
// of earlier edits gives the persist directories, read newest first, so that an object saved
// again by a later (fast) save is read where that save put it and text a later edit replaced
// is never read. The document's SlideListWithText lists the slides in order, each with the
// text of its placeholders; a slide's drawing holds its other text boxes (and, as LibreOffice
// writes them, the placeholders' text too), and its notes page the speaker notes. Records are
// bounded by their stream and their container, nesting by pptMaxDepth, and the records and
// text read by twice the stream, so a damaged or hostile file fails with a reason.

// Record types ([MS-PPT] 2.13.24) and the CurrentUserAtom's header token of an encrypted file.
const (
	pptCurrentUserAtom  = 0x0FF6
	pptUserEditAtom     = 0x0FF5
	pptPersistDirectory = 0x1772
	pptDocument         = 0x03E8
	pptSlideList        = 0x0FF0
	pptSlidePersistAtom = 0x03F3
	pptSlide            = 0x03EE
	pptSlideAtom        = 0x03EF
	pptNotes            = 0x03F0
	pptTextHeaderAtom   = 0x0F9F
	pptTextCharsAtom    = 0x0FA0
	pptTextBytesAtom    = 0x0FA8
	pptClientTextbox    = 0xF00D
	pptCryptSession     = 0x2F14
	pptEncryptedToken   = 0xF3D1C4DF
)

// TextHeaderAtom's text types: which placeholder a block of text fills.
const (
	pptTitleText       = 0
	pptCenterTitleText = 6
)

// pptMaxDepth bounds the nesting of records: PowerPoint nests a text box some six containers
// deep (slide, drawing, OfficeArt drawing, group, shape, text box), groups a few more.
const pptMaxDepth = 64

// pptRecord is one record: its header's instance and type, whether it is a container
// (recVer 0xF), and its body.
type pptRecord struct {
	inst, typ uint16
	container bool
	body      []byte
}

var errPPTOutside = errors.New("damaged PowerPoint presentation: a record runs past the end of its stream or container")

// pptRecordAt reads the record at offset at of b.
func pptRecordAt(b []byte, at int64) (pptRecord, error) {
	if at < 0 || at+8 > int64(len(b)) {
		return pptRecord{}, errPPTOutside
	}
	le := binary.LittleEndian
	verInst, n := le.Uint16(b[at:]), int64(le.Uint32(b[at+4:]))
	if at+8+n > int64(len(b)) {
		return pptRecord{}, errPPTOutside
	}
	return pptRecord{verInst >> 4, le.Uint16(b[at+2:]), verInst&0xF == 0xF, b[at+8 : at+8+n]}, nil
}

// pptReader reads the slides of one PowerPoint Document stream.
type pptReader struct {
	stream   []byte
	persist  map[uint32]int64 // persist id to the offset of its object, newest edit's
	deadline time.Time
	// spent counts the bytes read (records' headers, text), up to budget, twice the stream:
	// slides whose persist offsets point into one another's records would read the same
	// records, and decode the same text, again and again.
	spent, budget int64
	records       int // read so far: the clock is looked at every 4,096
}

// parsePPT extracts the slides of a PowerPoint 97-2003 presentation: a section a slide,
// headed by its title, then its text and its speaker notes.
func parsePPT(data []byte, deadline time.Time) (Parsed, error) {
	streams, err := compoundStreams(data, "PowerPoint 97-2003 presentation", topLevel("PowerPoint Document", "Current User", "EncryptedSummary", "PP40"))
	if err != nil {
		return Parsed{}, err
	}
	encrypted := ErrSkip{Reason: "encrypted PowerPoint presentation (password-protected)"}
	stream, user := streams["PowerPoint Document"], streams["Current User"]
	switch {
	case stream == nil && streams["PP40"] != nil:
		return Parsed{}, ErrSkip{Reason: "a PowerPoint 95 or older presentation: open it in PowerPoint or LibreOffice and save it as .pptx"}
	case stream == nil:
		return Parsed{}, errors.New("not a PowerPoint 97-2003 presentation: no PowerPoint Document stream")
	case streams["EncryptedSummary"] != nil:
		return Parsed{}, encrypted
	}
	// The Current User stream names the newest edit. Where it is missing or names none (a
	// damaged file), the last edit record of the stream is the newest (edits are appended),
	// so that the slides are still read.
	le := binary.LittleEndian
	edit := int64(-1)
	if cu, err := pptRecordAt(user, 0); err == nil && cu.typ == pptCurrentUserAtom && len(cu.body) >= 12 {
		if le.Uint32(cu.body[4:]) == pptEncryptedToken {
			return Parsed{}, encrypted
		}
		edit = int64(le.Uint32(cu.body[8:]))
	}
	if r, err := pptRecordAt(stream, edit); err != nil || r.typ != pptUserEditAtom {
		if edit = pptLastEdit(stream); edit < 0 {
			return Parsed{}, errors.New("damaged PowerPoint presentation (or a PowerPoint 95 one): no edit record names its slides")
		}
	}
	p := &pptReader{stream: stream, persist: map[uint32]int64{}, deadline: deadline, budget: 2*int64(len(stream)) + 4096}
	docRef, cryptRef, err := p.readEdits(edit)
	if err != nil {
		return Parsed{}, err
	}
	if at, ok := p.persist[cryptRef]; ok && cryptRef != 0 {
		if r, err := pptRecordAt(stream, at); err == nil && r.typ == pptCryptSession {
			return Parsed{}, encrypted
		}
	}
	return p.slides(docRef)
}

// pptLastEdit returns the offset of the last UserEditAtom among the stream's top-level
// records, which follow one another, or -1 where there is none.
func pptLastEdit(stream []byte) int64 {
	last := int64(-1)
	for at := int64(0); ; {
		r, err := pptRecordAt(stream, at)
		if err != nil {
			return last
		}
		if r.typ == pptUserEditAtom {
			last = at
		}
		at += 8 + int64(len(r.body))
	}
}

// readEdits follows the chain of UserEditAtoms from the newest, at offset at, filling the
// persist directory (an id keeps the offset of the newest edit that wrote it). It returns
// the newest edit's persist ids of the DocumentContainer and of the encryption session (0
// when it names none).
func (p *pptReader) readEdits(at int64) (docRef, cryptRef uint32, err error) {
	le := binary.LittleEndian
	seen, dirs := map[int64]bool{}, map[int64]bool{} // edits and directories read
	for newest := true; newest || at != 0; newest = false {
		if seen[at] {
			return 0, 0, errors.New("damaged PowerPoint presentation: its chain of edits loops")
		}
		seen[at] = true
		if time.Now().After(p.deadline) {
			return 0, 0, errParseDeadline
		}
		edit, err := pptRecordAt(p.stream, at)
		if err != nil || edit.typ != pptUserEditAtom || len(edit.body) < 28 {
			return 0, 0, fmt.Errorf("damaged PowerPoint presentation: no edit record at offset %d", at)
		}
		if newest {
			docRef = le.Uint32(edit.body[16:])
			if len(edit.body) >= 32 {
				cryptRef = le.Uint32(edit.body[28:])
			}
		}
		dirAt := int64(le.Uint32(edit.body[12:]))
		dir, err := pptRecordAt(p.stream, dirAt)
		if err != nil || dir.typ != pptPersistDirectory {
			return 0, 0, errors.New("damaged PowerPoint presentation: an edit's persist directory is missing")
		}
		// A directory read for a newer edit adds nothing: edits naming one large directory
		// thousands of times would read it again each time.
		if !dirs[dirAt] {
			dirs[dirAt] = true
			if err := p.directory(dir.body); err != nil {
				return 0, 0, err
			}
		}
		at = int64(le.Uint32(edit.body[8:]))
	}
	return docRef, cryptRef, nil
}

// directory adds the entries of a PersistDirectoryAtom's body to the persist directory, but
// for ids a newer edit gave: each entry is a first persist id (20 bits) and a count (12 bits),
// then that many offsets.
func (p *pptReader) directory(b []byte) error {
	le := binary.LittleEndian
	for len(b) >= 4 {
		first, n := le.Uint32(b)&0xFFFFF, int(le.Uint32(b)>>20)
		if 4+4*n > len(b) {
			return errors.New("damaged PowerPoint presentation: a persist directory entry runs past its record")
		}
		for k := range n {
			if _, ok := p.persist[first+uint32(k)]; !ok {
				p.persist[first+uint32(k)] = int64(le.Uint32(b[4+4*k:]))
			}
		}
		b = b[4+4*n:]
	}
	return nil
}

// object returns the record that persist id ref names, and its offset, if it is of type typ.
func (p *pptReader) object(ref uint32, typ uint16) (pptRecord, int64, bool) {
	at, ok := p.persist[ref]
	if !ok {
		return pptRecord{}, 0, false
	}
	r, err := pptRecordAt(p.stream, at)
	return r, at, err == nil && r.typ == typ
}

// children calls f with each record inside body, counting its header and its text against
// the budget and looking at the clock.
func (p *pptReader) children(body []byte, f func(pptRecord) error) error {
	for at := int64(0); at+8 <= int64(len(body)); {
		if p.records++; p.records%4096 == 0 && time.Now().After(p.deadline) {
			return errParseDeadline
		}
		r, err := pptRecordAt(body, at)
		if err != nil {
			return err
		}
		p.spent += 8
		if r.typ == pptTextCharsAtom || r.typ == pptTextBytesAtom {
			p.spent += int64(len(r.body))
		}
		if p.spent > p.budget {
			return errors.New("damaged PowerPoint presentation: its slides name the same records over and over")
		}
		if err := f(r); err != nil {
			return err
		}
		at += 8 + int64(len(r.body))
	}
	return nil
}

// pptText is a block of text (a placeholder's, a text box's) with its TextHeaderAtom's type.
type pptText struct {
	typ  uint32
	text string
}

// textAtom adds r to *out if it is a text atom, under the type of the last TextHeaderAtom
// (*typ), which it updates.
func textAtom(r pptRecord, typ *uint32, out *[]pptText) {
	switch r.typ {
	case pptTextHeaderAtom:
		if len(r.body) >= 4 {
			*typ = binary.LittleEndian.Uint32(r.body)
		}
	case pptTextCharsAtom:
		*out = append(*out, pptText{*typ, utf16LE(r.body)})
	case pptTextBytesAtom:
		*out = append(*out, pptText{*typ, latin1(r.body)})
	}
}

// boxTexts appends the text of each text box (OfficeArtClientTextbox) inside body, at any
// depth: a slide's drawing nests them in groups of shapes.
func (p *pptReader) boxTexts(body []byte, depth int, out *[]pptText) error {
	if depth > pptMaxDepth {
		return fmt.Errorf("damaged PowerPoint presentation: records nested deeper than %d levels", pptMaxDepth)
	}
	return p.children(body, func(r pptRecord) error {
		switch {
		case r.typ == pptClientTextbox:
			typ := uint32(0xFFFFFFFF) // before a TextHeaderAtom: no title
			return p.children(r.body, func(a pptRecord) error {
				textAtom(a, &typ, out)
				return nil
			})
		case r.container:
			return p.boxTexts(r.body, depth+1, out)
		}
		return nil
	})
}

// pptSlideRef is one slide (or notes page) of a SlideListWithText: its persist id, its id
// (which a slide's notesIdRef names), and the text listed after it.
type pptSlideRef struct {
	ref, id uint32
	texts   []pptText
}

// slides reads the slides of the DocumentContainer that persist id docRef names.
func (p *pptReader) slides(docRef uint32) (Parsed, error) {
	docRec, _, ok := p.object(docRef, pptDocument)
	if !ok {
		return Parsed{}, errors.New("damaged PowerPoint presentation: its document record is missing")
	}
	lists := map[uint16][]pptSlideRef{} // by instance: 0 the slides, 2 the notes pages
	err := p.children(docRec.body, func(r pptRecord) error {
		if r.typ != pptSlideList || lists[r.inst] != nil || (r.inst != 0 && r.inst != 2) {
			return nil
		}
		list := []pptSlideRef{}
		typ := uint32(0xFFFFFFFF)
		err := p.children(r.body, func(a pptRecord) error {
			if a.typ == pptSlidePersistAtom && len(a.body) >= 16 {
				le := binary.LittleEndian
				if len(list) == maxSections {
					return errTooManySections // each slide is a section, as a heading's
				}
				list = append(list, pptSlideRef{ref: le.Uint32(a.body), id: le.Uint32(a.body[12:])})
			} else if len(list) > 0 {
				textAtom(a, &typ, &list[len(list)-1].texts)
			}
			return nil
		})
		lists[r.inst] = list
		return err
	})
	if err != nil {
		return Parsed{}, err
	}
	if len(lists[0]) == 0 {
		return Parsed{}, ErrSkip{Reason: "a PowerPoint presentation without slides"}
	}
	notes := map[uint32]uint32{} // notes id to its persist id
	for _, n := range lists[2] {
		notes[n.id] = n.ref
	}
	var doc Parsed
	// The slides and notes pages read, by offset: a hostile list names one slide again and
	// again, or many persist ids one offset. A slide named again is no slide of its own.
	read := map[int64]bool{}
	for _, s := range lists[0] {
		texts := s.texts
		var notesText []pptText
		if slide, at, ok := p.object(s.ref, pptSlide); ok {
			if read[at] {
				continue
			}
			read[at] = true
			if err := p.boxTexts(slide.body, 0, &texts); err != nil {
				return Parsed{}, err
			}
			// The SlideAtom, the slide's first record, names its notes page (notesIdRef).
			var notesID uint32
			if a, err := pptRecordAt(slide.body, 0); err == nil && a.typ == pptSlideAtom && len(a.body) >= 20 {
				notesID = binary.LittleEndian.Uint32(a.body[16:])
			}
			if ref, ok := notes[notesID]; ok && notesID != 0 {
				if page, at, ok := p.object(ref, pptNotes); ok && !read[at] {
					read[at] = true
					if err := p.boxTexts(page.body, 0, &notesText); err != nil {
						return Parsed{}, err
					}
				}
			}
		}
		title, lines := pptSlideText(texts, notesText)
		if err := addSlide(&doc, title, lines); err != nil {
			return Parsed{}, err
		}
	}
	return doc, nil
}

// pptSlideText makes a slide's title and lines of its blocks of text and its notes page's.
// A block both listed in the SlideListWithText and held in a text box (as some writers save
// placeholders) is read once. The first title block is the title; each paragraph (\r) and
// line (\v) of the others a line; the notes page's text follows, all of it (LibreOffice
// writes the notes as a plain text box, not as the notes placeholder), the first line marked
// "Notes:".
func pptSlideText(texts, notesText []pptText) (string, []string) {
	title := ""
	var lines []string
	seen := map[string]bool{}
	for _, t := range texts {
		paras := pptParagraphs(t.text)
		key := strings.Join(paras, "\n")
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		if title == "" && (t.typ == pptTitleText || t.typ == pptCenterTitleText) {
			title = strings.Join(paras, " ")
			continue
		}
		lines = append(lines, paras...)
	}
	first := true
	for _, t := range notesText {
		for _, l := range pptParagraphs(t.text) {
			if first {
				l, first = "Notes: "+l, false
			}
			lines = append(lines, l)
		}
	}
	return title, lines
}

// pptParagraphs splits slide text at paragraph (\r) and line (\v) breaks into its non-empty
// lines, spaces collapsed and other control characters dropped.
func pptParagraphs(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\v' || r == '\n' }) {
		l = strings.Map(func(r rune) rune {
			if r < 0x20 {
				return ' '
			}
			return r
		}, l)
		if l = collapse(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
