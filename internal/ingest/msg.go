package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// Outlook saves a message as .msg ([MS-OXMSG]): a compound file whose properties
// ([MS-OXPROPS]) are streams named by their tag ("__substg1.0_0037001F", the subject in
// UTF-16), each attachment a storage of its own ("__attach_version1.0_#00000000") holding its
// properties so, and the fixed-length properties (the time sent, the code page, how an
// attachment is attached) packed in a "__properties_version1.0" stream of each. A message reads
// as an .eml does (see mailDocument): the same header block, the plain body or else the HTML
// one or else the compressed RTF one, and attachments as documents of their own.

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

	typeString8  = 0x001E
	typeUnicode  = 0x001F
	typeBinary   = 0x0102
	attachObject = 5 // PR_ATTACH_METHOD of an embedded message (afEmbeddedMessage)
)

// The storages and streams of a message, as compoundStreams keys them (upper case: [MS-CFB]
// compares names without case).
const (
	msgAttachStorage = "__ATTACH_VERSION1.0_#"
	msgPropStream    = "__SUBSTG1.0_"
	msgFixedProps    = "__PROPERTIES_VERSION1.0"
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
	msg := msgProps{streams: streams}
	if err := msg.readFixed(32); err != nil {
		return Parsed{}, err
	}
	if msg.fixed == nil && !slices.ContainsFunc(slices.Collect(maps.Keys(streams)), func(k string) bool { return strings.HasPrefix(k, msgPropStream) }) {
		return Parsed{}, errors.New("not an Outlook message: no message properties")
	}
	w := &mailWalk{}
	for _, storage := range msgAttachments(streams) {
		if time.Now().After(deadline) {
			return Parsed{}, errParseDeadline
		}
		if w.parts++; w.parts > maxMailParts {
			return Parsed{}, fmt.Errorf("Outlook message with more than %d attachments", maxMailParts)
		}
		a := msgProps{streams: streams, prefix: storage + "/", codePage: msg.codePage}
		if err := a.readFixed(8); err != nil {
			return Parsed{}, err
		}
		name := a.first(propAttachLongName, propAttachFilename, propDisplayName)
		data := a.binary(propAttachData)
		if a.fixed[propAttachMethod] == attachObject || data == nil {
			// An embedded message is a storage, not bytes to hand on as a file of its own; an
			// attachment by reference holds none: either is listed, not indexed.
			if a.fixed[propAttachMethod] == attachObject {
				name = strings.TrimSuffix(name, ".msg") + ".msg"
			}
			w.list(name)
			continue
		}
		w.attach(name, data)
	}
	headers := []string{
		"From", msgSender(msg),
		"To", msg.text(propDisplayTo),
		"Cc", msg.text(propDisplayCc),
	}
	for _, id := range []uint16{propSubmitTime, propDeliveryTime} {
		if t, ok := msg.fixed[id]; ok && t != 0 {
			headers = append(headers, "Date", filetime(t).Format(mailDate))
			break
		}
	}
	body := mailBody{plain: strings.ReplaceAll(msg.text(propBody), "\r\n", "\n")}
	if body.plain == "" {
		body.html = msg.binary(propHTML)
		if body.html != nil {
			body.html = []byte(decodeCharset(body.html, codePageLabel(msg.fixed[propInternetCPID])))
		} else if s := msg.text(propHTML); s != "" {
			body.html = []byte(s)
		}
	}
	if body.plain == "" && body.html == nil {
		if rtf := msg.binary(propRTFCompressed); rtf != nil {
			if body.rtf, err = decompressRTF(rtf); err != nil {
				return Parsed{}, fmt.Errorf("reading the RTF body: %w", err)
			}
		}
	}
	return mailDocument(msg.text(propSubject), headers, w, body)
}

// msgStream picks the streams parseMSG reads: properties of the message and of its
// attachments, not of its recipients, named properties or embedded messages.
func msgStream(path string) (string, bool) {
	p := strings.ToUpper(path)
	dir, name, nested := strings.Cut(p, "/")
	if nested {
		if !strings.HasPrefix(dir, msgAttachStorage) || strings.Contains(name, "/") {
			return "", false
		}
	} else {
		name = dir
	}
	return p, strings.HasPrefix(name, msgPropStream) || name == msgFixedProps
}

// msgAttachments lists the attachment storages of a message, in their order.
func msgAttachments(streams map[string][]byte) []string {
	var out []string
	for k := range streams {
		if dir, _, ok := strings.Cut(k, "/"); ok && !slices.Contains(out, dir) {
			out = append(out, dir)
		}
	}
	slices.Sort(out)
	return out
}

// msgProps reads the properties of the message (prefix "") or of one attachment storage.
type msgProps struct {
	streams map[string][]byte
	prefix  string
	// fixed holds the fixed-length properties, by identifier: times, integers, flags.
	fixed map[uint16]uint64
	// codePage is the message's (PR_MESSAGE_CODEPAGE), for 8-bit strings.
	codePage uint64
}

// readFixed reads the fixed-length properties from the __properties_version1.0 stream, whose
// header is 32 bytes long for the top-level message and 8 for an attachment ([MS-OXMSG]
// 2.4.1), followed by 16-byte entries: the tag, flags and the value.
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
	if cp, ok := p.fixed[propCodePage]; ok && p.prefix == "" {
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
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00")
	}
	if b, ok := p.stream(id, typeString8); ok {
		return strings.TrimRight(decodeCharset(bytes.TrimRight(b, "\x00"), codePageLabel(p.codePage)), "\x00")
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

// msgSender is the From line: the sender's name and SMTP address. Exchange keeps an X.500
// address ("/O=EXAMPLE/OU=…") where an SMTP one would be, so only one with an "@" counts.
func msgSender(msg msgProps) string {
	name := msg.first(propSenderName, propSentRepName)
	var addr string
	for _, id := range []uint16{propSenderSMTP, propSenderAddress, propSentRepSMTP, propSentRepAddress} {
		if s := strings.TrimSpace(msg.text(id)); strings.Contains(s, "@") {
			addr = s
			break
		}
	}
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

// decompressRTF undoes Outlook's RTF compression ([MS-OXRTFCP]): LZ77 over a 4,096-byte
// dictionary, eight literals or references behind each control byte. The output is at most
// the size the header gives and at most what the input can expand to (17 bytes a 2-byte
// reference), so a hostile header claims nothing.
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
	out := make([]byte, 0, min(raw, len(b)*9))
	for len(b) > 0 && len(out) < raw {
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
