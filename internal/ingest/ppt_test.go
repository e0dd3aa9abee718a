package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/sampledocs"
)

// pptDeck is the deck most tests write: a title slide with a line break (\v) in its text, a
// slide of two paragraphs with characters beyond Latin-1, and a slide without a title.
var pptDeck = []sampledocs.Slide{
	{Title: "Quarterly review", Lines: []string{"Revenue grew\vby 12 percent", "Café costs fell"}},
	{Title: "Next steps", Lines: []string{"Hire two engineers", "Open the 東京 office"}},
	{Lines: []string{"A slide without a title"}},
}

const pptDeckWant = `title: Quarterly review
== chunk heading="Slide 1: Quarterly review" anchor="slide-1" page=1
Quarterly review
Revenue grew
by 12 percent
Café costs fell
== chunk heading="Slide 2: Next steps" anchor="slide-2" page=2
Next steps
Hire two engineers
Open the 東京 office
== chunk heading="Slide 3" anchor="slide-3" page=3
A slide without a title
`

// TestPPTTextWhereWritersPutIt: a slide's text is read once whether the writer lists it in the
// document's slide list (PowerPoint's placeholders), in the slide's drawing (LibreOffice's
// way, one byte a character where it fits), or in both; titles head the sections.
func TestPPTTextWhereWritersPutIt(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	for name, o := range map[string]sampledocs.PPTOptions{
		"list":  {},
		"boxes": {InBoxes: true, NotInList: true},
		"both":  {InBoxes: true},
	} {
		t.Run(name, func(t *testing.T) { checkLayout(t, x, name+".ppt", sampledocs.PPT(pptDeck, o), pptDeckWant) })
	}
}

// TestPPTNotes: a slide's speaker notes follow its text, marked as notes.
func TestPPTNotes(t *testing.T) {
	t.Parallel()
	doc, err := parsePPT(sampledocs.PPT(pptDeck, sampledocs.PPTOptions{Notes: map[int]string{1: "Ask about the budget\rand the dates"}}), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := doc.Sections[1].Text, "Next steps\nHire two engineers\nOpen the 東京 office\nNotes: Ask about the budget\nand the dates"; got != want {
		t.Errorf("slide 2 = %q, want %q", got, want)
	}
	if strings.Contains(doc.Sections[0].Text, "Notes") || strings.Contains(doc.Sections[2].Text, "Notes") {
		t.Errorf("notes on slides without any: %+v", doc.Sections)
	}
}

// TestPPTStaleEdit: of a deck saved twice (a fast save appends the new edit and keeps the
// old), the newest edit's slides are read, the first slide, which it did not save again, from
// the earlier edit: not the earlier text of the others, nor the slide the newest edit deleted.
// In the slide list and in text boxes, or in text boxes only, where the first slide's text is
// then only in the earlier edit's records.
func TestPPTStaleEdit(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	for name, o := range map[string]sampledocs.PPTOptions{
		"both":  {Stale: true, InBoxes: true},
		"boxes": {Stale: true, InBoxes: true, NotInList: true},
	} {
		t.Run(name, func(t *testing.T) { checkLayout(t, x, name+".ppt", sampledocs.PPT(pptDeck, o), pptDeckWant) })
	}
}

// TestPPTManySlides: every slide of a long deck is a section, in order.
func TestPPTManySlides(t *testing.T) {
	t.Parallel()
	slides := make([]sampledocs.Slide, 600)
	for i := range slides {
		slides[i] = sampledocs.Slide{Title: fmt.Sprintf("Topic %d", i+1), Lines: []string{fmt.Sprintf("Point %d", i+1)}}
	}
	doc, err := parsePPT(sampledocs.PPT(slides, sampledocs.PPTOptions{InBoxes: true}), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Sections) != 600 {
		t.Fatalf("%d sections, want 600", len(doc.Sections))
	}
	if s := doc.Sections[599]; s.Headings[0] != "Slide 600: Topic 600" || s.Page != 600 || s.Text != "Topic 600\nPoint 600" {
		t.Errorf("last slide: %+v", s)
	}
}

// TestPPTLibreOffice reads decks that LibreOffice saved as .ppt (testdata/ppt/README.md): one
// of plain text frames (text in the slides' drawings, a line break, Japanese text, speaker
// notes as a text box), one of its template's placeholders (titles, a subtitle, outlines, notes
// in the notes placeholder, and a slide of empty placeholders whose prompts are not text).
func TestPPTLibreOffice(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	for name, want := range map[string]string{
		// The frames are plain text boxes, not title placeholders: no titles head the slides.
		"libreoffice": `title: libreoffice
== chunk heading="Slide 1" anchor="slide-1" page=1
Quarterly review
Revenue grew by 12 percent
Café costs fell
in Zürich
A free text box: 東京 office
Notes: Speaker notes: mention the budget
== chunk heading="Slide 2" anchor="slide-2" page=2
Next steps
Hire two engineers
Open the Lyon office
== chunk heading="Slide 3" anchor="slide-3" page=3
A slide without a title
`,
		"libreoffice-placeholders": `title: Quarterly review
== chunk heading="Slide 1: Quarterly review" anchor="slide-1" page=1
Quarterly review
Revenue grew by 12 percent
in every region
Notes: Speaker notes: mention the budget
== chunk heading="Slide 2: Next steps" anchor="slide-2" page=2
Next steps
Hire two engineers
Open the 東京 office
== chunk heading="Slide 3: Costs" anchor="slide-3" page=3
Costs
Café costs fell
Travel costs rose
`,
	} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open("testdata/ppt/" + name + ".ppt.gz")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			checkLayout(t, x, name+".ppt", data, want)
		})
	}
}

