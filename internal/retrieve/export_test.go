package retrieve

// The BM25 parameters, for the reference implementation in tests.
const (
	BM25K1 = bm25K1
	BM25B  = bm25B
)
