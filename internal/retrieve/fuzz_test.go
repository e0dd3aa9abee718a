package retrieve

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzQueryText checks the query clean-up and tsquery quoting on arbitrary text: valid UTF-8
// within the length bound, and every lexeme quoted so no character becomes an operator.
func FuzzQueryText(f *testing.F) {
	f.Add("a & | !b:* 'x' \\ (")
	f.Add(strings.Repeat("é", 3000))
	f.Fuzz(func(t *testing.T, q string) {
		text := truncate(strings.ToValidUTF8(strings.ReplaceAll(q, "\x00", ""), ""), maxQueryBytes)
		if !utf8.ValidString(text) || len(text) > maxQueryBytes {
			t.Fatalf("cleaned query invalid or too long: %d bytes", len(text))
		}
		lit := tsqueryLiteral(q)
		if !strings.HasPrefix(lit, "'") || !strings.HasSuffix(lit, "'") {
			t.Fatalf("unquoted literal %q", lit)
		}
		inner := strings.ReplaceAll(strings.ReplaceAll(lit[1:len(lit)-1], "''", ""), `\\`, "")
		if strings.Contains(inner, "'") {
			t.Fatalf("a quote escapes the literal: %q", lit)
		}
	})
}
