package answer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/textseg"
)

// Code in passage text. The extractors keep a code block's lines and indentation (HTML's <pre>,
// Markdown's fenced and indented code) and collapse white space everywhere else: outside
// preformatted text no line of theirs starts with white space or holds two spaces in a row.
// So a code block is recognised by its white space: a run of lines without a blank one, of
// which one is indented deeper than another ("with open(…) as f:" / "    reader = …") or holds
// a run of spaces inside ("$ git bisect bad        # Current version is bad"). Hard-wrapped
// prose, which plain-text files indent as they like (a manual page's paragraphs), is not code:
// a run whose lines textseg.Unwrap would join is none. An introduction written without a blank
// line before the code ("A short usage example:" in a definition's description) is prose, not
// part of the block. A one-line command without such white space is not recognised: it has no
// layout to lose.
//
// A code block is quoted whole, as a Markdown fenced block (its lines and their indentation as
// the passage has them), with the sentence that introduces it; it is never cut into sentences.
// A block longer than maxCodeLines is quoted from the lines that answer, maxCodeLines of them,
// with "…" for what is left out.

// maxCodeLines bounds the lines of a code block quoted.
const maxCodeLines = 20

// codeBlock is a code block of a passage: text[start:end], whole lines.
type codeBlock struct {
	start, end int
	indent     int      // the white space its lines share, left out when quoted
	lines      []string // its lines, as they are
	first      int      // the passage line (sent.line) of its first line; -1 until known
}

// codeBlocks finds the code blocks of passage text.
func codeBlocks(text string) []*codeBlock {
	// The runs of non-blank lines, and the code block of each.
	var runs [][]lineSpan
	var run []lineSpan
	for start := 0; start <= len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if strings.TrimSpace(text[start:end]) != "" {
			run = append(run, lineSpan{start, end})
		} else if len(run) > 0 {
			runs, run = append(runs, run), nil
		}
		start = end + 1
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	blocks := make([]*codeBlock, len(runs))
	for i, r := range runs {
		blocks[i] = codeRun(text, r)
	}
	// Blank lines inside code (between two functions, after "import csv") do not end it: a
	// run next to a code block is code too when none of its lines reads as prose.
	for changed := true; changed; {
		changed = false
		for i, r := range runs {
			if blocks[i] == nil && (i > 0 && blocks[i-1] != nil || i+1 < len(runs) && blocks[i+1] != nil) && !slices.ContainsFunc(r, func(l lineSpan) bool { return proseLine(text[l.start:l.end]) }) {
				blocks[i] = &codeBlock{start: r[0].start, end: r[len(r)-1].end, indent: minIndent(text, r)}
				changed = true
			}
		}
	}
	var out []*codeBlock
	for i, b := range blocks {
		if b == nil {
			continue
		}
		if n := len(out); n > 0 && i > 0 && blocks[i-1] != nil && out[n-1].end == runs[i-1][len(runs[i-1])-1].end && b.start == runs[i][0].start {
			b = &codeBlock{start: out[n-1].start, end: b.end, indent: min(out[n-1].indent, b.indent)}
			out = out[:n-1]
		}
		out = append(out, b)
	}
	for _, b := range out {
		b.lines, b.first = strings.Split(text[b.start:b.end], "\n"), -1
	}
	return out
}

// proseLine reports a line that reads as prose rather than code: words (textseg.Prose), with a
// capital first or sentence punctuation last.
func proseLine(line string) bool {
	line = strings.TrimSpace(line)
	first, _ := utf8.DecodeRuneInString(line)
	last, _ := utf8.DecodeLastRuneInString(line)
	return textseg.Prose(line) && (unicode.IsUpper(first) || strings.ContainsRune(".!?", last))
}

func minIndent(text string, run []lineSpan) int {
	least := -1
	for _, l := range run {
		if n := indentOf(text[l.start:l.end]); least < 0 || n < least {
			least = n
		}
	}
	return least
}

type lineSpan struct{ start, end int }

// codeRun returns the code block of a run of non-blank lines, or nil.
func codeRun(text string, run []lineSpan) *codeBlock {
	if len(run) == 0 {
		return nil
	}
	least := minIndent(text, run)
	laidOut := func(l lineSpan) bool {
		line := text[l.start:l.end]
		return indentOf(line) > least || strings.Contains(strings.TrimSpace(line), "  ") || strings.Contains(strings.TrimSpace(line), "\t")
	}
	if !slices.ContainsFunc(run, laidOut) {
		return nil
	}
	whole := text[run[0].start:run[len(run)-1].end]
	if textseg.Unwrap(whole) != whole {
		return nil // hard-wrapped prose
	}
	// The introduction and closing remarks of the code, on lines of their own, are prose.
	lo, hi := 0, len(run)-1
	for lo < hi && !laidOut(run[lo]) && sentenceLine(text[run[lo].start:run[lo].end]) {
		lo++
	}
	for hi > lo && !laidOut(run[hi]) && sentenceLine(text[run[hi].start:run[hi].end]) && strings.HasSuffix(strings.TrimSpace(text[run[hi].start:run[hi].end]), ".") {
		hi--
	}
	return &codeBlock{start: run[lo].start, end: run[hi].end, indent: least}
}

// indentOf counts a line's leading spaces (a tab as one).
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " \t"))
}

// sentenceLine reports a line that reads as a sentence: words, a capital first and sentence
// punctuation last ("For example:", "Return a reader object. A short usage example:").
func sentenceLine(line string) bool {
	line = strings.TrimSpace(line)
	first, _ := utf8.DecodeRuneInString(line)
	last, _ := utf8.DecodeLastRuneInString(line)
	return unicode.IsUpper(first) && strings.ContainsRune(".:!?", last) && textseg.Prose(line)
}

// unwrapProse is textseg.Unwrap outside the code blocks: their line breaks, and those before
// and after them, stay.
func unwrapProse(text string, blocks []*codeBlock) string {
	if len(blocks) == 0 {
		return textseg.Unwrap(text)
	}
	b := []byte(textseg.Unwrap(text))
	for _, c := range blocks {
		lo, hi := max(c.start-1, 0), min(c.end+1, len(text))
		copy(b[lo:hi], text[lo:hi])
	}
	return string(b)
}

// blockOf returns the code block that holds offset i, or nil.
func blockOf(blocks []*codeBlock, i int) *codeBlock {
	for _, c := range blocks {
		if c.start <= i && i < c.end {
			return c
		}
	}
	return nil
}

// fenced writes lines of code (text, whole lines) as a Markdown fenced block, less the
// indentation they share; before and after say whether lines of the block were left out.
func fenced(text string, indent int, before, after bool) string {
	lines := strings.Split(text, "\n")
	fence := "```" // longer than any run of backticks that starts a line of the code
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if n := len(t) - len(strings.TrimLeft(t, "`")); n >= len(fence) {
			fence = strings.Repeat("`", n+1)
		}
	}
	var b strings.Builder
	b.WriteString(fence)
	b.WriteByte('\n')
	if before {
		b.WriteString("…\n")
	}
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if indentOf(l) >= indent {
			l = l[indent:]
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if after {
		b.WriteString("…\n")
	}
	b.WriteString(fence)
	return b.String()
}

// fenceCode writes passage text with each of its code blocks fenced (a passage quoted whole).
func fenceCode(text string) string {
	blocks := codeBlocks(text)
	if len(blocks) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, c := range blocks {
		b.WriteString(strings.TrimRight(text[last:c.start], " \t"))
		b.WriteString(fenced(text[c.start:c.end], c.indent, false, false))
		last = c.end
	}
	b.WriteString(text[last:])
	return b.String()
}
