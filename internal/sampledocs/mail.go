package sampledocs

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
)

// File is an attachment: a name and its bytes.
type File struct {
	Name string
	Data []byte
}

// EML returns an RFC 5322 message as mail clients save it: the subject RFC 2047-encoded, a
// multipart/alternative body whose plain part is quoted-printable ISO-8859-1 and whose HTML part
// is base64, and each attachment base64-encoded.
func EML(from, to, subject, date, plain, html string, attachments ...File) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		from, to, mime.QEncoding.Encode("iso-8859-1", string(latin1(subject))), date)
	var body bytes.Buffer
	mixed := multipart.NewWriter(&body)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%s\r\n\r\n", mixed.Boundary())

	var alt bytes.Buffer
	altw := multipart.NewWriter(&alt)
	pw, _ := altw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=iso-8859-1"}, "Content-Transfer-Encoding": {"quoted-printable"}})
	qp := quotedprintable.NewWriter(pw)
	qp.Write(latin1(plain))
	qp.Close()
	hw, _ := altw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/html; charset=utf-8"}, "Content-Transfer-Encoding": {"base64"}})
	hw.Write([]byte(wrap76(base64.StdEncoding.EncodeToString([]byte(html)))))
	altw.Close()
	aw, _ := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + altw.Boundary()}})
	aw.Write(alt.Bytes())

	for _, a := range attachments {
		w, _ := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {"application/octet-stream"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		w.Write([]byte(wrap76(base64.StdEncoding.EncodeToString(a.Data))))
	}
	mixed.Close()
	b.Write(body.Bytes())
	return b.Bytes()
}

// latin1 encodes s (which must hold only Latin-1 characters) as ISO-8859-1.
func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r))
	}
	return out
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s
}

// RTF returns a document as word processors write it: a font and colour table, a style sheet
// whose style 1 is "heading 1", the title in \info, and body paragraphs; each heading is a
// paragraph of style 1. Non-ASCII characters are written as \uN with a '?' fallback, and
// Latin-1 ones as \'hh, as Word does.
func RTF(title string, paras ...Para) []byte {
	var b strings.Builder
	b.WriteString(`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times New Roman;}}{\colortbl;\red0\green0\blue0;}` + "\n")
	b.WriteString(`{\stylesheet{\s0 Normal;}{\s1\outlinelevel0 heading 1;}}` + "\n")
	b.WriteString(`{\info{\title ` + rtfEscape(title) + `}{\author Somebody}}` + "\n")
	b.WriteString(`{\*\generator Docent sampledocs;}{\pict\pngblip 89504e470d0a1a0a}` + "\n")
	for _, p := range paras {
		if p.Style != "" {
			b.WriteString(`\pard\s1 ` + rtfEscape(p.Text) + `\par` + "\n")
		} else {
			b.WriteString(`\pard\plain ` + rtfEscape(p.Text) + `\par` + "\n")
		}
	}
	b.WriteString("}")
	return []byte(b.String())
}

func rtfEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == '{' || r == '}':
			b.WriteString(`\` + string(r))
		case r < 0x80:
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\'%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%d?`, int16(r))
		}
	}
	return b.String()
}
