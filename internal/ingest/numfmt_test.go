package ingest

import (
	"math"
	"testing"
)

// TestParseNumFormat: format codes as Excel and LibreOffice write them, the letters that are no
// date (quoted, escaped, in a locale or colour bracket, an exponent) among them.
func TestParseNumFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		want numFormat
	}{
		{"yyyy-mm-dd", numFormat{kind: numDate}},
		{"m/d/yyyy", numFormat{kind: numDate}},
		{"DD.MM.YYYY", numFormat{kind: numDate}},
		{`[$-409]mmmm d, yyyy`, numFormat{kind: numDate}},
		{`[$-F800]dddd\,\ mmmm\ dd\,\ yyyy`, numFormat{kind: numDate}},
		{`"Day "d`, numFormat{kind: numDate}},
		{`yyyy"年"m"月"d"日"`, numFormat{kind: numDate}},
		{"mmm-yy", numFormat{kind: numDate}},
		{"yyyy-mm-dd hh:mm", numFormat{kind: numDateTime}},
		{"m/d/yy h:mm AM/PM", numFormat{kind: numDateTime}},
		{"yyyy-mm-ddThh:mm:ss", numFormat{kind: numDateTime, seconds: true}},
		{"h:mm", numFormat{kind: numTime}},
		{"h:mm AM/PM", numFormat{kind: numTime}},
		{"hh:mm:ss", numFormat{kind: numTime, seconds: true}},
		{"mm:ss", numFormat{kind: numTime, seconds: true}}, // minutes: before an s
		{"mm:ss.0", numFormat{kind: numTime, seconds: true}},
		{`h"h"mm`, numFormat{kind: numTime}}, // minutes: after an h, across quoted text
		{"[h]:mm:ss", numFormat{kind: numDuration, seconds: true, unit: 'h'}},
		{"[h]:mm", numFormat{kind: numDuration, unit: 'h'}},
		{"[mm]:ss", numFormat{kind: numDuration, seconds: true, unit: 'm'}},
		{"[ss]", numFormat{kind: numDuration, seconds: true, unit: 's'}},
		{"[Red][h]:mm", numFormat{kind: numDuration, unit: 'h'}},
		{"yyyy-mm-dd;@", numFormat{kind: numDate}},
		// No dates.
		{`\d`, numFormat{}},
		{`"days"0`, numFormat{}},
		{"0.00%", numFormat{}},
		{"#,##0", numFormat{}},
		{"@", numFormat{}},
		{"General", numFormat{}},
		{"[Red]0.00", numFormat{}},
		{"0.00E+00", numFormat{}},
		{`[$€-407] #,##0.00`, numFormat{}},
		{`[$$-409]#,##0.00;[Red]-[$$-409]#,##0.00`, numFormat{}},
		{`#,##0 "hrs"`, numFormat{}},
		{`0_s;*s0`, numFormat{}}, // padding and fill characters
		{`0;"m"`, numFormat{}},   // the second section is not read
		{"[h", numFormat{}},
		{"", numFormat{}},
	} {
		if got := parseNumFormat(tc.code); got != tc.want {
			t.Errorf("parseNumFormat(%q) = %+v, want %+v", tc.code, got, tc.want)
		}
	}
}

// TestBuiltinNumFormat: the built-in ids that are dates and times, those of the Chinese,
// Japanese and Korean editions included, and some that are not.
func TestBuiltinNumFormat(t *testing.T) {
	t.Parallel()
	for id, want := range map[int]numKind{
		0: numPlain, 1: numPlain, 9: numPlain, 10: numPlain, 13: numPlain, 37: numPlain, 44: numPlain, 49: numPlain,
		14: numDate, 15: numDate, 17: numDate, 27: numDate, 31: numDate, 36: numDate, 50: numDate, 58: numDate,
		18: numTime, 21: numTime, 32: numTime, 45: numTime, 47: numTime,
		22: numDateTime, 46: numDuration, 34: numDateOrTime, 56: numDateOrTime,
	} {
		if got := builtinNumFormat(id).kind; got != want {
			t.Errorf("builtinNumFormat(%d).kind = %d, want %d", id, got, want)
		}
	}
}

