-- The view every query reads: curated_vitals with copies removed, one row per (device_id, seq). A QoS 1
-- redelivery or a Kinesis retry can put the same reading in two batches, hence two Parquet files; the ETL
-- dedups within a batch, this view across batches (DESIGN §5). Of several copies the first ingested wins
-- (earliest ingested_at, then kinesis_shard): for true copies any would do, for a conflict (a seq reused
-- with other content) it is the rule the compaction pass applies too, so the answer does not change when
-- the pass settles it. Copies of one reading always share dt and hour (they derive from measured_at), and
-- dt and hour lead the window's PARTITION BY: a filter on a window's partition columns can be pushed below
-- the window, so `WHERE dt >= ...` on the view still prunes partitions on both engines. The price: two rows
-- of one (device_id, seq) in different hours (only a conflict can be: other measured_at) both show here
-- until the compaction pass has compacted the later-compacted of the two hours, which keeps the first
-- ingested and moves the other to quarantine (cloud/etl/compaction/README.md). No tie-break on
-- kinesis_sequence, whose 56-digit strings would be the costliest column every query reads (Athena bills
-- bytes scanned): two batches of one shard are never ingested in the same millisecond. Runs unchanged on
-- Athena and DuckDB.
CREATE OR REPLACE VIEW vitals AS
SELECT
  -- Every column of curated_vitals and its partitions, in table order: filled in from
  -- cloud/lake/curated-schema.ts by cloud/sql/named-queries.ts (the stack saves the result as create-vitals-view).
  {{curated_columns}}
FROM (
  SELECT
    c.*,
    row_number() OVER (PARTITION BY dt, hour, device_id, seq ORDER BY ingested_at, kinesis_shard) AS copy_number
  FROM curated_vitals c
) AS numbered
WHERE copy_number = 1
