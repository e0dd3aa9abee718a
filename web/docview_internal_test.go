package web

import (
	"strings"
	"testing"
)

func TestDocBlocks(t *testing.T) {
	t.Parallel()
	body := "Travel\n\nIntro line.\n\nTaxis\n\n- one\n- two\n\n1. first\n2. second\n\nCity | Limit\nCity: Paris; Limit: 60 EUR\nCity: Oslo; Limit: 80 EUR\n\nA | B looks like a table but is prose."
	headings := map[int]int{0: 1, strings.Index(body, "Taxis"): 2}
	start := strings.Index(body, "two")
	end := strings.Index(body, "Oslo")
	blocks := docBlocks(body, headings, start, end)
	var kinds []string
	for _, b := range blocks {
		kinds = append(kinds, b.Kind)
	}
	if got := strings.Join(kinds, " "); got != "h p h ul ol table p" {
		t.Fatalf("blocks %q", got)
	}
	if blocks[0].Level != 2 || blocks[2].Level != 3 {
		t.Errorf("heading levels %d, %d; want 2 and 3", blocks[0].Level, blocks[2].Level)
	}
	if len(blocks[3].Items) != 2 || blocks[3].Items[0][0].Text != "one" {
		t.Errorf("list items %+v", blocks[3].Items)
	}
	table := blocks[5]
	if strings.Join(table.Head, ",") != "City,Limit" || len(table.Rows) != 2 || table.Rows[1][1][0].Text != "80 EUR" {
		t.Errorf("table %+v", table)
	}
	// The passage runs from "two" into the table's second row: marked wherever it falls, the
	// first run the scroll target.
	if s := blocks[3].Items[1]; len(s) != 1 || !s[0].Mark || !s[0].First || s[0].Text != "two" {
		t.Errorf("first marked run %+v", s)
	}
	if s := blocks[4].Items[0]; len(s) != 1 || !s[0].Mark || s[0].First {
		t.Errorf("ordered item inside the passage %+v", s)
	}
	if s := table.Rows[1][0]; len(s) != 1 || s[0].Mark {
		t.Errorf("text after the passage is marked: %+v", s)
	}
	if s := blocks[1].Items[0]; len(s) != 1 || s[0].Mark {
		t.Errorf("text before the passage is marked: %+v", s)
	}
}
