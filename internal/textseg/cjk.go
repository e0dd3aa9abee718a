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
// "VPN设置方法" asks for "vpn", "设置", "置方" and "方法". Unlike Words it cuts an elision
// (see cutElisions) as PostgreSQL's parser cuts the indexed text: "d'accès" asks for "d" and
// "accès", which the index holds, not for "daccès", which it never does.
func SearchWords(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexFunc(text, IsCJK)
		if i < 0 {
			i = len(text)
		}
		out = append(out, Words(cutElisions(text[:i]))...)
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

// cutElisions puts a space for each apostrophe that ends an elided word of one or two
// letters before a word: French, Italian and Catalan l', d', j', n', s', qu', un'
// ("l'empreinte", "qu'il"; English "I'm" too). PostgreSQL's parser cuts at every apostrophe,
// but English contractions after a longer word ("aren't", "else's") stay joined as Words
// joins them: cut, "aren't" asked for "aren", a lexeme rare enough in an English index to lift
// any passage that happens to say "aren't" (git-doc lexical nDCG@10 0.492 → 0.487), while
// joined the question loses nothing the index holds apart ("arent" matches nothing either way).
func cutElisions(s string) string {
	if !strings.ContainsAny(s, "'’") {
		return s
	}
	rs := []rune(s)
	for _, c := range elisionCuts(rs) {
		rs[c.at] = ' '
	}
	return string(rs)
}

// elision is an apostrophe cutElisions cuts at, and where the elided word before it starts.
type elision struct{ from, at int }

func elisionCuts(rs []rune) []elision {
	var out []elision
	for i, r := range rs {
		if r != '\'' && r != '’' || i+1 >= len(rs) || !unicode.IsLetter(rs[i+1]) {
			continue
		}
		n := 0
		for j := i - 1; j >= 0 && unicode.IsLetter(rs[j]); j-- {
			n++
		}
		if n >= 1 && n <= 2 {
			out = append(out, elision{i - n, i})
		}
	}
	return out
}

// Elisions returns the elided words SearchWords cuts from text, lower-cased: "l" and "qu" of
// "l'option qu'il donne". The same letters standing alone ("un programme en C", "ls -l") are
// words of their own.
func Elisions(text string) map[string]bool {
	out := map[string]bool{}
	rs := []rune(text)
	for _, c := range elisionCuts(rs) {
		out[strings.ToLower(string(rs[c.from:c.at]))] = true
	}
	return out
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
		joined, parts := Words(f), SearchWords(f)
		if len(joined) == 1 && len(parts) > 1 {
			out[joined[0]] = parts
		}
	}
	return out
}
