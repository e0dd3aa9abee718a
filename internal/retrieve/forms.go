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
func otherNumber(w string) []string {
	if utf8.RuneCountInString(w) < 4 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
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
