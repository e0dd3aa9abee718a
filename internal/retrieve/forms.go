package retrieve

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// otherNumber returns the written forms of a French word in the other grammatical number:
// "droits" gives "droit", "ligne" "lignes", "morceaux" "morceau", "noyau" "noyaux", "journaux"
// "journau" and "journal" (most French plurals add an s or an x, -al makes -aux). A word of
// fewer than four letters, one not all letters, or one ending in "ss" has none ("des" is no
// plural of "de"). A candidate that is no French word is harmless: it is only compared with
// the word's stem.
//
// Nouns the same in both numbers whose final s is their own ("fils", son or sons, is no plural
// of "fil", thread; "temps", "cours", "fonds") have none either: Snowball stems them as if it
// were a plural mark, and their own form carries the meaning the stem loses.
func otherNumber(w string) []string {
	if utf8.RuneCountInString(w) < 4 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 || invariable[w] {
		return nil
	}
	switch {
	case strings.HasSuffix(w, "ss"):
		return nil
	case strings.HasSuffix(w, "aux"):
		return []string{w[:len(w)-1], w[:len(w)-3] + "al"}
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "eux"):
		return []string{w[:len(w)-1]}
	case strings.HasSuffix(w, "au"), strings.HasSuffix(w, "eu"):
		return []string{w + "x"}
	case strings.HasSuffix(w, "al"):
		return []string{w + "s", w[:len(w)-2] + "aux"}
	}
	return []string{w + "s"}
}

// invariable lists common French nouns in both numbers that French Snowball stems without their
// final s (see otherNumber); those it stems otherwise ("mois", "accès" → `acces`) never meet the
// rule.
var invariable = map[string]bool{
	"fils": true, "cours": true, "temps": true, "corps": true, "pays": true, "poids": true,
	"fonds": true, "recours": true, "discours": true, "parcours": true, "concours": true,
	"secours": true, "puits": true, "rebours": true, "remords": true,
}
