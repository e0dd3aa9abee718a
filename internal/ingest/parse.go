package ingest

import (
	"bytes"

	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Section is a run of text under one heading path: the unit chunks never cross.
type Section struct {
	// Headings is the path of headings above the text, outermost first.
	Headings []string
	// Anchor is the deep-link target of the innermost heading (an HTML id, a Markdown slug).
	Anchor string
	// Page is the 1-based page or slide number, 0 where the format has none.
	Page int
	Text string
}

// Parsed is what extraction yields for one file.
type Parsed struct {
	Title    string
	Sections []Section
}

// ErrSkip marks files that are deliberately not indexed; its message is the reason shown to admins.
type ErrSkip struct{ Reason string }

func (e ErrSkip) Error() string { return e.Reason }

// parser extracts a file's text and structure from its bytes.
type parser func(data []byte) (Parsed, error)

// parsers maps lower-case file extensions to their parser and the type name stored.
var parsers = map[string]struct {
	typ   string
	parse parser
}{
	".md":       {"markdown", parseMarkdown},
	".markdown": {"markdown", parseMarkdown},
	".html":     {"html", parseHTML},
	".htm":      {"html", parseHTML},
	".txt":      {"text", parseText},
	".text":     {"text", parseText},
	".rst":      {"text", parseText},
	".adoc":     {"text", parseText},
	".log":      {"text", parseText},
	".json":     {"text", parseText},
	".yaml":     {"text", parseText},
	".yml":      {"text", parseText},
	".csv":      {"text", parseText},
}

// Supported reports the document type for a file name, or "" when no parser handles it.
func Supported(name string) string {
	return parsers[strings.ToLower(path.Ext(name))].typ
}

// Parse extracts the text of a file named name. The title falls back to the file name.
func Parse(name string, data []byte) (Parsed, error) {
	p, ok := parsers[strings.ToLower(path.Ext(name))]
	if !ok {
		return Parsed{}, ErrSkip{Reason: fmt.Sprintf("unsupported file type %q", path.Ext(name))}
	}
	if looksBinary(data) {
		return Parsed{}, ErrSkip{Reason: "binary content in a " + p.typ + " file"}
	}
	doc, err := p.parse(cleanText(data))
	if err != nil {
		return Parsed{}, err
	}
	if doc.Title = strings.TrimSpace(doc.Title); doc.Title == "" {
		doc.Title = strings.TrimSuffix(path.Base(name), path.Ext(name))
	}
	nonEmpty := doc.Sections[:0]
	for _, s := range doc.Sections {
		if s.Text = strings.TrimSpace(s.Text); s.Text != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	doc.Sections = nonEmpty
	if len(doc.Sections) == 0 {
		return Parsed{}, ErrSkip{Reason: "no text to index"}
	}
	return doc, nil
}

// looksBinary reports bytes that are no text at all: many NULs or control bytes early on.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if len(head) == 0 {
		return false
	}
	bad := 0
	for _, b := range head {
		if b == 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f') {
			bad++
		}
	}
	return bad*10 > len(head) // over 10 % control bytes
}

// cleanText makes data valid UTF-8 without NULs or a byte-order mark, so PostgreSQL accepts it.
func cleanText(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	if bytes.IndexByte(data, 0) >= 0 {
		data = bytes.ReplaceAll(data, []byte{0}, nil)
	}
	return data
}

func parseText(data []byte) (Parsed, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	// A first short line followed by a blank line reads as a title (the eval converter's
	// layout, and many README-style notes).
	title := ""
	if first, rest, ok := strings.Cut(text, "\n"); ok && len(first) < 200 && strings.HasPrefix(rest, "\n") {
		title = strings.TrimSpace(first)
	}
	return Parsed{Title: title, Sections: []Section{{Text: text}}}, nil
}
