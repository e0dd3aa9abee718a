// Command configdoc prints the README's configuration table from internal/config, so the
// documentation cannot drift from the code. Run it with `go run ./internal/config/configdoc`.
package main

import (
	"fmt"
	"strings"

	"github.com/docent-search/docent/internal/config"
)

func main() {
	fmt.Println("| Environment variable | Flag | Default | What it does |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, s := range config.Settings() {
		flag, def := "—", "—"
		if s.Flag != "" {
			flag = "`--" + s.Flag + "`"
		}
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		fmt.Printf("| `%s` | %s | %s | %s |\n", s.Env, flag, def, strings.ReplaceAll(s.Help, "|", "\\|"))
	}
}
