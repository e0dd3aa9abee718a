package answer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/textseg"
)

// Code in passage text. The extractors keep a code block's lines and indentation (HTML's <pre>,
// Markdown's fenced and indented code) and collapse white space everywhere else: outside
// preformatted text no line of theirs starts with white space (but a nested list's items,
// indented two spaces a level, which read as prose: proseLine) or holds two spaces in a row.
// So code is recognised by its white space: a stretch of lines, between blank lines and lines
// that read as prose (proseLine), of which one is indented deeper than another ("with open(…)
// as f:" / "    reader = …") or holds a run of spaces inside ("$ git bisect bad        #
// Current version is bad"). A run of lines none of which reads as prose, set apart from code
// by blank lines only ("import csv" above the rest), is code too, and blank lines inside code
// do not end it. Hard-wrapped prose, which plain-text files indent as they like (a manual
// page's paragraphs), is not code: a stretch whose lines textseg.Unwrap would join is none.
// The sentence that introduces code ("A short usage example:") is prose, whether a blank line
// sets it apart or not. A one-line command without such white space is not recognised: it has
// no layout to lose.
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
	var runs [][]lineSpan // runs of non-blank lines
	var run []lineSpan
	for _, l := range lineSpans(text) {
		if strings.TrimSpace(text[l.start:l.end]) != "" {
			run = append(run, l)
		} else if len(run) > 0 {
			runs, run = append(runs, run), nil
		}
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	// The code of each run, and the runs that would be code next to code: no line of theirs
	// reads as prose ("import csv" before a blank line and the rest of the example).
	blocks := make([][]*codeBlock, len(runs))
	maybe := make([]bool, len(runs))
	for i, r := range runs {
		blocks[i] = codeOfRun(text, r)
		maybe[i] = len(blocks[i]) == 0 && !slices.ContainsFunc(r, func(l lineSpan) bool { return proseLine(text[l.start:l.end]) })
	}
	opens := func(i int) bool { return len(blocks[i]) > 0 && blocks[i][0].start == runs[i][0].start }
	closes := func(i int) bool {
		n := len(blocks[i])
		return n > 0 && blocks[i][n-1].end == runs[i][len(runs[i])-1].end
	}
	join := func(i int) {
		if r := runs[i]; maybe[i] && (i > 0 && closes(i-1) || i+1 < len(runs) && opens(i+1)) {
			blocks[i], maybe[i] = []*codeBlock{{start: r[0].start, end: r[len(r)-1].end, indent: minIndent(text, r)}}, false
		}
	}
	for i := range runs { // after code
		join(i)
	}
	for i := len(runs) - 1; i >= 0; i-- { // before it
		join(i)
	}
	// Blank lines inside code (between two functions) do not end it.
	var out []*codeBlock
	for i := range runs {
		for k, b := range blocks[i] {
			if n := len(out); n > 0 && k == 0 && i > 0 && closes(i-1) && opens(i) {
				b = &codeBlock{start: out[n-1].start, end: b.end, indent: min(out[n-1].indent, b.indent)}
				out = out[:n-1]
			}
			out = append(out, b)
		}
	}
	out = append(out, introducedCode(text, out)...)
	slices.SortFunc(out, func(a, b *codeBlock) int { return a.start - b.start })
	for _, b := range out {
		b.lines, b.first = strings.Split(text[b.start:b.end], "\n"), -1
	}
	return out
}

// introducedCode returns the code that a sentence introduces which has no layout to tell it
// by: two or more lines right after a line of prose that ends in a colon or says it shows what
// follows ("… the following directives …", see cataphors), a blank line between them or not,
// up to the next blank line or line that ends a sentence (sentenceLine), none of them after a
// shell's prompt, hard-wrapped text or part of a block found already (blocks), one at least
// holding a sign of code (codeSign).
// Configuration and commands are mostly written flush left, a word and its arguments a line
// ("RewriteEngine On" / "RewriteCond "%{HTTPS}" !=on" / "RewriteRule …"), and extractors keep
// no other mark of a <pre>: such lines were quoted as if sentences, without their fence, and
// cut where the answer's length ran out. The sentence that introduces them is what says they
// are an example; a definition list's terms after a sentence that introduces nothing ("Server
// sends (e.g.): Server: Apache") stay lines, as do commands after a prompt (see command).
func introducedCode(text string, blocks []*codeBlock) []*codeBlock {
	lines := lineSpans(text)
	inBlock := func(l lineSpan) bool {
		return slices.ContainsFunc(blocks, func(b *codeBlock) bool { return b.start <= l.start && l.start < b.end })
	}
	blank := func(l lineSpan) bool { return strings.TrimSpace(text[l.start:l.end]) == "" }
	var out []*codeBlock
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if blank(l) || inBlock(l) || !introduces(text[l.start:l.end]) {
			continue
		}
		lo := i + 1
		for lo < len(lines) && blank(lines[lo]) && lo-i < 2 {
			lo++
		}
		hi := lo
		for hi < len(lines) && !blank(lines[hi]) && !inBlock(lines[hi]) && !sentenceLine(text[lines[hi].start:lines[hi].end]) {
			hi++
		}
		if hi-lo < 2 || slices.ContainsFunc(lines[lo:hi], func(l lineSpan) bool { return prompted(strings.TrimSpace(text[l.start:l.end])) }) {
			continue
		}
		start, end := lines[lo].start, lines[hi-1].end
		if !slices.ContainsFunc(lines[lo:hi], func(l lineSpan) bool { return codeSign(text[l.start:l.end]) }) || wrapsAny(text[start:end]) {
			continue
		}
		out = append(out, &codeBlock{start: start, end: end, indent: minIndent(text, lines[lo:hi])})
		i = hi - 1
	}
	return out
}

