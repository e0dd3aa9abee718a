package ingest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/docent-search/docent/internal/source"
)

// Attachment is a file carried inside another (an e-mail's attachment): the indexer makes it a
// document of its own, at the path of its parent followed by its name (see AttachmentPath).
type Attachment struct {
	Name string
	Data []byte
}

// Limits on what one message may carry, so a crafted message cannot multiply into thousands of
// documents or nest without end: the parts walked, the attachments kept (further ones are
// listed in the header block but not indexed), and multipart nesting.
const (
	maxMailParts       = 200
	maxMailAttachments = 20
	maxMailDepth       = 10
	// maxAttachmentBytes bounds one attachment once decoded; larger ones are listed, not indexed.
	maxAttachmentBytes = 32 << 20
)

// mailWords decodes RFC 2047 encoded words ("=?iso-8859-1?q?…?=") in any charset x/net knows.
var mailWords = mime.WordDecoder{CharsetReader: charset.NewReaderLabel}

// parseEML reads an RFC 5322 message: the Subject is the title; From, To, Cc, Date and the
// attachments' names open the text as a header block (so "mail from Ada in March" finds it);
// the body is the text/plain alternative where there is one, else the HTML one, in any
// transfer encoding and charset. Attachments come back to be indexed as documents of their own.
func parseEML(data []byte) (Parsed, error) {
	// A message saved from an mbox folder (Thunderbird) may keep its "From sender date" line.
	if bytes.HasPrefix(data, []byte("From ")) {
		if _, rest, ok := bytes.Cut(data, []byte("\n")); ok {
			data = rest
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Parsed{}, fmt.Errorf("not an e-mail message: %w", err)
	}
	w := &mailWalk{}
	w.part(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	if w.err != nil {
		return Parsed{}, w.err
	}
	var headers []string
	for _, h := range []string{"From", "To", "Cc", "Date"} {
		v := decodeHeader(msg.Header.Get(h))
		if h == "Date" {
			if d, err := msg.Header.Date(); err == nil {
				v = d.Format(mailDate)
			}
		}
		headers = append(headers, h, v)
	}
	return mailDocument(decodeHeader(msg.Header.Get("Subject")), headers, w, mailBody{plain: w.plain, html: w.html})
}

// mailDate is how a message's date opens its text.
const mailDate = "Mon, 2 Jan 2006 15:04 -0700"

// mailBody is the text of a message in the first form it has: plain, HTML, or (an Outlook
// message's) RTF.
type mailBody struct {
	plain     string
	html, rtf []byte
}

// mailDocument lays out a message, .eml or .msg alike: the subject is the title; the headers
// (name, value pairs; empty values left out) and the attachments' names open the text as a
// header block, so "mail from Ada in March" finds it; then the body, HTML and RTF read as
// files of their own are.
func mailDocument(subject string, headers []string, w *mailWalk, body mailBody) (Parsed, error) {
	doc := Parsed{Title: subject, Attachments: w.attachments}
	var head strings.Builder
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			fmt.Fprintf(&head, "%s: %s\n", headers[i], headers[i+1])
		}
	}
	if len(w.names) > 0 {
		fmt.Fprintf(&head, "Attachments: %s\n", strings.Join(w.names, ", "))
	}
	switch {
	case body.plain == "" && body.html != nil:
		h, err := parseHTML(body.html, nil, "")
		if err != nil {
			return Parsed{}, fmt.Errorf("reading the HTML body: %w", err)
		}
		doc.Sections = h.Sections
	case body.plain == "" && body.rtf != nil:
		r, err := parseRTF(body.rtf)
		if err != nil {
			return Parsed{}, fmt.Errorf("reading the RTF body: %w", err)
		}
		doc.Sections = r.Sections
	default:
		doc.Sections = []Section{{Text: body.plain}}
	}
	if len(doc.Sections) == 0 {
		doc.Sections = []Section{{}}
	}
	doc.Sections[0].Text = head.String() + "\n" + doc.Sections[0].Text
	return doc, nil
}

func decodeHeader(v string) string {
	if d, err := mailWords.DecodeHeader(v); err == nil {
		v = d
	}
	return collapse(v)
}

// mailWalk gathers the body alternatives and attachments of a message's MIME tree.
type mailWalk struct {
	plain       string
	html        []byte
	attachments []Attachment
	names       []string // every attachment's name, indexed or not
	parts       int
	err         error
}

