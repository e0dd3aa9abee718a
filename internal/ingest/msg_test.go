package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/docent-search/docent/internal/sampledocs"
)

// rtfSpecExample is the compressed RTF of [MS-OXRTFCP] 3.1.1.1: "{\rtf1\ansi\ansicpg1252\pard
// hello world}\r\n", with references back into the dictionary's preset text and its own.
var rtfSpecExample = []byte{
	0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7,
	0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20,
	0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f,
	0xa0,
}

var offerSent = time.Date(2026, 3, 3, 9, 15, 0, 0, time.UTC)

// TestMSGBodies reads Outlook messages as .eml ones read: the subject is the title, the sender,
// recipients, time sent and attachments' names open the text; the body is the plain one in
// UTF-16 or in the message's 8-bit code page, else the HTML one, else the compressed RTF one.
func TestMSGBodies(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	for _, tc := range []struct {
		name string
		msg  sampledocs.Outlook
		want string
	}{
		// The recipients' addresses are read from their storages, the displayed To and Cc
		// (names only) where there are none; a Bcc recipient is left out, as from a sent .eml.
		{"offer.msg", sampledocs.Outlook{SenderName: "Ada Lovelace", SenderAddress: "ada@example.org", To: "Team; Bo Berg", Cc: "Cy",
			Recipients: []sampledocs.Recipient{{Name: "Team", Address: "team@example.org", Type: 1}, {Name: "Bo Berg", Address: "bo@example.org", Type: 1},
				{Name: "Cy", Address: "cy@example.org", Type: 2}, {Name: "Hidden", Address: "hidden@example.org", Type: 3}},
			Subject: "Angebot für Büromöbel", Sent: offerSent, Body: "Dear team,\r\n\r\nthe offer for the desks is attached. Grüße aus 東京",
			HTML:        []byte("<p>HTML alternative, not indexed</p>"),
			Attachments: []sampledocs.File{{Name: "prices.csv", Data: []byte("Item,Price\nDesk,300\n")}}, Embedded: []sampledocs.Outlook{{Subject: "Re: desks", Body: "Yes."}}},
			`title: Angebot für Büromöbel
== chunk heading="" anchor="" page=0
From: Ada Lovelace <ada@example.org>
To: Team <team@example.org>, Bo Berg <bo@example.org>
Cc: Cy <cy@example.org>
Date: Tue, 3 Mar 2026 09:15 +0000
Attachments: prices.csv, Re: desks.eml

Dear team,

the offer for the desks is attached. Grüße aus 東京
`},
		// Outlook before 2003 wrote 8-bit strings in the message's code page; Exchange gives
		// an X.500 address where the SMTP one would be, left out.
		{"cyrillic.msg", sampledocs.Outlook{SenderName: "Борис", SenderAddress: "/O=EXAMPLE/OU=FIRST/CN=RECIPIENTS/CN=BORIS", Subject: "Счёт за март",
			CodePage: 1251, Body: "Оплатите счёт до пятницы.",
			To: "Анна", Cc: "Олег"},
			`title: Счёт за март
== chunk heading="" anchor="" page=0
From: Борис
To: Анна
Cc: Олег

Оплатите счёт до пятницы.
`},
		{"html.msg", sampledocs.Outlook{SenderAddress: "hr@example.org", Subject: "Holidays", Sent: offerSent,
			HTML: []byte("<html><body><h1>Holiday rota</h1><p>Ada covers the <b>first</b> week.</p></body></html>")},
			`title: Holidays
== chunk heading="" anchor="" page=0
From: hr@example.org
Date: Tue, 3 Mar 2026 09:15 +0000
== chunk heading="Holiday rota" anchor="holiday-rota" page=0
Ada covers the first week.
`},
		{"rtf.msg", sampledocs.Outlook{Subject: "Greeting", RTF: rtfSpecExample},
			`title: Greeting
== chunk heading="" anchor="" page=0
hello world
`},
	} {
		t.Run(tc.name, func(t *testing.T) { checkLayout(t, x, tc.name, sampledocs.MSG(tc.msg), tc.want) })
	}
}

