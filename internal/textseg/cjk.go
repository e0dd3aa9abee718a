package textseg

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsCJK reports a character of Chinese, Japanese or Korean script: text PostgreSQL's parser
// cannot cut into words, since these languages write no spaces between them (Korean spaces
// between phrases, with particles attached).
func IsCJK(r rune) bool {
	return isHan(r) || unicode.Is(unicode.Hangul, r)
}

// CJKBigrams returns text with every run of CJK characters replaced by its overlapping
// character bigrams, space-separated ("東京都庁" → " 東京 京都 都庁 "; a lone character stays
// itself), and all other text unchanged: what the lexical index parses, so that any two
// adjacent characters of a question meet the same two characters of a passage without a
// dictionary. Text without CJK is returned as is.
func CJKBigrams(text string) string {
	first := strings.IndexFunc(text, IsCJK)
	if first < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) * 2)
	b.WriteString(text[:first])
	rest := text[first:]
	for rest != "" {
		end := strings.IndexFunc(rest, func(r rune) bool { return !IsCJK(r) })
		if end < 0 {
			end = len(rest)
		}
		if end == 0 {
			next := strings.IndexFunc(rest, IsCJK)
			if next < 0 {
				next = len(rest)
			}
			b.WriteString(rest[:next])
			rest = rest[next:]
			continue
		}
		b.WriteByte(' ')
		for i, g := range bigrams(rest[:end]) {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(g)
		}
		b.WriteByte(' ')
		rest = rest[end:]
	}
	return b.String()
}

// bigrams returns the overlapping pairs of characters of a CJK run, or the run itself when it
// is one character.
func bigrams(run string) []string {
	if utf8.RuneCountInString(run) < 2 {
		return []string{run}
	}
	var out []string
	prev := 0
	_, size := utf8.DecodeRuneInString(run)
	for i := size; i < len(run); {
		_, n := utf8.DecodeRuneInString(run[i:])
		out = append(out, run[prev:i+n])
		prev, i = i, i+n
	}
	return out
}

// SearchWords splits a question into the words the lexical search looks up: Words for text in
// spaced scripts, and for a run of CJK characters its bigrams, as CJKBigrams indexes them, so
// "VPN设置方法" asks for "vpn", "设置", "置方" and "方法". Unlike Words it cuts at apostrophes,
// as PostgreSQL's parser cuts the indexed text: "d'accès" asks for "d" and "accès", which the
// index holds, not for "daccès", which it never does (French elision: l', d', qu', s').
func SearchWords(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexFunc(text, IsCJK)
		if i < 0 {
			i = len(text)
		}
		out = append(out, Words(strings.Map(apostropheToSpace, text[:i]))...)
		text = text[i:]
		end := strings.IndexFunc(text, func(r rune) bool { return !IsCJK(r) })
		if end < 0 {
			end = len(text)
		}
		if end > 0 {
			out = append(out, bigrams(text[:end])...)
		}
		text = text[end:]
	}
	return out
}

func apostropheToSpace(r rune) rune {
	if r == '\'' || r == '’' {
		return ' '
	}
	return r
}

// Elided maps each word Words joins across an apostrophe to the words SearchWords cuts it into
// ("d'accès": "daccès" → "d", "accès"), so that a weight looked up by the search's words can
// be given to the word the embedder reads.
func Elided(text string) map[string][]string {
	out := map[string][]string{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	}) {
		if !strings.ContainsAny(f, "'’") {
			continue
		}
		joined, parts := Words(f), Words(strings.Map(apostropheToSpace, f))
		if len(joined) == 1 && len(parts) > 1 {
			out[joined[0]] = parts
		}
	}
	return out
}
