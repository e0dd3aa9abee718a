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
// "VPN设置方法" asks for "vpn", "设置", "置方" and "方法".
func SearchWords(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexFunc(text, IsCJK)
		if i < 0 {
			i = len(text)
		}
		out = append(out, Words(text[:i])...)
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
