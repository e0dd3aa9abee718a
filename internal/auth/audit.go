package auth

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Entry is one admin action in the audit log.
type Entry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail"`
	Remote string    `json:"remote"`
}

// Record appends e to the audit log (its At is the database's clock).
func Record(ctx context.Context, pool *pgxpool.Pool, e Entry) error {
	_, err := pool.Exec(ctx, `INSERT INTO audit_log (actor, action, target, detail, remote) VALUES ($1, $2, $3, $4, $5)`,
		e.Actor, e.Action, e.Target, e.Detail, e.Remote)
	return err
}

// AuditLog returns the newest limit entries, newest first.
func AuditLog(ctx context.Context, pool *pgxpool.Pool, limit int) ([]Entry, error) {
	rows, err := pool.Query(ctx, `SELECT at, actor, action, target, detail, remote FROM audit_log ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Entry])
}
