package textseg

import "strings"

// Invisible reports whether r is a character that shows nothing: zero-width spaces and joiners,
// bidirectional controls, the byte-order mark and the soft hyphen. Pasted text carries them
// (a soft hyphen from a web page splits "vaca­tion" in two words for every parser), and
// documents are indexed without them, so questions are read without them too.
func Invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x2069, r == 0xFEFF, r == 0x00AD:
		return true
	}
	return false
}

// DropInvisible returns s without its Invisible characters.
func DropInvisible(s string) string {
	if strings.IndexFunc(s, Invisible) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if Invisible(r) {
			return -1
		}
		return r
	}, s)
}
