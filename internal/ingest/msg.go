package ingest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"
	"time"
)

// Outlook saves a message as .msg ([MS-OXMSG]): a compound file whose properties
// ([MS-OXPROPS]) are streams named by their tag ("__substg1.0_0037001F", the subject in
// UTF-16), each attachment a storage of its own ("__attach_version1.0_#00000000") holding its
// properties so, and the fixed-length properties (the time sent, the code page, how an
// attachment is attached) packed in a "__properties_version1.0" stream of each. A message reads
// as an .eml does (see mailDocument): the same header block, the plain body or else the HTML
// one or else the compressed RTF one, and attachments as documents of their own; a message
// attached as a message (a storage in the file) is written as an .eml to be one of them.

// compoundSignature opens every compound file: an e-mail saved with it is an Outlook message,
// whatever its name ends with (see parseMail).
var compoundSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Property identifiers ([MS-OXPROPS]) and types ([MS-OXCDATA] 2.11.1) read from a message.
const (
	propSubject        = 0x0037
	propSubmitTime     = 0x0039
	propSentRepName    = 0x0042
	propSentRepAddress = 0x0065
	propSenderName     = 0x0C1A
	propSenderAddress  = 0x0C1F
	propDisplayCc      = 0x0E03
	propDisplayTo      = 0x0E04
	propDeliveryTime   = 0x0E06
	propBody           = 0x1000
	propRTFCompressed  = 0x1009
	propHTML           = 0x1013
	propDisplayName    = 0x3001
	propAttachData     = 0x3701
	propAttachFilename = 0x3704
	propAttachMethod   = 0x3705
	propAttachLongName = 0x3707
	propInternetCPID   = 0x3FDE
	propCodePage       = 0x3FFD
	propSenderSMTP     = 0x5D01
	propSentRepSMTP    = 0x5D02
	propRecipientType  = 0x0C15
	propEmailAddress   = 0x3003
	propSMTPAddress    = 0x39FE

	typeString8  = 0x001E
	typeUnicode  = 0x001F
	typeBinary   = 0x0102
	attachObject = 5 // PR_ATTACH_METHOD of an embedded message (afEmbeddedMessage)
)

// The storages and streams of a message, as compoundStreams keys them (upper case: [MS-CFB]
// compares names without case).
const (
	msgAttachStorage = "__ATTACH_VERSION1.0_#"
	msgRecipStorage  = "__RECIP_VERSION1.0_#"
	msgPropStream    = "__SUBSTG1.0_"
	msgFixedProps    = "__PROPERTIES_VERSION1.0"
	// msgEmbedded is the storage of a message attached as a message (PR_ATTACH_DATA_OBJ).
	msgEmbedded = "__SUBSTG1.0_3701000D"
)

// parseMail reads an e-mail message as saved: an Outlook message when it is a compound file,
// else RFC 5322 text (which declares its own charsets: it is read before invalid UTF-8 is
// replaced), whichever its name says. Indexing and MailAttachment read it alike.
func parseMail(data []byte, deadline time.Time) (Parsed, error) {
	switch {
	case bytes.HasPrefix(data, compoundSignature):
		return parseMSG(data, deadline)
	case looksBinary(data):
		return Parsed{}, ErrSkip{Reason: "binary content in an e-mail message"}
	}
	return parseEML(data)
}

// parseMSG reads an Outlook message.
func parseMSG(data []byte, deadline time.Time) (Parsed, error) {
	streams, err := compoundStreams(data, "Outlook message", msgStream)
	if err != nil {
		return Parsed{}, err
	}
	if len(streams) == 0 {
		return Parsed{}, errors.New("not an Outlook message: no message properties")
	}
	r := &outlookReader{streams: streams, deadline: deadline}
	m, err := r.message("", 32, 0, 0)
	if err != nil {
		return Parsed{}, err
	}
	return mailDocument(m.subject, m.headers, m.w, m.body)
}

// maxEmbeddedDepth bounds messages attached as messages within each other, as
// maxAttachmentDepth bounds the indexer: deeper ones are left out, their streams not read.
const maxEmbeddedDepth = 3

// msgStream picks the streams parseMSG reads: properties of the message, of its recipients
// and attachments, and of the messages embedded in them, to maxEmbeddedDepth; not those of
// named properties.
func msgStream(path string) (string, bool) {
	p := strings.ToUpper(path)
	parts := strings.Split(p, "/")
	dirs, name := parts[:len(parts)-1], parts[len(parts)-1]
	if len(dirs) > 2*maxEmbeddedDepth+1 {
		return "", false
	}
	for i, d := range dirs {
		recipient := i == len(dirs)-1 && strings.HasPrefix(d, msgRecipStorage)
		if i%2 == 0 && !strings.HasPrefix(d, msgAttachStorage) && !recipient || i%2 == 1 && d != msgEmbedded {
			return "", false
		}
	}
	return p, strings.HasPrefix(name, msgPropStream) || name == msgFixedProps
}