// pptPatched returns the deck's streams changed by patch, as a compound file.
func pptPatched(o sampledocs.PPTOptions, patch func(doc, user []byte) ([]byte, []byte)) []byte {
	doc, user := sampledocs.PPTStreams(pptDeck, o)
	doc, user = patch(doc, user)
	return sampledocs.CompoundFile(sampledocs.CFBStream{Name: "Current User", Data: user}, sampledocs.CFBStream{Name: "PowerPoint Document", Data: doc})
}

// TestPPTWithoutCurrentUser: a deck whose Current User stream is missing, holds no
// CurrentUserAtom, or names no edit record is read from the stream's last edit record.
func TestPPTWithoutCurrentUser(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	doc, user := sampledocs.PPTStreams(pptDeck, sampledocs.PPTOptions{Stale: true})
	pointsOutside := bytes.Clone(user)
	binary.LittleEndian.PutUint32(pointsOutside[16:], 0xFFFFFFF0)
	for name, data := range map[string][]byte{
		"missing":        sampledocs.CompoundFile(sampledocs.CFBStream{Name: "PowerPoint Document", Data: doc}),
		"no atom":        sampledocs.CompoundFile(sampledocs.CFBStream{Name: "Current User", Data: []byte("junk")}, sampledocs.CFBStream{Name: "PowerPoint Document", Data: doc}),
		"points outside": sampledocs.CompoundFile(sampledocs.CFBStream{Name: "Current User", Data: pointsOutside}, sampledocs.CFBStream{Name: "PowerPoint Document", Data: doc}),
	} {
		t.Run(name, func(t *testing.T) { checkLayout(t, x, "deck.ppt", data, pptDeckWant) })
	}
}

