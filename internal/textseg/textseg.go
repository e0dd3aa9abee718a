// Package textseg cuts extracted text into sentences and words. The indexer's chunker and the
// extractive answerer both use its sentences, so a chunk boundary and a quoted sentence always
// agree on where a sentence ends; the embedders, the lexical search's query weighting and the
// answerer all use its words, stems and stopwords (words.go), so a word is one token everywhere.
//
// It expects the text the extractors produce: one block (paragraph, heading, list item, table
// row) per line, white space inside a block collapsed. A line break therefore always ends a
// sentence; within a line, '.', '!', '?', '…' and the CJK full stops end one when followed by
// white space and something that can start a sentence, except after an abbreviation ("e.g.",
// "Dr.", "Fig."), an initial ("J. Smith") or a list number at the start of a line, indented or not ("2. Open").
// Decimals, versions, URLs and code ("3.14", "v1.2.3", "example.com/a.b", "os.Exit()") never
// split, since their dots are not followed by white space.
package textseg

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is one sentence: text[Start:End], without surrounding white space.
type Span struct{ Start, End int }

// Sentences returns the sentences of text in order.
func Sentences(text string) []Span {
	var out []Span
	start := -1
	emit := func(end int) {
		if start >= 0 {
			for end > start && isSpace(text[end-1]) {
				end--
			}
			if end > start {
				out = append(out, Span{start, end})
			}
		}
		start = -1
	}
	lineStart := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			emit(i)
			i += size
			lineStart = i
			continue
		}
		if start < 0 && !unicode.IsSpace(r) {
			start = i
		}
		i += size
		if start < 0 || !isTerminal(r) {
			continue
		}
		// Runs of terminals ("?!", "...") and closing quotes or brackets belong to the sentence.
		for i < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[i:])
			if !isTerminal(r2) && !isCloser(r2) {
				break
			}
			i += s2
		}
		if r == '。' || r == '！' || r == '？' {
			emit(i) // CJK full stops need no following space
			continue
		}
		if endsHere(text, lineStart, i) {
			emit(i)
		}
	}
	emit(len(text))
	return out
}

// Split returns the sentence texts of text.
func Split(text string) []string {
	spans := Sentences(text)
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = text[s.Start:s.End]
	}
	return out
}

// endsHere reports whether the punctuation ending just before i closes its sentence, on the
// line starting at lineStart.
func endsHere(text string, lineStart, i int) bool {
	if i >= len(text) {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(text[i:]); r != ' ' && r != '\t' && r != '\n' && r != '\r' && r != '\u00a0' {
		return false // "3.14", "v1.2.3", "example.com", "a.b()"
	}
	rest := strings.TrimLeft(text[i:], " \t\r\u00a0")
	if rest == "" || rest[0] == '\n' {
		return true
	}
	next, _ := utf8.DecodeRuneInString(rest)
	if !startsSentence(next) {
		return false // "e.g. the", "approx. five"
	}
	// The word the punctuation ends, back to the previous space.
	wordStart := strings.LastIndexAny(text[:i], " \t\n(\"'“‘") + 1
	word := strings.TrimRight(text[wordStart:i], ")]}\"'”’")
	if !strings.HasSuffix(word, ".") || strings.HasSuffix(word, "..") {
		return true // '!', '?' and an ellipsis always end a sentence before a capital
	}
	if strings.TrimLeft(text[lineStart:wordStart], " \t\u00a0") == "" && listNumber(word) {
		return false // "2. Open the form": a list item's number, not a sentence
	}
	stem := strings.TrimSuffix(word, ".")
	lower := strings.ToLower(stem)
	if abbreviations[lower] || beforeNumber[lower] && unicode.IsDigit(next) {
		return false
	}
	if r, size := utf8.DecodeRuneInString(stem); size == len(stem) && unicode.IsUpper(r) {
		return false // an initial: "J. Smith"
	}
	if strings.Contains(stem, ".") && len(stem) <= 6 && strings.IndexFunc(stem, func(r rune) bool { return r != '.' && !unicode.IsLetter(r) }) < 0 {
		return false // "U.S.", "a.m.", "Ph.D.": not a version or a URL at a sentence's end
	}
	return true
}

// listNumber reports list markers such as "2.", "iv." or "b.".
func listNumber(word string) bool {
	stem := strings.TrimSuffix(word, ".")
	if isNumber(stem) && len(stem) <= 3 {
		return true
	}
	if len(stem) == 1 && stem[0] >= 'a' && stem[0] <= 'z' {
		return true
	}
	return stem != "" && len(stem) <= 4 && strings.Trim(strings.ToLower(stem), "ivx") == ""
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// abbreviations never end a sentence when followed by a capital ("Dr. Smith", "e.g. Python").
// Words like "etc." that often do end one are left out: before a capital they end it.
var abbreviations = words(`e.g eg i.e ie cf vs viz al approx ca resp incl
	dr mr mrs ms prof sr st mt rev capt hon dept fig figs`)

// beforeNumber are abbreviations only before a number ("No. 5", "p. 12", "Jan. 3"): as words
// they end sentences ("The answer is no. Then…").
var beforeNumber = words(`no nos nr vol vols ch chap sec sect p pp para art eq eqs ref refs
	tab ex tel jan feb mar apr jun jul aug sep sept oct nov dec`)

func words(list string) map[string]bool {
	m := map[string]bool{}
	for _, a := range strings.Fields(list) {
		m[a] = true
	}
	return m
}

func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case ')', ']', '}', '"', '\'', '”', '’', '»':
		return true
	}
	return false
}