// outlookReader reads the messages of one .msg file: the message and those embedded in it.
type outlookReader struct {
	streams  map[string][]byte
	deadline time.Time
	// attachments counts those of all its messages, at most maxMailParts.
	attachments int
}

// outlookMessage is one message read: what mailDocument lays out, or eml writes.
type outlookMessage struct {
	subject string
	headers []string
	body    mailBody
	w       *mailWalk
}

// message reads the message whose storage is prefix ("" for the file's own, whose property
// stream has a header of 32 bytes; 24 for an embedded one), depth messages deep, in its own
// code page or else codePage, its parent's.
func (r *outlookReader) message(prefix string, header, depth int, codePage uint64) (outlookMessage, error) {
	msg := msgProps{streams: r.streams, prefix: prefix, codePage: codePage}
	if err := msg.readFixed(header); err != nil {
		return outlookMessage{}, err
	}
	m := outlookMessage{subject: msg.text(propSubject), w: &mailWalk{}}
	for _, storage := range msgStorages(r.streams, prefix, msgAttachStorage) {
		if time.Now().After(r.deadline) {
			return outlookMessage{}, errParseDeadline
		}
		if r.attachments++; r.attachments > maxMailParts {
			return outlookMessage{}, fmt.Errorf("an Outlook message with more than %d attachments", maxMailParts)
		}
		a := msgProps{streams: r.streams, prefix: storage + "/", codePage: msg.codePage}
		if err := a.readFixed(8); err != nil {
			return outlookMessage{}, err
		}
		name := a.first(propAttachLongName, propAttachFilename, propDisplayName)
		data := a.binary(propAttachData)
		if a.fixed[propAttachMethod] == attachObject {
			// An embedded message is a storage, not bytes: it is handed on as a forwarded .eml
			// is, written as one.
			if depth >= maxEmbeddedDepth {
				continue // its streams were not read (msgStream)
			}
			inner, err := r.message(storage+"/"+msgEmbedded+"/", 24, depth+1, msg.codePage)
			if err != nil {
				return outlookMessage{}, err
			}
			name, data = strings.TrimSuffix(cmp.Or(name, inner.subject, "message"), ".msg")+".eml", inner.eml()
		}
		if data == nil {
			m.w.list(name) // attached by reference: no bytes
			continue
		}
		m.w.attach(name, data)
	}
	to, cc := r.recipients(prefix, msg.codePage)
	m.headers = []string{
		"From", msgSender(msg),
		"To", cmp.Or(to, msg.text(propDisplayTo)),
		"Cc", cmp.Or(cc, msg.text(propDisplayCc)),
	}
	for _, id := range []uint16{propSubmitTime, propDeliveryTime} {
		if t, ok := msg.fixed[id]; ok && t != 0 {
			m.headers = append(m.headers, "Date", filetime(t).Format(mailDate))
			break
		}
	}
	m.body.plain = strings.ReplaceAll(msg.text(propBody), "\r\n", "\n")
	if m.body.plain == "" {
		m.body.html = msg.binary(propHTML)
		if m.body.html != nil {
			m.body.html = []byte(decodeCharset(m.body.html, codePageLabel(msg.fixed[propInternetCPID])))
		} else if s := msg.text(propHTML); s != "" {
			m.body.html = []byte(s)
		}
	}
	if m.body.plain == "" && m.body.html == nil {
		if rtf := msg.binary(propRTFCompressed); rtf != nil {
			var err error
			if m.body.rtf, err = decompressRTF(rtf); err != nil {
				return outlookMessage{}, fmt.Errorf("reading the RTF body: %w", err)
			}
		}
	}
	return m, nil
}

// eml writes the message as RFC 5322 text, so that an embedded message is indexed, and
// downloaded, as a forwarded .eml is: its header block's values and subject, its body
// (text/plain, text/html, or an RTF body's text), the attachments it hands on (not the names
// of those it only lists), each part base64 in a multipart/mixed whose boundary no base64
// holds. The same message gives the same bytes each time it is read, as MailAttachment needs
// to find it again by its hash.
func (m outlookMessage) eml() []byte {
	const boundary = "docent-embedded-message"
	var b bytes.Buffer
	for i := 0; i+1 < len(m.headers); i += 2 {
		if v := m.headers[i+1]; v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", m.headers[i], mime.QEncoding.Encode("utf-8", v))
		}
	}
	fmt.Fprintf(&b, "Subject: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n",
		mime.QEncoding.Encode("utf-8", m.subject), boundary)
	part := func(header string, data []byte) {
		fmt.Fprintf(&b, "--%s\r\n%s\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n", boundary, header,
			base64.StdEncoding.EncodeToString(data))
	}
	typ, body := "text/plain", []byte(m.body.plain)
	switch {
	case m.body.plain != "":
	case m.body.html != nil:
		typ, body = "text/html", m.body.html
	case m.body.rtf != nil:
		if doc, err := parseRTF(m.body.rtf); err == nil {
			var text []string
			for _, s := range doc.Sections {
				text = append(text, s.Text)
			}
			body = []byte(strings.Join(text, "\n\n"))
		}
	}
	part("Content-Type: "+typ+"; charset=utf-8", body)
	for _, a := range m.w.attachments {
		part("Content-Type: application/octet-stream\r\nContent-Disposition: "+
			mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}), a.Data)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// recipients are the To and Cc lines of the message whose storage is prefix, from its
