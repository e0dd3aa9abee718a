package ingest

import (
	"regexp"
	"strings"
	"unicode"
)

var (
	mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdImage   = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink    = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	mdEmph    = regexp.MustCompile(`(\*\*|__|\*|_|~~|` + "`" + `)([^*_~` + "`" + `\n]+)(\*\*|__|\*|_|~~|` + "`" + `)`)
	mdFront   = regexp.MustCompile(`(?s)\A---\n.*?\n---\n`)
)

// parseMarkdown splits a Markdown file into sections at its headings and strips inline markup.
// Headings inside fenced code blocks are code, not structure.
func parseMarkdown(data []byte) (Parsed, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = mdFront.ReplaceAllString(text, "")
	var (
		doc     Parsed
		cur     Section
		body    strings.Builder
		inFence bool
	)
	outline := newOutline(&doc)
	flush := func() {
		cur.Text = body.String()
		doc.Sections = append(doc.Sections, cur)
		body.Reset()
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
			continue
		}
		if m := mdHeading.FindStringSubmatch(line); m != nil && !inFence {
			flush()
			cur = outline.enter(len(m[1]), inlineMarkdown(m[2]), "")
			continue
		}
		if !inFence {
			line = inlineMarkdown(line)
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	flush()
	return doc, nil
}

func inlineMarkdown(s string) string {
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	for range 2 { // nested emphasis such as ***x***
		s = mdEmph.ReplaceAllString(s, "$2")
	}
	s = strings.TrimLeft(s, ">")
	return s
}

func nonEmpty(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// slug makes a GitHub-style heading anchor: lower case, spaces to hyphens, punctuation
// dropped, and -1, -2… on repeats within a document.
func slug(title string, seen map[string]int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	s := b.String()
	if n := seen[s]; n > 0 {
		seen[s] = n + 1
		return s + "-" + itoa(n)
	}
	seen[s] = 1
	return s
}