// TestMSGAttachments: an Outlook message's attachments come back as files of their own, named
// and made unique as an .eml's are; a message attached as a message is handed on as a
// forwarded .eml is, written as one (deeper than maxEmbeddedDepth left out); and
// MailAttachment takes an attachment back out of a .msg, also from a .msg attached to an .eml
// and an .eml attached to a .msg.
func TestMSGAttachments(t *testing.T) {
	t.Parallel()
	inner := sampledocs.EML("b@example.org", "a@example.org", "Inner", "Mon, 2 Mar 2026 09:00:00 +0000", "Forwarded text.", "",
		sampledocs.File{Name: "quote.txt", Data: []byte("The quote.")})
	deepest := sampledocs.Outlook{Subject: "Level 4", Body: "Too deep."}
	for i := 3; i >= 2; i-- {
		deepest = sampledocs.Outlook{Subject: fmt.Sprintf("Level %d", i), Body: "Deeper.", Embedded: []sampledocs.Outlook{deepest}}
	}
	thread := sampledocs.Outlook{SenderName: "Björn", SenderAddress: "bjorn@example.org", Subject: "Old thread", Sent: offerSent,
		HTML: []byte("<p>The minutes are attached.</p>"), Attachments: []sampledocs.File{{Name: "minutes.txt", Data: []byte("Minutes of March.")}},
		Embedded: []sampledocs.Outlook{deepest}}
	m := sampledocs.MSG(sampledocs.Outlook{Subject: "Files", Body: "See attached.", Embedded: []sampledocs.Outlook{thread},
		Attachments: []sampledocs.File{{Name: "../../etc/report.pdf", Data: []byte("%PDF-1.4")}, {Name: "report.pdf", Data: []byte("%PDF-1.4 second")},
			{Name: "fwd.eml", Data: inner}, {Name: "empty.txt", Data: []byte{}}}})
	doc, err := parseMail(m, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range doc.Attachments {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, ","); got != ".._.._etc_report.pdf,report.pdf,fwd.eml,empty.txt,Old thread.eml" {
		t.Errorf("attachment names = %s", got)
	}
	if !strings.Contains(doc.Sections[0].Text, "Attachments: .._.._etc_report.pdf, report.pdf, fwd.eml, empty.txt, Old thread.eml\n") {
		t.Errorf("header block %q", doc.Sections[0].Text)
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"report.pdf"}, "%PDF-1.4 second"},
		{[]string{"fwd.eml", "quote.txt"}, "The quote."},
		{[]string{"Old thread.eml", "minutes.txt"}, "Minutes of March."},
	} {
		if got, err := MailAttachment(m, tc.names); err != nil || string(got) != tc.want {
			t.Errorf("MailAttachment(%v) = %q, %v", tc.names, got, err)
		}
	}
	outer := sampledocs.EML("c@example.org", "d@example.org", "Outer", "Mon, 2 Mar 2026 10:00:00 +0000", "Fwd.", "", sampledocs.File{Name: "files.msg", Data: m})
	if got, err := MailAttachment(outer, []string{"files.msg", "fwd.eml", "quote.txt"}); err != nil || string(got) != "The quote." {
		t.Errorf("through an .eml, a .msg and an .eml: %q, %v", got, err)
	}
	// The embedded message, as the indexer reads it: an .eml of its headers, HTML body and
	// attachments, and its own embedded messages to maxEmbeddedDepth.
	x := &Extractor{}
	defer x.Close()
	eml, err := MailAttachment(m, []string{"Old thread.eml"})
	if err != nil {
		t.Fatal(err)
	}
	checkLayout(t, x, "Old thread.eml", eml, `title: Old thread
== chunk heading="" anchor="" page=0
From: Björn <bjorn@example.org>
Date: Tue, 3 Mar 2026 09:15 +0000
Attachments: minutes.txt, Level 2.eml

The minutes are attached.
`)
	level3, err := MailAttachment(m, []string{"Old thread.eml", "Level 2.eml", "Level 3.eml"})
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := x.Parse("Level 3.eml", level3); err != nil || doc.Title != "Level 3" || len(doc.Attachments) != 0 || strings.Contains(doc.Sections[0].Text, "Level 4") {
		t.Errorf("the third embedded message: %+v, %v; want its own left out", doc, err)
	}
}

// TestMSGHostile: damaged or crafted Outlook messages fail with the reason, never a crash, a
// hang or an allocation beyond the file's size.
func TestMSGHostile(t *testing.T) {
	t.Parallel()
	x := &Extractor{}
	defer x.Close()
	good := sampledocs.MSG(sampledocs.Outlook{Subject: "S", Body: "Body.", Attachments: []sampledocs.File{{Name: "a.txt", Data: []byte("a")}}})
	many := sampledocs.Outlook{Subject: "Many"}
	for range 201 {
		many.Attachments = append(many.Attachments, sampledocs.File{Name: "a.txt", Data: []byte("a")})
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"Garbage", []byte("\x00\x01\x02 garbage"), "binary content in an e-mail message"},
		{"Truncated", good[:1100], "not an Outlook message"},
		{"WordDocument", sampledocs.WordDoc("Text.\r", sampledocs.WordDocOptions{}), "not an Outlook message: no message properties"},
		{"CyclicDirectory", cyclicDirectory(good), "not an Outlook message"},
		{"ManyAttachments", sampledocs.MSG(many), "more than 200 attachments"},
		{"SharedSectors", sharedSectors(t), "its streams are longer than the file"},
		{"PropertiesTruncated", sampledocs.CompoundFile(sampledocs.CFBStream{Name: "__properties_version1.0", Data: []byte{1, 2, 3}}), "property stream is truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.Parse("m.msg", tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := parseMSG(good, time.Now().Add(-time.Second)); !errors.Is(err, errParseDeadline) {
		t.Errorf("past its deadline: %v", err)
	}
}

