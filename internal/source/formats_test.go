package source

import "testing"

// TestSkipReason: a file of a type no parser reads is skipped naming its type, and for the
// types an old share holds most, saying what to do; a hostile extension is quoted.
func TestSkipReason(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"drawing.VSD":     `unsupported file type ".vsd" (Visio drawing: export it as PDF)`,
		"mail/offer.msg":  `unsupported file type ".msg" (Outlook message: save it as .eml)`,
		"tool.exe":        `unsupported file type ".exe"`,
		"Makefile":        `unsupported file type (no extension)`,
		"x.\x1b[31mred":   `unsupported file type ".\x1b[31mred"`,
		"notes.\u202etxt": `unsupported file type ".\u202etxt"`,
	} {
		if got := SkipReason(name); got != want {
			t.Errorf("SkipReason(%q) = %q, want %q", name, got, want)
		}
	}
}
