package language

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// TestTrigramScorerAgreesWithWhatlanggo checks the inverted profiles and the script shortcut
// against whatlanggo itself
// on text made of the profiles' own trigrams (languages mixed, so that scores come close),
// with case, digits and punctuation, for several sets of allowed languages.
func TestTrigramScorerAgreesWithWhatlanggo(t *testing.T) {
	t.Parallel()
	for _, profiles := range []map[whatlanggo.Lang][]string{latinLangs, cyrillicLangs, arabicLangs, devanagariLangs, hebrewLangs, ethiopicLangs} {
		if len(profiles) == 0 {
			t.Fatal("a whatlanggo profile list is empty: the linkname no longer reaches it")
		}
		for lang, p := range profiles {
			for _, g := range p {
				if utf8.RuneCountInString(g) != 3 {
					t.Fatalf("%s profile entry %q is not three characters", lang, g)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	var langs []whatlanggo.Lang
	for l := range latinLangs {
		langs = append(langs, l)
	}
	for l := range cyrillicLangs {
		langs = append(langs, l)
	}
	texts := []string{"", "   ", "a", "Ab", "x y z", "2024-01-01: v1.2.3!",
		"Expense reports are due by the fifth working day of the following month.",
		"Reisekostenabrechnungen müssen bis zum fünften Arbeitstag eingereicht werden.",
		"Les notes de frais doivent être remises avant le cinquième jour ouvré.",
		"报销单须在次月第五个工作日之前提交。", "Отчёты о расходах сдаются до пятого рабочего дня."}
	for range 400 {
		var b strings.Builder
		for k := range 1 + r.IntN(3) {
			lang := langs[r.IntN(len(langs))]
			profile := latinLangs[lang]
			if profile == nil {
				profile = cyrillicLangs[lang]
			}
			for range 1 + r.IntN(60) {
				g := profile[r.IntN(min(len(profile), 40+k*100))]
				switch r.IntN(8) {
				case 0:
					g = strings.ToUpper(g)
				case 1:
					g += ", 42"
				}
				b.WriteString(g)
			}
		}
		texts = append(texts, b.String())
	}
	texts = append(texts, "Ærøskøbing, café 42 — ½ € ©", "Straße ΑΒΓ", "\x01\x02 x", "ŋ")
	for _, text := range texts {
		if got, want := script(text), whatlanggo.DetectScript(text); got != want {
			t.Fatalf("script(%q) = %v, whatlanggo %v", text, got, want)
		}
	}
	for _, codes := range [][]string{Codes(allConfigs()), {"en", "fr"}, {"de"}, {"eu"}, {"ru", "sr", "en"}} {
		d := NewDetector(codes)
		for _, text := range texts {
			lang, conf := d.detect(text)
			want := whatlanggo.DetectWithOptions(text, d.options)
			if conf != want.Confidence || conf > 0 && lang != want.Lang {
				t.Fatalf("languages %v, text %q: got %s %v, whatlanggo %s %v", codes, text, lang, conf, want.Lang, want.Confidence)
			}
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	text := strings.Repeat("Expense reports are due by the fifth working day of the following month, with every receipt attached. ", 20)
	d := NewDetector(Codes(allConfigs()))
	for b.Loop() {
		d.Detect([]string{text})
	}
}
