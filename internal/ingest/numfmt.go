package ingest

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// A spreadsheet stores a date or a time as a number, its serial: days since the workbook's epoch,
// the time of day as the fraction. Only the cell's number format says that the number is a date,
// so a reader that ignores formats shows "45292" where Excel shows 1/1/2024, and neither a search
// for "2024-01-01" nor an answer quoting the row makes sense of it. The formats here decide
// whether a number is a date, a time, a date and time or an elapsed time, and write it as ISO
// 8601 text ("2024-01-01", "13:30", "2024-01-01 13:30", "36:00"), whatever the format's own
// layout or language: ISO text is unambiguous and what one searches for. Other numbers
// (percentages, currency, grouping) keep the number as written.

// numKind is what a number format makes of a number.
type numKind uint8

const (
	numPlain    numKind = iota // not a date or time: the number as written
	numDate                    // 2024-01-01
	numTime                    // 13:30, the serial's fraction only
	numDateTime                // 2024-01-01 13:30
	// numDateOrTime is a built-in East-Asian format (ids 34, 35, 52, 53, 55, 56) that is a date
	// in some locales and a time in others; the file does not say which locale's. Its serial
	// decides: a fraction alone is a time, a whole number a date.
	numDateOrTime
	numDuration // [h]:mm:ss, an elapsed time: 36:00:00, not a time of day
)

// numFormat is a number format as far as dates and times are concerned.
type numFormat struct {
	kind numKind
	// seconds: the format shows seconds; otherwise they are left out.
	seconds bool
	// unit is a duration's largest unit, the one in brackets: 'h', 'm' or 's'.
	unit byte
}

// builtinNumFormat is the format of a built-in format id, which the file need not spell out
// (ECMA-376 Part 1, 18.8.30, lists ids 0–49; ids 27–36 and 50–58 are those of the Chinese,
// Japanese and Korean editions of Excel, dates and times in each of them, some with era years).
func builtinNumFormat(id int) numFormat {
	switch id {
	case 14, 15, 16, 17, 27, 28, 29, 30, 31, 36, 50, 51, 54, 57, 58:
		return numFormat{kind: numDate}
	case 18, 20, 32: // h:mm AM/PM, h:mm, h"時"mm"分"
		return numFormat{kind: numTime}
	case 19, 21, 33, 45, 47: // h:mm:ss AM/PM, h:mm:ss, h"時"mm"分"ss"秒", mm:ss, mm:ss.0
		return numFormat{kind: numTime, seconds: true}
	case 22: // m/d/yyyy h:mm
		return numFormat{kind: numDateTime}
	case 46: // [h]:mm:ss
		return numFormat{kind: numDuration, seconds: true, unit: 'h'}
	case 34, 35, 52, 53, 55, 56:
		return numFormat{kind: numDateOrTime}
	}
	return numFormat{}
}

// parseNumFormat reads a format code such as "yyyy-mm-dd", `[$-409]mmmm d, yyyy` or
// "[h]:mm:ss". Its letters d, m, y, h and s are dates and times, except in quoted text, after a
// backslash, or as the padding (_x) and fill (*x) characters; brackets hold colours, conditions
// and locales ([Red], [<100], [$-409]), apart from [h], [mm] and [ss], which make the format an
// elapsed time. An m is minutes right after an h or right before an s, else months, as Excel
// reads it. Only the first section (up to a ';') is read: the one for positive numbers.
func parseNumFormat(code string) numFormat {
	type token struct {
		letter  byte // lower case
		elapsed bool // in brackets
	}
	var tokens []token
	ampm := false
	for i := 0; i < len(code) && code[i] != ';'; i++ {
		switch c := code[i]; {
		case c == '"':
			if end := strings.IndexByte(code[i+1:], '"'); end >= 0 {
				i += end + 1
			} else {
				i = len(code)
			}
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == '[':
			end := strings.IndexByte(code[i:], ']')
			if end < 0 {
				return numFormat{}
			}
			if in := strings.ToLower(code[i+1 : i+end]); in != "" && strings.Trim(in, in[:1]) == "" && strings.Contains("hms", in[:1]) {
				tokens = append(tokens, token{in[0], true})
			}
			i += end
		case hasPrefixFold(code[i:], "AM/PM"):
			ampm, i = true, i+len("AM/PM")-1
		case hasPrefixFold(code[i:], "A/P"):
			ampm, i = true, i+len("A/P")-1
		default:
			l := c | 0x20 // lower case, for letters
			if !strings.Contains("dmyhs", string(l)) {
				continue
			}
			for i+1 < len(code) && code[i+1]|0x20 == l {
				i++ // a run of one letter ("yyyy") is one token
			}
			tokens = append(tokens, token{l, false})
		}
	}
	var date, clock bool
	f := numFormat{}
	for k, t := range tokens {
		switch t.letter {
		case 'y', 'd':
			date = true
		case 'h':
			clock = true
		case 's':
			clock, f.seconds = true, true
		case 'm':
			minutes := t.elapsed || k > 0 && tokens[k-1].letter == 'h' || k+1 < len(tokens) && tokens[k+1].letter == 's'
			clock, date = clock || minutes, date || !minutes
		}
		if t.elapsed && f.unit == 0 {
			f.unit = t.letter
		}
	}
	switch {
	case date && (clock || ampm):
		f.kind = numDateTime
	case date:
		f.kind = numDate
	case f.unit != 0:
		f.kind = numDuration
	case clock || ampm:
		f.kind = numTime
	}
	return f
}

