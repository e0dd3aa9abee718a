package textseg

import (
	"maps"
	"slices"
	"testing"
)

func TestCJKBigrams(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain English stays as it is.", "plain English stays as it is."},
		{"東京都庁", " 東京 京都 都庁 "},
		{"设置VPN的方法。", " 设置 VPN 的方 方法 。"},
		{"a 字 b", "a  字  b"},
		{"설정하는 방법", " 설정 정하 하는   방법 "},
		{"カタカナ", " カタ タカ カナ "},
	} {
		if got := CJKBigrams(tc.in); got != tc.want {
			t.Errorf("CJKBigrams(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Reset my VPN password", []string{"reset", "my", "vpn", "password"}},
		{"VPN设置方法", []string{"vpn", "设置", "置方", "方法"}},
		{"用 base64 编码", []string{"用", "base64", "编码"}},
		{"don't 東京", []string{"dont", "東京"}},
		{"qu'il l'ait", []string{"qu", "il", "l", "ait"}},
		{"droits d'accès, l’empreinte", []string{"droits", "d", "accès", "l", "empreinte"}},
	} {
		if got := SearchWords(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("SearchWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestElided(t *testing.T) {
	t.Parallel()
	got := Elided("droits d'accès d’un fichier, l'empreinte SHA256; rock'n'roll; aren't; plain words")
	want := map[string][]string{"daccès": {"d", "accès"}, "dun": {"d", "un"}, "lempreinte": {"l", "empreinte"}, "rocknroll": {"rockn", "roll"}}
	if len(got) != len(want) {
		t.Errorf("Elided = %q, want %q", got, want)
	}
	for w, parts := range want {
		if !slices.Equal(got[w], parts) {
			t.Errorf("Elided[%q] = %q, want %q", w, got[w], parts)
		}
	}
}

func TestElisions(t *testing.T) {
	t.Parallel()
	got := Elisions("L'option -l d’un programme en C qu'il compile; aren't; rock'n'roll")
	want := map[string]bool{"l": true, "d": true, "qu": true, "n": true}
	if !maps.Equal(got, want) {
		t.Errorf("Elisions = %v, want %v (the option's l and the language's C stand alone)", got, want)
	}
}

// Elided's parts are words SearchWords looks up, also where the word runs on into Hangul, which
// Words joins to the letters before it and SearchWords cuts into bigrams.
func TestElidedPartsAreSearchWords(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"l'한국어 사전", "qu'il d'東京", "l'accès"} {
		words := SearchWords(text)
		for joined, parts := range Elided(text) {
			for _, p := range parts {
				if !slices.Contains(words, p) {
					t.Errorf("Elided(%q)[%q] = %q: %q is not among SearchWords %q", text, joined, parts, p, words)
				}
			}
		}
	}
	if got := Elided("l'한국어")["l한국어"]; !slices.Equal(got, []string{"l", "한국", "국어"}) {
		t.Errorf("Elided(l'한국어) = %q, want l, 한국, 국어", got)
	}
}
