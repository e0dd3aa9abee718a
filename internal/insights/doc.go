// Package insights is what the query log and the feedback tell admins: questions per day, the
// answered and declined shares, 👍 and 👎, the slowest questions (stats.go); the questions the
// documents fail to answer, grouped into gaps with an owner and a status (gaps.go, grouped by
// cluster.go); and a regression set of real questions for `indexer eval` (export.go).
package insights
