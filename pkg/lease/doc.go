// Package lease runs a job on one replica at a time: on PostgreSQL the
// holder keeps a session-level advisory lock on a connection of its own,
// so the lease ends when the holder stops, dies or loses its session, and
// a waiting replica takes it over. On SQLite (one process) the job simply
// runs.
package lease