func (w *mailWalk) part(h textproto.MIMEHeader, body io.Reader, depth int) {
	if w.err != nil {
		return
	}
	if w.parts++; w.parts > maxMailParts {
		w.err = fmt.Errorf("e-mail with more than %d MIME parts", maxMailParts)
		return
	}
	if depth > maxMailDepth {
		w.err = fmt.Errorf("e-mail parts nested deeper than %d levels", maxMailDepth)
		return
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType, params = "text/plain", nil
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart() // raw: the transfer encoding is undone below, once
			if err == io.EOF {
				return
			}
			if err != nil {
				if w.plain == "" && w.html == nil {
					w.err = fmt.Errorf("malformed MIME multipart: %w", err)
				}
				return // a truncated tail loses only what is missing
			}
			w.part(p.Header, p, depth+1)
		}
	}
	data, err := io.ReadAll(io.LimitReader(transferDecoded(h, body), maxAttachmentBytes+1))
	if err != nil && len(data) == 0 {
		w.err = fmt.Errorf("reading an e-mail part (%s): %w", mediaType, err)
		return
	}
	_, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := decodeHeader(cmp.Or(dparams["filename"], params["name"]))
	attached := strings.HasPrefix(strings.ToLower(h.Get("Content-Disposition")), "attachment") || name != ""
	switch {
	case mediaType == "message/rfc822":
		if name == "" {
			name = "message.eml"
			if m, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
				if s := decodeHeader(m.Header.Get("Subject")); s != "" {
					name = s + ".eml"
				}
			}
		}
		w.attach(name, data)
	case attached:
		w.attach(cmp.Or(name, "attachment"), data)
	case mediaType == "text/plain" && w.plain == "":
		w.plain = strings.ReplaceAll(decodeCharset(data, params["charset"]), "\r\n", "\n")
	case mediaType == "text/html" && w.html == nil:
		w.html = []byte(decodeCharset(data, params["charset"]))
	}
}

// attach keeps an attachment under the name list gives it.
func (w *mailWalk) attach(name string, data []byte) {
	name = w.list(name)
	if len(w.attachments) >= maxMailAttachments || len(data) > maxAttachmentBytes {
		return
	}
	w.attachments = append(w.attachments, Attachment{Name: name, Data: data})
}

// list names an attachment in the message's header block and returns the name: its base name
// (no folders from the sender), made unique within the message. An attachment that is not kept
// (one too many, too large, an Outlook attachment by reference, with no bytes) is still
// listed, so a search finds the message by it.
func (w *mailWalk) list(name string) string {
	name = strings.NewReplacer("/", "_", "\\", "_").Replace(strings.TrimSpace(name))
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	base, ext := strings.TrimSuffix(name, path.Ext(name)), path.Ext(name)
	for n := 2; containsName(w.names, name); n++ {
		name = fmt.Sprintf("%s-%d%s", base, n, ext)
	}
	w.names = append(w.names, name)
	return name
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// transferDecoded undoes a part's Content-Transfer-Encoding.
func transferDecoded(h textproto.MIMEHeader, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Lines{r: body})
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	}
	return body
}

// base64Lines drops the line breaks and stray characters of a base64 body (base64.NewDecoder
// skips only \r and \n), so a sloppy encoder loses nothing.
type base64Lines struct{ r io.Reader }

func (b *base64Lines) Read(p []byte) (int, error) {
	for {
		n, err := b.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil || n == 0 {
			return k, err
		}
	}
}

// decodeCharset turns text in the named charset into UTF-8; unknown charsets pass through
// (cleanText later replaces what is not UTF-8). Text that names none, or US-ASCII or UTF-8
// but is not, is read as a text file is (decodeText): old mailers sent Windows-1252 so.
func decodeCharset(data []byte, label string) string {
	label = strings.ToLower(strings.TrimSpace(label))
	if label == "" || label == "utf-8" || label == "us-ascii" || label == "utf8" {
		return string(decodeText(data, "text"))
	}
	r, err := charset.NewReaderLabel(label, bytes.NewReader(data))
	if err != nil {
		return string(data)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return string(data)
	}
	return string(out)
}

// AttachmentPath is the path of an attachment's document: its parent's path, a slash, and the
// attachment's name ("inbox/offer.eml/prices.xlsx"). No file on disk can have that path (the
// parent is a file, not a folder), the path-prefix filter of the parent finds its attachments
// too, and a citation reads as where the text came from.
func AttachmentPath(parent, name string) string { return parent + "/" + name }

// MailAttachment takes an attachment's bytes out of a message as indexing read them (see
// source.OpenInside): names[0] is the name of an attachment of message as its document's path
// ends (see AttachmentPath; unescaped), and each further name one of the message before it, a
// forwarded message's attachment.
func MailAttachment(message []byte, names []string) ([]byte, error) {
	data := message
	for i, name := range names {
		if i > 0 && source.Supported(names[i-1]) != "eml" {
			return nil, fmt.Errorf("%s is not an e-mail message", names[i-1])
		}
		parsed, err := parseMail(data, time.Now().Add(mailAttachmentTimeout))
		if err != nil {
			return nil, err
		}
		found := false
		for _, a := range parsed.Attachments {
			if a.Name == name {
				data, found = a.Data, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no attachment named %q", name)
		}
	}
	return data, nil
}

// mailAttachmentTimeout bounds reading one message for an attachment at request time, as the
// indexer's default timeout bounds reading it to index.
const mailAttachmentTimeout = 10 * time.Second
