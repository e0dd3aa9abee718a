package sampledocs

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Outlook describes a generated Outlook message (.msg).
type Outlook struct {
	// To and Cc are the displayed recipients' names (PR_DISPLAY_TO, PR_DISPLAY_CC).
	SenderName, SenderAddress, To, Cc, Subject string
	// Recipients are the recipient storages, each with its name, address and type.
	Recipients []Recipient
	// Sent is the client submit time; zero leaves it out (a draft).
	Sent time.Time
	// Body is the plain-text body; HTML the HTML one (PR_HTML, binary), RTF the compressed RTF
	// one (PR_RTF_COMPRESSED) as given. Each is written only when set.
	Body      string
	HTML, RTF []byte
	// CodePage, when set (1251 or 1252), writes the strings 8-bit in that Windows code page and
	// records it as the message's, as Outlook did before 2003; otherwise they are UTF-16.
	CodePage    int
	Attachments []File
	// Embedded are messages attached as messages (attach method 5), after the files: a
	// storage holding the message's own properties, not bytes.
	Embedded []Outlook
}

// Recipient is one recipient of an Outlook message.
type Recipient struct {
	Name, Address string
	// Type is MAPI's: 1 To, 2 Cc, 3 Bcc.
	Type int
}

// MSG returns an Outlook message ([MS-OXMSG]) as Outlook saves it: a compound file with the
// message's properties as streams named by tag and a __properties_version1.0 stream of its
// fixed-length ones, each attachment a storage of its own laid out alike.
func MSG(m Outlook) []byte {
	var streams []CFBStream
	writeMSG(&streams, "", make([]byte, 32), m)
	return CompoundFile(streams...)
}

// writeMSG adds the streams of message m, in the storage prefix, to streams; header is its
// property stream's header (32 bytes for the file's own message, 24 for an embedded one).
func writeMSG(streams *[]CFBStream, prefix string, header []byte, m Outlook) {
	le := binary.LittleEndian
	strType := uint16(0x001F)
	encode := func(s string) []byte {
		var out []byte
		for _, u := range utf16.Encode([]rune(s)) {
			out = le.AppendUint16(out, u)
		}
		return out
	}
	if m.CodePage != 0 {
		cm := map[int]*charmap.Charmap{1251: charmap.Windows1251, 1252: charmap.Windows1252}[m.CodePage]
		if cm == nil {
			panic(fmt.Sprintf("sampledocs: code page %d", m.CodePage))
		}
		strType = 0x001E
		encode = func(s string) []byte {
			b, err := cm.NewEncoder().Bytes([]byte(s))
			if err != nil {
				panic(err)
			}
			return b
		}
	}
	// props writes the properties of one storage: variable-length ones as streams, all of
	// them listed in the storage's property stream after its header.
	props := func(prefix string, header []byte, strs map[uint16]string, bins map[uint16][]byte, fixed map[uint32]uint64) {
		list := header
		entry := func(tag uint32, value uint64) {
			list = le.AppendUint32(list, tag)
			list = le.AppendUint32(list, 6) // readable, writable
			list = le.AppendUint64(list, value)
		}
		for _, id := range slices.Sorted(maps.Keys(strs)) {
			if strs[id] == "" {
				continue
			}
			data := encode(strs[id])
			tag := uint32(id)<<16 | uint32(strType)
			*streams = append(*streams, CFBStream{fmt.Sprintf("%s__substg1.0_%08X", prefix, tag), data})
			entry(tag, uint64(len(data)+int(strType&1)+1)) // counting the terminator, 1 or 2 bytes
		}
		for _, id := range slices.Sorted(maps.Keys(bins)) {
			if bins[id] == nil {
				continue
			}
			tag := uint32(id)<<16 | 0x0102
			*streams = append(*streams, CFBStream{fmt.Sprintf("%s__substg1.0_%08X", prefix, tag), bins[id]})
			entry(tag, uint64(len(bins[id])))
		}
		for _, tag := range slices.Sorted(maps.Keys(fixed)) {
			entry(tag, fixed[tag])
		}
		*streams = append(*streams, CFBStream{prefix + "__properties_version1.0", list})
	}
	fixed := map[uint32]uint64{}
	if !m.Sent.IsZero() {
		fixed[0x00390040] = uint64(m.Sent.UnixNano()/100 + 116444736000000000)
	}
	if m.CodePage != 0 {
		fixed[0x3FFD0003] = uint64(m.CodePage)
	}
	if len(header) == 32 {
		attachments := len(m.Attachments) + len(m.Embedded)
		le.PutUint32(header[8:], uint32(len(m.Recipients)))
		le.PutUint32(header[12:], uint32(attachments))
		le.PutUint32(header[16:], uint32(len(m.Recipients)))
		le.PutUint32(header[20:], uint32(attachments))
	}
	props(prefix, header, map[uint16]string{0x0037: m.Subject, 0x0C1A: m.SenderName, 0x5D01: m.SenderAddress, 0x0E04: m.To, 0x0E03: m.Cc, 0x1000: m.Body},
		map[uint16][]byte{0x1013: m.HTML, 0x1009: m.RTF}, fixed)
	for i, rc := range m.Recipients {
		props(fmt.Sprintf("%s__recip_version1.0_#%08X/", prefix, i), make([]byte, 8), map[uint16]string{0x3001: rc.Name, 0x39FE: rc.Address},
			nil, map[uint32]uint64{0x0C150003: uint64(rc.Type)})
	}
	for i, a := range m.Attachments {
		props(fmt.Sprintf("%s__attach_version1.0_#%08X/", prefix, i), make([]byte, 8), map[uint16]string{0x3707: a.Name},
			map[uint16][]byte{0x3701: a.Data}, map[uint32]uint64{0x37050003: 1})
	}
	for i, e := range m.Embedded {
		storage := fmt.Sprintf("%s__attach_version1.0_#%08X/", prefix, len(m.Attachments)+i)
		props(storage, make([]byte, 8), map[uint16]string{0x3001: e.Subject}, nil, map[uint32]uint64{0x37050003: 5})
		writeMSG(streams, storage+"__substg1.0_3701000D/", make([]byte, 24), e)
	}
}
