package answer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/retrieve"
)

// filler makes a passage too long to be quoted whole.
const filler = "Offices open at eight. The canteen serves lunch from noon. Parking is free for staff. " +
	"Printers are on every floor. Plants are watered on Mondays. The library lends books for a month. " +
	"Bicycles go in the courtyard. Umbrellas are at the reception desk. "

func TestExtractiveReadsAsText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, question, passage string
		want                    []string // substrings, in this order
		not                     []string
	}{
		{
			name:     "the sentence before an anaphor comes with it",
			question: "are airport trips by taxi reimbursed",
			passage:  filler + "Taxis are booked through TravelDesk.\nThis applies to airport trips, which are reimbursed in full.\n" + filler,
			want:     []string{"Taxis are booked through TravelDesk.", "This applies to airport trips, which are reimbursed in full.", "[1]"},
		},
		{
			name:     "a list is quoted as a list with its introduction",
			question: "how do I request billing database access",
			passage:  filler + "\n\nTo request billing database access:\n- Open the access portal.\n- Pick the billing database.\n- Wait for your manager's approval.\n\n" + filler,
			want:     []string{"To request billing database access:\n- Open the access portal.\n- Pick the billing database.\n- Wait for your manager's approval.\n[1]"},
		},
		{
			name:     "a short passage that answers is quoted whole",
			question: "when is the fridge emptied",
			passage:  "Label your food.\nThe fridge is emptied every Friday at 16:00.",
			want:     []string{"Label your food.\nThe fridge is emptied every Friday at 16:00.\n[1]"},
		},
		{
			name:     "abbreviations do not cut a sentence",
			question: "which forms are accepted for travel claims",
			passage:  filler + "Travel claims accept forms, e.g. Form 7 or Form 9, within 30 days. " + filler,
			want:     []string{"Travel claims accept forms, e.g. Form 7 or Form 9, within 30 days. [1]"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := answer.Extractive{}.Answer(context.Background(), tc.question, []retrieve.Result{{Text: tc.passage}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			at := 0
			for _, w := range tc.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("answer lacks %q (in order):\n%s", w, got)
				}
				at += i + len(w)
			}
		})
	}
}
