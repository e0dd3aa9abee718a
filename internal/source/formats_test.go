package source

import "testing"

// TestSkipReason: a file of a type no parser reads is skipped naming its type, and for the
// types an old share holds most, saying what to do; a hostile extension is quoted.
func TestSkipReason(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"drawing.VSD":     `unsupported file type ".vsd" (Visio drawing: export it as PDF)`,
		"notes/team.one":  `unsupported file type ".one" (OneNote section: export it as PDF or .docx)`,
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

// TestOutlookMessagesAreMail: an Outlook message is of the e-mail type, whatever the case of
// its extension, so the type filter's "eml" finds it and an attachment inside it is taken out
// as from an .eml (ingest.MailAttachment).
func TestOutlookMessagesAreMail(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"inbox/offer.msg", "OFFER.MSG", "inbox/offer.eml"} {
		if got := Supported(name); got != "eml" {
			t.Errorf("Supported(%q) = %q, want eml", name, got)
		}
	}
}