// codeSign reports a line holding a sign of code: a double quote, bracket, brace, angle
// bracket, equals, dollar or percent sign, or a path ("/usr/lib", "./run", "~/.profile"). A
// slash between words or numbers ("IT/Security", "0100 / 0101"), an apostrophe, a URL or an e-mail
// address are no sign: lists of people, contacts and opening hours after "The following …:"
// hold them, and were fenced as code.
func codeSign(line string) bool {
	if strings.ContainsAny(line, "\"<>{}[]=$%") {
		return true
	}
	return slices.ContainsFunc(strings.Fields(line), func(f string) bool {
		return len(f) > 1 && f[0] == '/' && unicode.IsLetter(rune(f[1])) || strings.HasPrefix(f, "./") || strings.HasPrefix(f, "~/")
	})
}

// wrapsAny reports lines that textseg.Unwrap joins: hard-wrapped prose, not code.
func wrapsAny(s string) bool {
	return strings.Count(textseg.Unwrap(s), "\n") < strings.Count(s, "\n")
}

// introduces reports a line that introduces what follows it: prose that ends in a colon, or a
// sentence that ends in a full stop and says it shows what follows ("For example, … you can use
// the following directives, … inside a <Directory "/srv/secret"> section.", whose paths may
// hold more signs than prose does).
func introduces(line string) bool {
	t := strings.TrimSpace(line)
	if t == "" || tableRow(t) || prompted(t) || listItem.MatchString(t) && !strings.HasSuffix(t, ":") {
		return false
	}
	if strings.HasSuffix(t, ":") {
		return proseLine(t)
	}
	first, _ := utf8.DecodeRuneInString(t)
	if !strings.HasSuffix(t, ".") || strings.HasSuffix(t, "..") || !unicode.IsUpper(first) || len(strings.Fields(t)) < 4 {
		return false
	}
	return slices.ContainsFunc(lowerWords(t), func(w string) bool { return cataphors[w] })
}

// sentenceLine reports a line that ends what a sentence introduces: a line that ends as a
// sentence does (or in a colon), a list item or a table row. A line of words without a stop
// ("Require user rbowen", "Options Indexes FollowSymLinks") is configuration.
func sentenceLine(line string) bool {
	t := strings.TrimSpace(line)
	if tableRow(t) && !prompted(t) || listItem.MatchString(t) {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune(".!?:。！？", last) && !strings.HasSuffix(t, "..")
}

type lineSpan struct{ start, end int }

// lineSpans returns the spans of text's lines, without their line breaks.
func lineSpans(text string) []lineSpan {
	var out []lineSpan
	for start := 0; start <= len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		out = append(out, lineSpan{start, end})
		start = end + 1
	}
	return out
}

// codeOfRun returns the code blocks of a run of non-blank lines: its stretches between lines
// that read as prose that hold a line laid out as code.
func codeOfRun(text string, run []lineSpan) []*codeBlock {
	least := minIndent(text, run)
	laidOut := func(l lineSpan) bool {
		line := text[l.start:l.end]
		if indentOf(line) > least {
			return true
		}
		// Two spaces inside, not after a full stop (typewriter style) or the next term.
		for _, sep := range []string{"  ", "\t"} {
			for rest := strings.TrimSpace(line); ; {
				i := strings.Index(rest, sep)
				if i < 0 {
					break
				}
				if !strings.ContainsRune(".!?:", rune(rest[max(i-1, 0)])) {
					return true
				}
				rest = rest[i+1:]
			}
		}
		return false
	}
	// wrapped reports hard-wrapped prose: textseg.Unwrap joins a line of text[start:end] to
	// the next, or to the lines of the run around it.
	base, last := run[0].start, run[len(run)-1].end
	unwrapped := textseg.Unwrap(text[base:last])
	wrapped := func(start, end int) bool {
		for p := max(start-1, base); p < min(end+1, last); p++ {
			if text[p] == '\n' && unwrapped[p-base] != '\n' {
				return true
			}
		}
		return false
	}
	var out []*codeBlock
	for lo := 0; lo < len(run); {
		hi, code := lo, false
		// A line laid out as code that reads as prose (a comment in code, a sentence that a
		// plain-text page indents) neither makes a stretch code nor ends it.
		for ; hi < len(run); hi++ {
			l, prose := laidOut(run[hi]), proseLine(text[run[hi].start:run[hi].end])
			if prose && !l {
				break
			}
			code = code || l && !prose
		}
		if seg := run[lo:hi]; code && !wrapped(seg[0].start, seg[len(seg)-1].end) {
			out = append(out, &codeBlock{start: seg[0].start, end: seg[len(seg)-1].end, indent: minIndent(text, seg)})
		}
		lo = max(hi, lo+1)
	}
	return out
}

