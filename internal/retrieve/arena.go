package retrieve

import "sync"

// arena holds the bytes of a search's postings blocks in a few large buffers, reused from one
// search to the next (postingsReader.release): scanned a row at a time, each 4 KB block was a
// heap allocation of its own, and a 300-word query at 10,000 passages reads 3.8 MB of them:
// Go's CPU a search (30 queries, two rounds each, interleaved, load 19–21), lexical 25–27 →
// 16–19 ms, hybrid 34–35 → 24–27 ms, the garbage collector's share of it most of the gain.
type arena struct {
	bufs [][]byte
	cur  int // the first buffer that may have room
}

// arenaBuffer is the size of an arena's buffers; arenaKept the most an arena may hold to be
// reused (a search that read more gives its buffers to the garbage collector).
const (
	arenaBuffer = 1 << 20
	arenaKept   = 64 << 20
)

var arenaPool = sync.Pool{New: func() any { return &arena{} }}

// copy returns a copy of b in the arena.
func (a *arena) copy(b []byte) []byte {
	for a.cur < len(a.bufs) && cap(a.bufs[a.cur])-len(a.bufs[a.cur]) < len(b) {
		a.cur++
	}
	if a.cur == len(a.bufs) {
		a.bufs = append(a.bufs, make([]byte, 0, max(arenaBuffer, len(b))))
	}
	buf := a.bufs[a.cur]
	n := len(buf)
	buf = append(buf, b...)
	a.bufs[a.cur] = buf
	return buf[n:len(buf):len(buf)]
}

// release returns a to the pool, emptied, unless it grew past arenaKept. Nothing may use the
// bytes it handed out afterwards.
func (a *arena) release() {
	held := 0
	for i := range a.bufs {
		held += cap(a.bufs[i])
		a.bufs[i] = a.bufs[i][:0]
	}
	a.cur = 0
	if held <= arenaKept {
		arenaPool.Put(a)
	}
}
