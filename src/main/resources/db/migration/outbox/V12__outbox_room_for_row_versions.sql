-- EduPulse Outbox, schema version 12: room on every page of outbox_event for its rows' leases.
-- The dispatcher's lease changes only columns no index names (lease_owner, lease_token,
-- lease_until), so PostgreSQL can write it as a heap-only tuple (HOT: no new index entries, a
-- small WAL record), provided the row's page has room for the new version. With pages filled to
-- the brim at insert it rarely has, and each lease wrote the whole row to another page plus an
-- entry in every index. Filling pages to half at insert leaves room for one new version of every
-- row on the page; the drain's WAL per event falls to a quarter to two thirds (figures in
-- docs/benchmarks.md). The price: pending and retained event rows take about twice the pages. The setting applies to pages written from now on; an operator may choose another
-- (ALTER TABLE outbox_event SET (fillfactor = n)).
ALTER TABLE outbox_event SET (fillfactor = 50);
