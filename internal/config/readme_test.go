package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/config"
)

// The README's configuration table is generated from Settings; this catches a setting added
// without regenerating it.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings() {
		if !strings.Contains(string(readme), "| `"+s.Env+"` |") {
			t.Errorf("README's configuration table lacks %s: run go run ./internal/config/configdoc -w README.md", s.Env)
		}
	}
}