// TestSerialText: serials as ISO text in both date systems, around the 1900 leap-year bug, at
// the ends of Excel's range, and fractions that floating point leaves just short of a unit.
func TestSerialText(t *testing.T) {
	t.Parallel()
	date, clock, both := numFormat{kind: numDate}, numFormat{kind: numTime}, numFormat{kind: numDateTime}
	withSecs := func(f numFormat) numFormat { f.seconds = true; return f }
	either := numFormat{kind: numDateOrTime}
	for _, tc := range []struct {
		f        numFormat
		serial   float64
		date1904 bool
		want     string // "" for no date: the number stays
	}{
		{date, 45292, false, "2024-01-01"},
		{date, 45292.75, false, "2024-01-01"},
		{date, 1, false, "1900-01-01"},
		{date, 59, false, "1900-02-28"},
		{date, 60, false, ""}, // 1900-02-29, which never was
		{date, 61, false, "1900-03-01"},
		{date, 0, false, ""}, // "1900-01-00"
		{date, 0, true, "1904-01-01"},
		{date, 43830, true, "2024-01-01"}, // 1,462 days less than in the 1900 system
		{date, 2958465, false, "9999-12-31"},
		{date, 2958466, false, ""},
		{date, 2957004, true, ""}, // 10000-01-01
		{date, -1, false, ""},
		{date, math.NaN(), false, ""},
		{date, math.Inf(1), false, ""},
		{numFormat{}, 45292, false, ""},
		{both, 45292.5625, false, "2024-01-01 13:30"},
		{withSecs(both), 45292.5625 + 5.0/86400, false, "2024-01-01 13:30:05"},
		{both, 45292 + 13.5/24, false, "2024-01-01 13:30"},
		{both, 45292.99999999, false, "2024-01-02 00:00"}, // rounds to the next day, not 24:00
		{both, 0.5625, false, "13:30"},                    // a time in a date and time format
		{both, 0.5625, true, "1904-01-01 13:30"},
		{both, 45292 + 59.0/1440 + 59.0/86400, false, "2024-01-01 00:59"},
		{clock, 0.5625, false, "13:30"},
		{clock, 45292.5625, false, "13:30"}, // a time shows the time of day of a date
		{clock, 1.0 / 3, false, "08:00"},    // 0.3333…: 28,799.99… seconds
		{clock, 0.99999999, false, "00:00"},
		{clock, 0.99998, false, "23:59"}, // 86,398.3 seconds: the seconds are not shown, not rounded up
		{withSecs(clock), 0.99998, false, "23:59:58"},
		{withSecs(clock), 10.0 / 1440, false, "00:10:00"},
		{numFormat{kind: numDuration, seconds: true, unit: 'h'}, 1.5 + 90.0/86400, false, "36:01:30"},
		{numFormat{kind: numDuration, unit: 'h'}, 1.5, false, "36:00"},
		{numFormat{kind: numDuration, seconds: true, unit: 'm'}, 1.5, false, "2160:00"},
		{numFormat{kind: numDuration, unit: 'm'}, 1.5, false, "2160"},
		{numFormat{kind: numDuration, seconds: true, unit: 's'}, 0.5, false, "43200"},
		{numFormat{kind: numDuration, unit: 'h'}, -0.5, false, ""},
		{either, 0.5625, false, "13:30"},
		{either, 45292, false, "2024-01-01"},
		{either, 45292.5625, false, "2024-01-01 13:30"},
	} {
		got, ok := tc.f.text(tc.serial, tc.date1904)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%+v.text(%v, 1904=%v) = %q, %v; want %q", tc.f, tc.serial, tc.date1904, got, ok, tc.want)
		}
	}
}
