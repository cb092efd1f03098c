// Package catalogue is the statistics catalogue and the arithmetic that
// feeds it, without a database: the tables with their dimensions and
// code lists (Tables), the cells a case's facts fall in (Contributions, a
// pure function of a Component's facts, so duplicates and order of arrival
// do not change the figures; persons counted once, under the earliest
// identified case of their linked cases), and the change a change of facts
// makes to the aggregate rows of its month, quarter and year (Deltas).
//
// Package stats loads a component's facts before and after an event,
// hands both to Contributions, and writes the Deltas of the difference in
// the same transaction. docs/statistics.md has the catalogue and the
// method.
package catalogue