// proseLine reports a line that reads as prose, not code: a list item or table row; words
// (textseg.Prose) that end a sentence ("New in version 3.11.", "1. creates a new branch
// foo…"), start in a script without case, or start with a capital and end in a colon ("For
// example:") or hold no sign of code ("Testing partial commits"). "with open(…) as f:",
// "import csv", "Host example_author" and "SELECT name FROM users" are code.
func proseLine(line string) bool {
	t := strings.TrimSpace(line)
	if tableRow(t) {
		return true
	}
	item := false
	if m := listItem.FindString(t); m != "" {
		t, item = t[len(m):], true
	}
	if item && (words(t) || mostlyWords(t) || !itemCode(t)) {
		return true // "- faster startup of the client", "  - Windows", "  - the default to a partial rewrite (--all is not the default)"
	}
	// Numbers are words here ("New in version 3.2."): textseg.Prose counts digits as signs.
	if t == "" || !textseg.Prose(strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return 'n'
		}
		return r
	}, t)) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(t)
	last, _ := utf8.DecodeLastRuneInString(t)
	word, _, _ := strings.Cut(t, " ")
	switch {
	case strings.ContainsRune(".!?。！？", last) && !strings.HasSuffix(t, ".."):
		return true
	case unicode.IsLetter(first) && !unicode.IsUpper(first) && !unicode.IsLower(first):
		return true // a script without case (Chinese, Japanese…): code is not written in it
	case !unicode.IsUpper(first) || len(word) > 1 && strings.ToUpper(word) == word:
		return false // lower case, or an upper-case keyword
	case last == ':':
		return true
	}
	return words(t) || mostlyWords(t)
}

// itemCode reports a list item's text that is code: a YAML key and value ("name: Checkout",
// in a workflow's steps), or braces, brackets, a semicolon, an equals sign, angle brackets or
// a dollar sign. Nested list items are indented, as code is, so an item that is none of these
// ("Windows", "proxy.pac") is prose.
func itemCode(t string) bool {
	return yamlKey.MatchString(t) || strings.ContainsAny(t, "{}[];=<>$")
}

// yamlKey matches a YAML mapping's key at a line's start.
var yamlKey = regexp.MustCompile(`^[\w.-]+:(\s|$)`)

// mostlyWords reports a line of eight words or more, three in four of them plain lower-case
// words: a sentence that names a file or a host ("To enable status reports only for browsers
// from the example.com domain add this code to your apache2.conf configuration file"), whose
// dots are no sign of code in so many words. Without its full stop it used to be taken for
// code and fenced with the example below it. A line of code is rarely so many plain words.
func mostlyWords(t string) bool {
	fields := strings.Fields(t)
	if len(fields) < 8 {
		return false
	}
	plain := 0
	for _, f := range fields {
		f = strings.TrimRight(f, ",;")
		if f != "" && strings.IndexFunc(f, func(r rune) bool { return !unicode.IsLower(r) }) < 0 {
			plain++
		}
	}
	return plain*4 >= len(fields)*3
}

// codeDot matches a dot between two word characters: "csv.reader", "os.path".
var codeDot = regexp.MustCompile(`\w\.\w`)

// words reports whether t is three or more words with no sign of code: no underscore,
// parenthesis, quote, equals sign or dot inside a word ("Dr. Jones" is words).
func words(t string) bool {
	return len(strings.Fields(t)) >= 3 && !strings.ContainsAny(t, "_()'\"=") && !codeDot.MatchString(t)
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

// indentOf counts a line's leading spaces (a tab as one).
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " \t"))
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

// blockOf returns the code block that holds offset i, or nil; blocks are in order, and those
// ending before i are dropped from *blocks, so that a passage's sentences, taken in order, are
// looked up in one pass.
func blockOf(blocks *[]*codeBlock, i int) *codeBlock {
	for len(*blocks) > 0 && (*blocks)[0].end <= i {
		*blocks = (*blocks)[1:]
	}
	if len(*blocks) > 0 && (*blocks)[0].start <= i {
		return (*blocks)[0]
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