// TestPPTHostile: damaged and hostile decks fail alone, with a reason, never a crash, a hang
// or a runaway allocation; encrypted and PowerPoint 95 decks are skipped saying why.
func TestPPTHostile(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	deck := sampledocs.PPT(pptDeck, sampledocs.PPTOptions{})
	// The newest edit's offset, and what it points at, in the Current User stream and the edit.
	editAt := func(user []byte) uint32 { return le.Uint32(user[16:]) }
	for _, tc := range []struct {
		name string
		data []byte
		want string
		skip bool
	}{
		{"NotCompound", []byte("a deck saved as text"), "not a PowerPoint 97-2003 presentation", false},
		{"Truncated", deck[:len(deck)/2], "PowerPoint", false},
		{"StreamCut", pptPatched(sampledocs.PPTOptions{}, func(doc, user []byte) ([]byte, []byte) {
			return doc[:len(doc)/2], user
		}), "no edit record names its slides", false},
		// An earlier edit of the chain cut off: the chain is broken.
		{"EarlierEditOutside", pptPatched(sampledocs.PPTOptions{Stale: true}, func(doc, user []byte) ([]byte, []byte) {
			le.PutUint32(doc[editAt(user)+8+8:], 0x7FFFFFF0)
			return doc, user
		}), "no edit record at offset", false},
		{"Encrypted", sampledocs.PPT(pptDeck, sampledocs.PPTOptions{Encrypted: true}), "encrypted PowerPoint presentation", true},
		// The encryption session named by the newest edit, the header token left as plain.
		{"EncryptedSession", pptPatched(sampledocs.PPTOptions{Encrypted: true}, func(doc, user []byte) ([]byte, []byte) {
			le.PutUint32(user[12:], 0xE391C05F)
			return doc, user
		}), "encrypted PowerPoint presentation", true},
		{"EncryptedSummary", sampledocs.CompoundFile(sampledocs.CFBStream{Name: "Current User", Data: []byte{1}},
			sampledocs.CFBStream{Name: "PowerPoint Document", Data: []byte{1}}, sampledocs.CFBStream{Name: "EncryptedSummary", Data: []byte{1}}),
			"encrypted PowerPoint presentation", true},
		{"PowerPoint95", sampledocs.CompoundFile(sampledocs.CFBStream{Name: "PP40", Data: []byte("old")}), "PowerPoint 95", true},
		{"NoEditRecord", sampledocs.CompoundFile(sampledocs.CFBStream{Name: "PowerPoint Document", Data: record(0xF, 0x03E8, nil)}), "no edit record names its slides", false},
		{"EditLoopsToItself", sampledocs.PPT(pptDeck, sampledocs.PPTOptions{LoopEdits: true}), "chain of edits loops", false},
		{"EditsLoop", sampledocs.PPT(pptDeck, sampledocs.PPTOptions{LoopEdits: true, Stale: true}), "chain of edits loops", false},
		{"PersistDirectoryOutside", pptPatched(sampledocs.PPTOptions{}, func(doc, user []byte) ([]byte, []byte) {
			le.PutUint32(doc[editAt(user)+8+12:], 0x7FFFFFFF)
			return doc, user
		}), "persist directory is missing", false},
		// The document container (persist id 1, the directory's first entry) claims 4 GB.
		{"HugeRecord", pptPatched(sampledocs.PPTOptions{}, func(doc, user []byte) ([]byte, []byte) {
			dirAt := le.Uint32(doc[editAt(user)+8+12:])
			docAt := le.Uint32(doc[dirAt+8+4:]) // the first entry: persist id 1, the document
			le.PutUint32(doc[docAt+4:], 0xFFFFFFFF)
			return doc, user
		}), "document record is missing", false},
		{"DeepNesting", sampledocs.PPT(pptDeck, sampledocs.PPTOptions{InBoxes: true, Nesting: 100}), "nested deeper than", false},
		{"NoSlides", sampledocs.PPT(nil, sampledocs.PPTOptions{}), "without slides", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parsePPT(tc.data, time.Now().Add(time.Minute))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if skip := errors.As(err, new(ErrSkip)); skip != tc.skip {
				t.Errorf("skipped = %v, want %v (%v)", skip, tc.skip, err)
			}
		})
	}
}

// TestPPTSharedRecords: a slide list naming one slide 100,000 times, under as many persist
// ids, reads the slide once, as one slide, not 100,000 copies of its text.
func TestPPTSharedRecords(t *testing.T) {
	le := binary.LittleEndian
	data := pptPatched(sampledocs.PPTOptions{InBoxes: true}, func(doc, user []byte) ([]byte, []byte) {
		// A new edit: a document container whose slide list names persist ids 0x10000 on,
		// which a directory of 4,095-id entries all maps to the first slide.
		edit := le.Uint32(user[16:])
		dirAt := le.Uint32(doc[edit+8+12:])
		slideAt := le.Uint32(doc[dirAt+8+4+4+4:]) // the second entry's offset: the first slide
		const n = 100_000
		var list, dir []byte
		for k := range n {
			atom := le.AppendUint32(nil, 0x10000+uint32(k))
			list = append(list, record(0, 0x03F3, append(atom, make([]byte, 16)...))...)
			if k%4095 == 0 {
				dir = le.AppendUint32(dir, uint32(min(4095, n-k))<<20|uint32(0x10000+k))
			}
			dir = le.AppendUint32(dir, slideAt)
		}
		docAt := uint32(len(doc))
		doc = append(doc, record(0xF, 0x03E8, record(0xF, 0x0FF0, list))...)
		dir = le.AppendUint32(le.AppendUint32(dir, 1<<20|1), docAt)
		newDir := uint32(len(doc))
		doc = append(doc, record(0, 0x1772, dir)...)
		newEdit := uint32(len(doc))
		body := bytes.Clone(doc[edit+8 : edit+8+28])
		le.PutUint32(body[8:], edit)
		le.PutUint32(body[12:], newDir)
		doc = append(doc, record(0, 0x0FF5, body)...)
		le.PutUint32(user[16:], newEdit)
		return doc, user
	})
	var doc Parsed
	var err error
	allocated := allocatedBy(func() { doc, err = parsePPT(data, time.Now().Add(time.Minute)) })
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Sections) != 1 || doc.Sections[0].Text != "Quarterly review\nRevenue grew\nby 12 percent\nCafé costs fell" {
		t.Errorf("%d sections, the first %q", len(doc.Sections), doc.Sections[0].Text)
	}
	if allocated > 100<<20 {
		t.Errorf("allocated %d MB", allocated>>20)
	}
}