// maxCellFormats bounds the cell formats read from a workbook: Excel allows 64,000, and .xls
// cells index them with 16 bits.
const maxCellFormats = 1 << 16

// cellFormatsOf is the number format of each of a workbook's cell formats, given by their
// format ids: the workbook's own formats (custom, by id) first, then the built-in ones.
func cellFormatsOf(ids []int, custom map[int]numFormat) []numFormat {
	out := make([]numFormat, len(ids))
	for i, id := range ids {
		f, ok := custom[id]
		if !ok {
			f = builtinNumFormat(id)
		}
		out[i] = f
	}
	return out
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// maxSerial is past 9999-12-31 in either date system (2,958,465 in the 1900 one), Excel's last
// date: a larger number is no date.
const maxSerial = 2958466

// text writes serial as the format shows it, in ISO 8601; ok is false when the format is no
// date or time or the serial is none: negative, NaN, past 9999, or a day that does not exist.
// date1904 is the workbook's date system: serial 0 is 1904-01-01 in it, else 1899-12-31.
//
// The serial is rounded to the second before the units the format leaves out are dropped, as
// Excel does: a time worked out in floating point (8:00 as 0.33333333333) is not 07:59, and a
// fraction that rounds to a whole day (0.99999999) is midnight of the next day, never 24:00.
func (f numFormat) text(serial float64, date1904 bool) (string, bool) {
	if f.kind == numPlain || !(serial >= 0 && serial < maxSerial) { // NaN fails both
		return "", false
	}
	secs := int64(math.Round(serial * 86400))
	if f.kind == numDuration {
		switch {
		case f.unit == 's':
			return fmt.Sprint(secs), true
		case f.unit == 'm' && f.seconds:
			return fmt.Sprintf("%02d:%02d", secs/60, secs%60), true
		case f.unit == 'm':
			return fmt.Sprint(secs / 60), true
		}
		return f.hms(secs), true
	}
	days, clock := secs/86400, secs%86400
	kind := f.kind
	switch {
	case kind == numDateOrTime && days == 0:
		kind = numTime
	case kind == numDateOrTime && clock == 0:
		kind = numDate
	case kind == numDateOrTime:
		kind = numDateTime
	case kind == numDateTime && days == 0 && !date1904:
		kind = numTime // a time alone: its day, "1900-01-00", is none
	}
	if kind == numTime {
		return f.hms(clock), true
	}
	d, ok := serialDate(days, date1904)
	if !ok {
		return "", false
	}
	if kind == numDate {
		return d, true
	}
	return d + " " + f.hms(clock), true
}

// hms writes seconds as hours and minutes, and the seconds when the format shows them; the
// hours go past 24 in an elapsed time.
func (f numFormat) hms(secs int64) string {
	s := fmt.Sprintf("%02d:%02d", secs/3600, secs/60%60)
	if f.seconds {
		s += fmt.Sprintf(":%02d", secs%60)
	}
	return s
}

// serialDate is the date of a whole serial. The 1900 date system counts 1900-02-29, a day that
// never was (Lotus 1-2-3 took 1900 for a leap year, and Excel kept it): serial 60 is that day,
// no date, and serials before it are a day later than the count from 1899-12-30 that holds from
// 1900-03-01 (serial 61) on. Serial 0 of that system, "1900-01-00", is no date either.
func serialDate(days int64, date1904 bool) (string, bool) {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 1 || days == 60:
		return "", false
	case days < 60:
		days++
	}
	d := epoch.AddDate(0, 0, int(days))
	if d.Year() > 9999 {
		return "", false
	}
	return d.Format("2006-01-02"), true
}
