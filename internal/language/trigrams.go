package language

import (
	"cmp"
	"slices"
	"unicode"
	"unicode/utf8"
	_ "unsafe" // go:linkname, for whatlanggo's profiles

	"github.com/abadojack/whatlanggo"
)

// whatlanggo's trigram profiles (each language's 300 most frequent trigrams, most frequent
// first), by script. They are unexported; reading them lets trigramScorer give whatlanggo's
// answer at a fraction of its cost. A whatlanggo release that renames them fails the build.
var (
	//go:linkname latinLangs github.com/abadojack/whatlanggo.latinLangs
	latinLangs map[whatlanggo.Lang][]string
	//go:linkname cyrillicLangs github.com/abadojack/whatlanggo.cyrillicLangs
	cyrillicLangs map[whatlanggo.Lang][]string
	//go:linkname arabicLangs github.com/abadojack/whatlanggo.arabicLangs
	arabicLangs map[whatlanggo.Lang][]string
	//go:linkname devanagariLangs github.com/abadojack/whatlanggo.devanagariLangs
	devanagariLangs map[whatlanggo.Lang][]string
	//go:linkname hebrewLangs github.com/abadojack/whatlanggo.hebrewLangs
	hebrewLangs map[whatlanggo.Lang][]string
	//go:linkname ethiopicLangs github.com/abadojack/whatlanggo.ethiopicLangs
	ethiopicLangs map[whatlanggo.Lang][]string
)

// whatlanggo's constants: the distance of a profile trigram missing from the text, and the
// largest total distance (300 trigrams, each missing).
const (
	maxTrigramDistance = 300
	maxTotalDistance   = 90000
)

// trigram packs three characters into one number (21 bits each), whose order is the order of
// the characters' code points and so of their UTF-8 text.
type trigram uint64

func pack(r1, r2, r3 rune) trigram { return trigram(r1)<<42 | trigram(r2)<<21 | trigram(r3) }

// trigramScorer computes whatlanggo.DetectWithOptions's language and confidence for text of
// one script whose languages it tells apart by trigram profiles. whatlanggo ranks the text's
// trigrams, then for each language looks up each of its 300 profile trigrams in a map of the
// text's (a 600-byte piece of Latin text costs 30 languages × 300 lookups), sorting with
// reflection and allocating a string per trigram: language detection was half the indexer's
// CPU time (17 of 33 s on 10,000 Markdown files). The scorer holds the profiles inverted, so
// a piece costs one lookup per distinct trigram of its own, and the totals come out the same.
type trigramScorer struct {
	langs []whatlanggo.Lang
	// base is each language's distance when none of its trigrams occurs in the text.
	base []int
	// postings lists, for each profile trigram, the languages that have it and its rank there.
	postings map[trigram][]posting
}

type posting struct{ lang, rank int32 }

// newTrigramScorers returns a scorer per script with profiles, for the languages of whitelist
// (all of the script's when whitelist is empty, as whatlanggo does).
func newTrigramScorers(whitelist map[whatlanggo.Lang]bool) map[*unicode.RangeTable]*trigramScorer {
	out := map[*unicode.RangeTable]*trigramScorer{}
	for script, profiles := range map[*unicode.RangeTable]map[whatlanggo.Lang][]string{
		unicode.Latin: latinLangs, unicode.Cyrillic: cyrillicLangs, unicode.Arabic: arabicLangs,
		unicode.Devanagari: devanagariLangs, unicode.Hebrew: hebrewLangs, unicode.Ethiopic: ethiopicLangs,
	} {
		s := &trigramScorer{postings: map[trigram][]posting{}}
		for lang, profile := range profiles {
			if len(whitelist) > 0 && !whitelist[lang] {
				continue
			}
			l := int32(len(s.langs))
			s.langs = append(s.langs, lang)
			s.base = append(s.base, maxTrigramDistance*len(profile))
			for rank, t := range profile {
				rs := []rune(t) // three characters (checked by the tests)
				g := pack(rs[0], rs[1], rs[2])
				s.postings[g] = append(s.postings[g], posting{l, int32(rank)})
			}
		}
		out[script] = s
	}
	return out
}

// detect returns whatlanggo's language and confidence for text of the scorer's script.
func (s *trigramScorer) detect(text string) (whatlanggo.Lang, float64) {
	switch len(s.langs) {
	case 0:
		return -1, 0
	case 1:
		return s.langs[0], 1
	}
	ranked := rankTrigrams(text)
	dist := s.distances(ranked)
	// The two smallest distances; whatlanggo breaks ties at random, but a tie gives
	// confidence 0 whichever language it names.
	first, second := -1, -1
	for i, d := range dist {
		switch {
		case first < 0 || d < dist[first]:
			first, second = i, first
		case second < 0 || d < dist[second]:
			second = i
		}
	}
	score1, score2 := maxTotalDistance-dist[first], maxTotalDistance-dist[second]
	switch {
	case score1 == 0:
		return -1, 0
	case score2 == 0:
		return s.langs[first], min(float64(score1/500), 1) // whatlanggo divides as integers
	}
	rate := float64(score1-score2) / float64(score2)
	confident := 12.0/float64(len(ranked)) + 0.05
	if rate > confident {
		return s.langs[first], 1
	}
	return s.langs[first], rate / confident
}

// distances returns each language's whatlanggo distance from the ranked trigrams of a text.
func (s *trigramScorer) distances(ranked []trigramCount) []int {
	dist := slices.Clone(s.base)
	for rank, t := range ranked {
		for _, p := range s.postings[t.trigram] {
			d := rank - int(p.rank)
			if d < 0 {
				d = -d
			}
			dist[p.lang] += d - maxTrigramDistance
		}
	}
	return dist
}

type trigramCount struct {
	trigram
	count int
}

// rankTrigrams returns text's trigrams as whatlanggo ranks them: lower-cased, with punctuation,
// symbols, digits and white space as a space, trigrams made only of spaces around one letter
// left out, most frequent first, ties in reverse order of their text.
func rankTrigrams(text string) []trigramCount {
	counts := map[trigram]int{}
	r1, r2 := ' ', rune(-1)
	step := func(r3 rune) {
		if r2 < 0 {
			r2 = r3
			return
		}
		if r2 != ' ' || r1 != ' ' && r3 != ' ' {
			counts[pack(r1, r2, r3)]++
		}
		r1, r2 = r2, r3
	}
	for _, r := range text {
		if unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r) {
			r = ' '
		}
		step(unicode.ToLower(r))
	}
	step(' ')
	ranked := make([]trigramCount, 0, len(counts))
	for t, n := range counts {
		ranked = append(ranked, trigramCount{t, n})
	}
	slices.SortFunc(ranked, func(a, b trigramCount) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(b.trigram, a.trigram)
	})
	return ranked
}

// script returns whatlanggo.DetectScript(text), deciding text whose letters are all Latin
// without it: whatlanggo tries up to 23 script tables on each character (2 of the indexer's
// 27 CPU seconds on 10,000 Markdown files, after trigramScorer).
func script(text string) *unicode.RangeTable {
	latin := 0
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			// ASCII letters are Latin; any other ASCII character is skipped or in no script.
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				latin++
			}
		case unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r):
		case unicode.Is(unicode.Latin, r):
			latin++
		default:
			return whatlanggo.DetectScript(text) // possibly another script: count them all
		}
	}
	if latin == 0 {
		return nil
	}
	return unicode.Latin
}