// record returns a [MS-PPT] record: version and instance, type, length, body.
func record(verInst, typ uint16, body []byte) []byte {
	out := binary.LittleEndian.AppendUint16(nil, verInst)
	out = binary.LittleEndian.AppendUint16(out, typ)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// pptWithEdit returns a compound file whose PowerPoint Document stream is doc, with one more
// edit appended: its persist directory dir (a list of entries: a first id and offsets, each
// entry of one id), docRef its document, prev its previous edit.
func pptWithEdit(doc []byte, dir map[uint32]uint32, docRef, prev uint32) []byte {
	le := binary.LittleEndian
	var d []byte
	for id, at := range dir {
		d = le.AppendUint32(le.AppendUint32(d, 1<<20|id), at)
	}
	dirAt := uint32(len(doc))
	doc = append(doc, record(0, 0x1772, d)...)
	edit := make([]byte, 28)
	le.PutUint32(edit[8:], prev)
	le.PutUint32(edit[12:], dirAt)
	le.PutUint32(edit[16:], docRef)
	editAt := uint32(len(doc))
	doc = append(doc, record(0, 0x0FF5, edit)...)
	user := record(0, 0x0FF6, append(le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, 0x14), 0xE391C05F), editAt), make([]byte, 8)...))
	return sampledocs.CompoundFile(sampledocs.CFBStream{Name: "Current User", Data: user}, sampledocs.CFBStream{Name: "PowerPoint Document", Data: doc})
}

// TestPPTNestedSlides: slides whose records lie one inside another (40 slide containers
// nested, each a slide of the list, 200 KB of text at the bottom) fail once the text read
// passes twice the stream, rather than decoding it once a slide.
func TestPPTNestedSlides(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	const depth = 40
	u := make([]byte, 200_000)
	for i := range len(u) / 2 {
		u[2*i] = 'a' + byte(i%26)
	}
	slide := record(0xF, 0xF00D, append(record(0, 0x0F9F, le.AppendUint32(nil, 1)), record(0, 0x0FA0, u)...))
	for range depth {
		slide = record(0xF, 0x03EE, slide)
	}
	var list []byte
	dir := map[uint32]uint32{}
	for k := range uint32(depth) {
		list = append(list, record(0, 0x03F3, append(le.AppendUint32(nil, 0x10+k), make([]byte, 16)...))...)
		dir[0x10+k] = 8 * k // the k-th container of the nest
	}
	dir[1] = uint32(len(slide))
	doc := append(slide, record(0xF, 0x03E8, record(0xF, 0x0FF0, list))...)
	_, err := parsePPT(pptWithEdit(doc, dir, 1, 0), time.Now().Add(time.Minute))
	if err == nil || !strings.Contains(err.Error(), "name the same records over and over") {
		t.Errorf("err = %v", err)
	}
}

// TestPPTEditsNameOneDirectory: 20,000 edits that each name one directory of 400,000 ids
// read it once: read for each edit, it took 8 billion look-ups, past any timeout.
func TestPPTEditsNameOneDirectory(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	doc, user := sampledocs.PPTStreams(pptDeck, sampledocs.PPTOptions{})
	edit := le.Uint32(user[16:])
	var dir []byte
	for e := range 100 {
		dir = le.AppendUint32(dir, 4095<<20|uint32(0x10000+4095*e))
		dir = append(dir, make([]byte, 4*4095)...)
	}
	dirAt := uint32(len(doc))
	doc = append(doc, record(0, 0x1772, dir)...)
	for range 20_000 {
		body := bytes.Clone(doc[edit+8 : edit+8+28])
		le.PutUint32(body[8:], edit)
		le.PutUint32(body[12:], dirAt)
		edit = uint32(len(doc))
		doc = append(doc, record(0, 0x0FF5, body)...)
	}
	le.PutUint32(user[16:], edit)
	data := sampledocs.CompoundFile(sampledocs.CFBStream{Name: "Current User", Data: user}, sampledocs.CFBStream{Name: "PowerPoint Document", Data: doc})
	got, err := parsePPT(data, time.Now().Add(time.Minute))
	if err != nil || len(got.Sections) != 3 {
		t.Errorf("err = %v, %d sections", err, len(got.Sections))
	}
}

// pptDeckOfEmptySlides returns a deck whose slide list names n slides, none of which the file holds:
// each is a slide without text.
func pptDeckOfEmptySlides(n int) []byte {
	var list []byte
	atom := record(0, 0x03F3, make([]byte, 20))
	for range n {
		list = append(list, atom...)
	}
	return pptWithEdit(record(0xF, 0x03E8, record(0xF, 0x0FF0, list)), map[uint32]uint32{1: 0}, 1, 0)
}