// recipients' names and SMTP addresses, as an .eml's ("Bo Berg <bo@example.org>, …"): the
// displayed To and Cc hold the names only. Bcc recipients are left out, as a sent .eml has
// them.
func (r *outlookReader) recipients(prefix string, codePage uint64) (to, cc string) {
	var lists [2][]string
	for _, storage := range msgStorages(r.streams, prefix, msgRecipStorage) {
		p := msgProps{streams: r.streams, prefix: storage + "/", codePage: codePage}
		if p.readFixed(8) != nil {
			continue
		}
		if k := p.fixed[propRecipientType] & 0xFF; k == 1 || k == 2 { // MAPI_TO, MAPI_CC
			if v := nameAddress(p.first(propDisplayName), p.address(propSMTPAddress, propEmailAddress)); v != "" {
				lists[k-1] = append(lists[k-1], v)
			}
		}
	}
	return strings.Join(lists[0], ", "), strings.Join(lists[1], ", ")
}

// msgStorages lists the storages of kind (attachments, recipients) of the message whose
// storage is prefix, in their order.
func msgStorages(streams map[string][]byte, prefix, kind string) []string {
	out := map[string]bool{}
	for k := range streams {
		rest, ok := strings.CutPrefix(k, prefix)
		if dir, _, nested := strings.Cut(rest, "/"); ok && nested && strings.HasPrefix(dir, kind) {
			out[prefix+dir] = true
		}
	}
	return slices.Sorted(maps.Keys(out))
}

// msgProps reads the properties of a message or an attachment, in the storage prefix ("" for
// the file's own message).
type msgProps struct {
	streams map[string][]byte
	prefix  string
	// fixed holds the fixed-length properties, by identifier: times, integers, flags.
	fixed map[uint16]uint64
	// codePage is the message's (PR_MESSAGE_CODEPAGE), for 8-bit strings: an attachment's
	// is its message's, an embedded message's its own or else its parent's.
	codePage uint64
}

// readFixed reads the fixed-length properties from the __properties_version1.0 stream, whose
// header is 32 bytes long for the file's own message, 24 for an embedded one and 8 for an
// attachment ([MS-OXMSG] 2.4.1), followed by 16-byte entries: the tag, flags and the value.
func (p *msgProps) readFixed(header int) error {
	b, ok := p.streams[p.prefix+msgFixedProps]
	if !ok {
		return nil
	}
	if len(b) < header {
		return errors.New("damaged Outlook message: its property stream is truncated")
	}
	p.fixed = map[uint16]uint64{}
	for b = b[header:]; len(b) >= 16; b = b[16:] {
		tag := binary.LittleEndian.Uint32(b)
		switch tag & 0xFFFF {
		case 0x0002, 0x0003, 0x000B, 0x0014, 0x0040: // short, long, boolean, 64-bit, time
			p.fixed[uint16(tag>>16)] = binary.LittleEndian.Uint64(b[8:])
		}
	}
	if cp, ok := p.fixed[propCodePage]; ok && header > 8 { // a message's, not an attachment's
		p.codePage = cp & 0xFFFFFFFF
	}
	return nil
}

func (p *msgProps) stream(id, typ uint16) ([]byte, bool) {
	b, ok := p.streams[fmt.Sprintf("%s%s%04X%04X", p.prefix, msgPropStream, id, typ)]
	return b, ok
}

// text is a string property: UTF-16, or 8-bit in the message's code page; "" when absent.
func (p *msgProps) text(id uint16) string {
	if b, ok := p.stream(id, typeUnicode); ok {
		return strings.TrimRight(utf16LE(b), "\x00")
	}
	if b, ok := p.stream(id, typeString8); ok {
		return decodeCharset(bytes.TrimRight(b, "\x00"), codePageLabel(p.codePage))
	}
	return ""
}

// first is the first of the string properties ids that is set.
func (p *msgProps) first(ids ...uint16) string {
	for _, id := range ids {
		if s := strings.TrimSpace(p.text(id)); s != "" {
			return s
		}
	}
	return ""
}