// cyclicDirectory makes the first entry under the root its own right sibling.
func cyclicDirectory(msg []byte) []byte {
	out := bytes.Clone(msg)
	dir := (int(binary.LittleEndian.Uint32(out[0x30:])) + 1) * 512
	binary.LittleEndian.PutUint32(out[dir+128+0x48:], 1)
	return out
}

// sharedSectors is a message of three attachments whose data streams all claim the sectors
// of the first, 40 KB: each is no longer than the file, but together they are (a crafted
// directory naming a file's longest stream thousands of times under other names).
func sharedSectors(t *testing.T) []byte {
	big := bytes.Repeat([]byte("x"), 40<<10)
	out := sampledocs.MSG(sampledocs.Outlook{Subject: "S", Attachments: []sampledocs.File{{Name: "a", Data: big}, {Name: "b", Data: []byte("b")}, {Name: "c", Data: []byte("c")}}})
	var name []byte
	for _, u := range utf16.Encode([]rune("__substg1.0_37010102")) {
		name = binary.LittleEndian.AppendUint16(name, u)
	}
	var entries []int
	for i := 0; i+len(name) <= len(out); i += 128 {
		if bytes.HasPrefix(out[i:], name) {
			entries = append(entries, i)
		}
	}
	if len(entries) != 3 {
		t.Fatalf("%d attachment data entries", len(entries))
	}
	for _, e := range entries[1:] {
		copy(out[e+0x74:e+0x80], out[entries[0]+0x74:entries[0]+0x80])
	}
	return out
}

// TestDecompressRTF: the specification's example, a stored (uncompressed) body, and hostile
// headers.
func TestDecompressRTF(t *testing.T) {
	t.Parallel()
	if got, err := decompressRTF(rtfSpecExample); err != nil || string(got) != "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n" {
		t.Errorf("the specification's example: %q, %v", got, err)
	}
	if got := len(rtfPrebuf); got != 207 {
		t.Errorf("the preset dictionary is %d bytes, want 207", got)
	}
	stored := append([]byte{0, 0, 0, 0, 5, 0, 0, 0, 'M', 'E', 'L', 'A', 0, 0, 0, 0}, "{\\rtf1 plain}"...)
	if got, err := decompressRTF(stored); err != nil || string(got) != "{\\rtf" {
		t.Errorf("stored: %q, %v", got, err)
	}
	// A header claiming 4 GB: the output is what the input holds, not what it claims.
	huge := bytes.Clone(rtfSpecExample)
	binary.LittleEndian.PutUint32(huge[4:], 0xFFFFFFFF)
	if got, err := decompressRTF(huge); err != nil || string(got) != "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n" {
		t.Errorf("a 4 GB claim: %q, %v", got, err)
	}
	for name, data := range map[string][]byte{"short": {1, 2, 3}, "unknown": append(bytes.Clone(rtfSpecExample[:8]), "ABCD0000"...),
		"truncated": append(bytes.Clone(rtfSpecExample[:16]), 0xFF, 0x01)} {
		if _, err := decompressRTF(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestDecompressRTFBounded: every reference of compressed RTF writes up to 17 bytes from 2, so a
// 100 MB message could hold an 800 MB RTF body, read again as text after. The body is bounded
// as a zip's parts are (defaultZipLimits.MaxInflated), and one past it fails with a reason.
func TestDecompressRTFBounded(t *testing.T) {
	t.Parallel()
	data := []byte{0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 'L', 'Z', 'F', 'u', 0, 0, 0, 0}
	pos := len(rtfPrebuf)
	for len(data) < maxRTFBody/8+1<<20 {
		data = append(data, 0xFF) // eight references
		for range 8 {
			ref := ((pos+100)%4096)<<4 | 0xF // 17 bytes, never from the write position (the end marker)
			data = binary.BigEndian.AppendUint16(data, uint16(ref))
			pos = (pos + 17) % 4096
		}
	}
	if got, err := decompressRTF(data); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("%d bytes compressed: %d bytes out, %v", len(data), len(got), err)
	}
}
