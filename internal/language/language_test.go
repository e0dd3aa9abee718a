package language_test

import (
	"slices"
	"testing"

	"github.com/docent-search/docent/internal/language"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	en := "Expense reports are due by the fifth working day of the following month, with every receipt attached and the project code filled in."
	de := "Reisekostenabrechnungen müssen bis zum fünften Arbeitstag des Folgemonats eingereicht werden, mit allen Belegen und der Projektnummer."
	fr := "Les notes de frais doivent être remises avant le cinquième jour ouvré du mois suivant, avec tous les justificatifs et le code du projet."
	zh := "报销单须在次月第五个工作日之前提交，并附上所有收据和项目编号。"
	d := language.NewDetector([]string{"de", "en", "fr", "zh"})

	t.Run("EachSectionOfAMixedDocumentGetsItsLanguage", func(t *testing.T) {
		t.Parallel()
		got := d.Detect([]string{en, de, fr, zh})
		if want := []string{"en", "de", "fr", "zh"}; !slices.Equal(got, want) {
			t.Fatalf("Detect = %q, want %q", got, want)
		}
	})
	t.Run("AShortSectionTakesItsDocumentsLanguage", func(t *testing.T) {
		t.Parallel()
		got := d.Detect([]string{de, "Siehe auch: Reisen", de})
		if want := []string{"de", "de", "de"}; !slices.Equal(got, want) {
			t.Fatalf("Detect = %q, want %q", got, want)
		}
	})
	t.Run("ADocumentOfOnlyShortTextIsLeftUndetected", func(t *testing.T) {
		t.Parallel()
		got := d.Detect([]string{"Copy a repository into a new folder.", "git clone"})
		if want := []string{"", ""}; !slices.Equal(got, want) {
			t.Fatalf("Detect = %q, want %q", got, want)
		}
	})
	t.Run("OnlyTheConfiguredLanguages", func(t *testing.T) {
		t.Parallel()
		got := language.NewDetector([]string{"en", "fr"}).Detect([]string{de, fr})
		if got[0] == "de" || got[1] != "fr" {
			t.Fatalf("Detect restricted to en,fr = %q", got)
		}
		if got := language.NewDetector(nil).Detect([]string{de}); got[0] != "" {
			t.Fatalf("detection off: %q, want none", got)
		}
	})
}

func TestResolve(t *testing.T) {
	t.Parallel()
	available := []string{"simple", "english", "german", "french"}
	if got, _ := language.Resolve("", available); !slices.Equal(got, []string{"de", "en", "fr", "ja", "ko", "zh"}) {
		t.Errorf("default = %q, want the languages of the available configurations", got)
	}
	if got, _ := language.Resolve("off", available); got != nil {
		t.Errorf("off = %q, want none", got)
	}
	if _, err := language.Resolve("de,xx", available); err == nil {
		t.Error("an unknown code was accepted")
	}
	if _, err := language.Resolve("es", available); err == nil {
		t.Error("a language whose configuration the server lacks was accepted")
	}
}

func TestWeights(t *testing.T) {
	t.Parallel()
	codes := []string{"de", "en", "fr"}
	en := language.Weights("who last changed each line of a file", codes)
	if en["en"] != 1 || en["fr"] >= 0.5 || en["de"] >= 0.5 {
		t.Errorf("an English question weighs %v, want en 1 and the others below 0.5", en)
	}
	fr := language.Weights("espace disque disponible sur les partitions", codes)
	if fr["fr"] != 1 || fr["en"] >= 0.5 || fr["de"] >= 0.5 {
		t.Errorf("a French question weighs %v, want fr 1 and the others below 0.5", fr)
	}
	// No trigram profiles tell Han text apart among these: every language keeps its weight.
	if zh := language.Weights("修改用户密码", codes); zh["en"] != 1 || zh["fr"] != 1 || zh["de"] != 1 {
		t.Errorf("a Chinese question weighs %v, want 1 for every language", zh)
	}
	if one := language.Weights("espace disque", []string{"en"}); one["en"] != 1 {
		t.Errorf("with one language %v, want 1", one)
	}
}