// binary is a binary property, nil when absent.
func (p *msgProps) binary(id uint16) []byte {
	b, _ := p.stream(id, typeBinary)
	return b
}

// msgSender is the From line: the sender's name and SMTP address.
func msgSender(msg msgProps) string {
	return nameAddress(msg.first(propSenderName, propSentRepName), msg.address(propSenderSMTP, propSenderAddress, propSentRepSMTP, propSentRepAddress))
}

// address is the first of the address properties ids that is an SMTP address: Exchange keeps
// an X.500 one ("/O=EXAMPLE/OU=…") where an SMTP one would be, so only one with an "@" counts.
func (p *msgProps) address(ids ...uint16) string {
	for _, id := range ids {
		if s := strings.TrimSpace(p.text(id)); strings.Contains(s, "@") {
			return s
		}
	}
	return ""
}

// nameAddress writes a name and an address as a mail header does: "Ada Lovelace
// <ada@example.org>", either alone when the other is missing or the same.
func nameAddress(name, addr string) string {
	switch {
	case addr == "" || strings.EqualFold(name, addr):
		return name
	case name == "":
		return addr
	}
	return name + " <" + addr + ">"
}

// filetime converts a FILETIME (100-nanosecond intervals since 1601) to a time.
func filetime(v uint64) time.Time {
	const epochDiff = 116444736000000000 // 1601 to 1970, in 100 ns
	d := int64(v) - epochDiff
	return time.Unix(d/1e7, d%1e7*100).UTC()
}

// codePageLabel names a Windows code page as x/net's charset labels do; "" for one it does not
// know, read as decodeCharset reads text that names no charset.
func codePageLabel(cp uint64) string {
	switch {
	case cp == 65001:
		return "utf-8"
	case cp >= 1250 && cp <= 1258:
		return fmt.Sprintf("windows-%d", cp)
	case cp >= 28591 && cp <= 28606:
		return fmt.Sprintf("iso-8859-%d", cp-28590)
	}
	return map[uint64]string{874: "windows-874", 932: "shift_jis", 936: "gbk", 949: "euc-kr", 950: "big5", 20127: "us-ascii",
		20866: "koi8-r", 21866: "koi8-u", 50220: "iso-2022-jp", 51932: "euc-jp", 54936: "gb18030"}[cp]
}

// rtfPrebuf is the dictionary compressed RTF starts with ([MS-OXRTFCP] 2.1.2.1).
const rtfPrebuf = "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"

// maxRTFBody bounds a message's decompressed RTF body, as defaultZipLimits bounds what an
// Office file inflates to: a reference writes up to 17 bytes from 2.
const maxRTFBody = 64 << 20

// decompressRTF undoes Outlook's RTF compression ([MS-OXRTFCP]): LZ77 over a 4,096-byte
// dictionary, eight literals or references behind each control byte. The output is at most
// the size the header gives, at most what the input can expand to (17 bytes a 2-byte
// reference) and at most maxRTFBody, so a hostile header claims nothing.
func decompressRTF(b []byte) ([]byte, error) {
	if len(b) < 16 {
		return nil, errors.New("compressed RTF shorter than its header")
	}
	raw := int(binary.LittleEndian.Uint32(b[4:]))
	kind := binary.LittleEndian.Uint32(b[8:])
	b = b[16:]
	switch kind {
	case 0x414C454D: // "MELA": stored as it is
		return b[:min(raw, len(b))], nil
	case 0x75465A4C: // "LZFu"
	default:
		return nil, fmt.Errorf("unknown RTF compression %#x", kind)
	}
	var dict [4096]byte
	pos := copy(dict[:], rtfPrebuf)
	out := make([]byte, 0, min(raw, len(b)*9, maxRTFBody))
	for len(b) > 0 && len(out) < raw {
		if len(out) > maxRTFBody {
			return nil, fmt.Errorf("compressed RTF body larger than %d MB", maxRTFBody>>20)
		}
		control := b[0]
		b = b[1:]
		for bit := 0; bit < 8 && len(b) > 0 && len(out) < raw; bit++ {
			if control&(1<<bit) == 0 {
				dict[pos] = b[0]
				pos = (pos + 1) % len(dict)
				out = append(out, b[0])
				b = b[1:]
				continue
			}
			if len(b) < 2 {
				return nil, errors.New("compressed RTF truncated")
			}
			ref := int(binary.BigEndian.Uint16(b))
			b = b[2:]
			offset, n := ref>>4, ref&0xF+2
			if offset == pos {
				return out[:min(len(out), raw)], nil // the end marker
			}
			for i := range n {
				c := dict[(offset+i)%len(dict)]
				dict[pos] = c
				pos = (pos + 1) % len(dict)
				out = append(out, c)
			}
		}
	}
	return out[:min(len(out), raw)], nil
}
