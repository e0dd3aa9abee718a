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
// Headings inside fenced code blocks are code, not structure. Like every extractor it writes
// a paragraph or list item on one line, whatever its source line breaks (hard-wrapped
// Markdown is the rule), and keeps blank lines between paragraphs, table rows and code lines
// as they are.
func parseMarkdown(data []byte) (Parsed, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = mdFront.ReplaceAllString(text, "")
	var (
		doc     Parsed
		cur     Section
		body    strings.Builder
		block   []string // lines of the paragraph or list item being read
		inFence bool
	)
	outline := newOutline(&doc)
	endBlock := func() {
		if len(block) > 0 {
			body.WriteString(strings.Join(block, " "))
			body.WriteByte('\n')
			block = block[:0]
		}
	}
	flush := func() {
		endBlock()
		cur.Text = body.String()
		doc.Sections = append(doc.Sections, cur)
		body.Reset()
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			endBlock()
			inFence = !inFence
		case inFence:
			body.WriteString(line)
			body.WriteByte('\n')
		case mdHeading.MatchString(line):
			flush()
			m := mdHeading.FindStringSubmatch(line)
			cur = outline.enter(len(m[1]), inlineMarkdown(m[2]), "")
		case trimmed == "":
			endBlock()
			body.WriteByte('\n')
		case strings.HasPrefix(trimmed, "|") || len(block) == 0 && (strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")):
			// A table row, or an indented code line: a line of its own.
			endBlock()
			if !mdTableRule.MatchString(trimmed) {
				body.WriteString(inlineMarkdown(trimmed))
				body.WriteByte('\n')
			}
		default:
			if mdListItem.MatchString(line) {
				endBlock()
			}
			hardBreak := strings.HasSuffix(line, "  ") || strings.HasSuffix(trimmed, "\\")
			block = append(block, strings.TrimSpace(inlineMarkdown(strings.TrimSuffix(trimmed, "\\"))))
			if hardBreak {
				endBlock()
			}
		}
	}
	flush()
	return doc, nil
}

var (
	// mdListItem matches a line that starts a list item.
	mdListItem = regexp.MustCompile(`^\s*([-*+•]|\d{1,9}[.)])\s`)
	// mdTableRule matches a table's header rule, "|---|:--:|".
	mdTableRule = regexp.MustCompile(`^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$`)
)

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
