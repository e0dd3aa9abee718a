package retrieve

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// BenchmarkPartialsSearch scores, as a search's first pass at 1,000,000 passages does, the
// postings of three terms (5,000, 50,000 and 200,000 chunks, packed in blocks of 256), every
// chunk found or inserted (scorer.add, the postings already read). "after GC" collects twice
// between searches (untimed), as a busy server does, which empties sync.Pool.
func BenchmarkPartialsSearch(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const base, chunks = 1 << 30, 1_000_000
	pr := &postingsReader{t: terms{chunks: chunks, avgdl: 90}, whole: map[string][]block{}}
	var ts []term
	for i, df := range []int{5000, 50000, 200000} {
		seen := map[int64]bool{}
		var ids []int64
		for len(ids) < df {
			if id := base + r.Int64N(chunks); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		tm := term{lexeme: fmt.Sprint("t", i), df: int64(df), idf: 1, weight: 1}
		for c := range slices.Chunk(ids, 256) {
			data := make([]byte, 0, len(c)*postingSize)
			for _, id := range c {
				data = binary.BigEndian.AppendUint64(data, uint64(id))
				data = binary.BigEndian.AppendUint32(data, uint32(1+r.IntN(5)))
				data = binary.BigEndian.AppendUint32(data, uint32(40+r.IntN(100)))
			}
			pr.whole[tm.lexeme] = append(pr.whole[tm.lexeme], block{packed: true, data: data})
		}
		ts = append(ts, tm)
	}
	for _, gc := range []bool{false, true} {
		name := "warm"
		if gc {
			name = "after GC"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if gc {
					b.StopTimer()
					runtime.GC()
					runtime.GC()
					b.StartTimer()
				}
				sc := &scorer{postingsReader: pr, acc: getPartials(denseLimit(chunks))}
				for _, tm := range ts {
					if err := sc.add(context.Background(), []term{tm}, sc.acc, false, false); err != nil {
						b.Fatal(err)
					}
				}
				putPartials(sc.acc)
			}
		})
	}
}