// startsSentence reports what may follow a sentence end: a capital, digit, quote, bracket,
// list bullet or anything of a script without case.
func startsSentence(r rune) bool {
	switch {
	case unicode.IsUpper(r), unicode.IsDigit(r):
		return true
	case strings.ContainsRune("\"'“‘«([{*-•`$", r):
		return true
	case unicode.IsLetter(r) && !unicode.IsLower(r):
		return true // CJK, Arabic, Hebrew…
	}
	return false
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// Unwrap joins the lines of hard-wrapped prose that survive in preformatted text (an e-mail
// quoted in a <pre>, a plain-text page): a line break that falls visibly inside a sentence, after
// a long line of words that does not end in punctuation and before another line of words that
// starts in lower case (a capital starts the next message of a terminal's output as often),
// becomes a space, so that Sentences returns the sentence rather than its line-sized pieces.
// Code, commands, list items and table rows keep their lines. Only bytes '\n' are replaced, one
// for one, so offsets into the result are offsets into text.
func Unwrap(text string) string {
	b := []byte(text)
	lineStart := 0
	for lineStart < len(text) {
		nl := strings.IndexByte(text[lineStart:], '\n')
		if nl < 0 {
			break
		}
		line := text[lineStart : lineStart+nl]
		next := text[lineStart+nl+1:]
		if end := strings.IndexByte(next, '\n'); end >= 0 {
			next = next[:end]
		}
		if wrapsInto(line, next) {
			b[lineStart+nl] = ' '
		}
		lineStart += nl + 1
	}
	return string(b)
}

// minWrappedLine is the shortest line taken for a wrapped one: hard-wrapped text fills its
// lines to 60–80 characters, while a term, a heading or a short command does not.
const minWrappedLine = 40

// wrapsInto reports whether line, broken before next, is one sentence hard-wrapped.
func wrapsInto(line, next string) bool {
	line, next = strings.TrimSpace(line), strings.TrimSpace(next)
	if len(line) < minWrappedLine || len(strings.Fields(line)) < 5 || next == "" || !Prose(line) || !Prose(next) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	first, _ := utf8.DecodeRuneInString(next)
	return (unicode.IsLetter(last) || unicode.IsDigit(last) || strings.ContainsRune(`,_"'”’)`, last)) &&
		(unicode.IsLower(first) || strings.ContainsRune(`"'“‘(`, first))
}

// Prose reports a line of words: no list marker, table cells or prompt (a shell's "$ " or
// root's and comments' "# ": extracted text writes headings without one), and hardly any
// characters other than letters, spaces and sentence punctuation (code has brackets,
// operators and paths).
func Prose(line string) bool {
	if strings.Contains(line, " | ") || strings.HasPrefix(line, "$ ") || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "- ") ||
		strings.HasPrefix(line, "* ") || strings.HasPrefix(line, "• ") {
		return false
	}
	if word, _, _ := strings.Cut(line, " "); listNumber(word) {
		return false
	}
	other, all := 0, 0
	for _, r := range line {
		all++
		if !unicode.IsLetter(r) && !unicode.IsSpace(r) && !strings.ContainsRune(`.,;:'"’”“‘-()?!_`, r) {
			other++
		}
	}
	return other*20 <= all // at most 5 %
}
