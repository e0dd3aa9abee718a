package source

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EscapePath returns the form in which a file's path is stored, shown and matched by rules.
// File systems allow names that are not valid UTF-8, which PostgreSQL refuses in text: each
// byte of an invalid sequence is written %XX (upper-case hex), and '%' itself %25 so that the
// escaping can be undone. A NUL, which PostgreSQL refuses too, is written %00: no file name on
// disk has one, but an e-mail attachment's name, chosen by its sender, may (it stopped the
// whole run). Everything else, other control characters included, is kept as is. UnescapePath
// reverses it.
func EscapePath(p string) string {
	if utf8.ValidString(p) && !strings.ContainsFunc(p, escaped) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == utf8.RuneError && size == 1, escaped(r):
			fmt.Fprintf(&b, "%%%02X", p[i])
		default:
			b.WriteString(p[i : i+size])
		}
		i += size
	}
	return b.String()
}

// escaped reports the valid characters EscapePath writes %XX.
func escaped(r rune) bool { return r == '%' || r == 0 }

// UnescapePath returns the file system's path of a stored one (see EscapePath).
func UnescapePath(p string) (string, error) {
	if !strings.Contains(p, "%") {
		return p, nil
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			b.WriteByte(p[i])
			continue
		}
		if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
			return "", fmt.Errorf("stored path %q: '%%' not followed by two hex digits", p)
		}
		b.WriteByte(unhex(p[i+1])<<4 | unhex(p[i+2]))
		i += 2
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
