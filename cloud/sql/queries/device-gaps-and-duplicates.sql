-- Per monitor, today and yesterday: readings missing (gaps in seq), stored more than once (duplicates) and
-- seqs stored with different measurement times (conflicts), from curated_vitals, i.e. BEFORE the vitals view
-- removes copies. seq is per device, monotonic and survives restarts, so a hole means a reading that never
-- reached the lake (queue overflow, lost device), a repeated seq a redelivery that the vitals view hides, and
-- a seq stored with two measurement times a reuse of the seq (the vitals view shows the first ingested copy;
-- the compaction pass moves the others to quarantine as conflicting_duplicate, after which they no longer
-- count here). gap_ranges lists the missing seq values as "a-b" ranges (first 20 ranges).
-- Legacy readings (no seq of their own) are keyed 2^52 + epoch ms of the measurement (LEGACY_SEQ_BASE in
-- device/contract/vitals-v1.ts, the literal 4503599627370496 below): they are counted apart, in
-- legacy_readings, and left out of first/last seq, missing and gaps, which are about vitals/1 seqs.
WITH stored AS (
  SELECT device_id, seq, measured_at
  FROM curated_vitals
  WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
), per_key AS (
  SELECT device_id, seq, count(*) AS copies, count(DISTINCT measured_at) AS versions
  FROM stored
  GROUP BY device_id, seq
), per_device AS (
  SELECT
    device_id,
    sum(copies) AS rows_stored,
    count_if(seq < 4503599627370496) AS readings,
    count_if(seq >= 4503599627370496) AS legacy_readings,
    min(CASE WHEN seq < 4503599627370496 THEN seq END) AS first_seq,
    max(CASE WHEN seq < 4503599627370496 THEN seq END) AS last_seq,
    count_if(versions > 1) AS conflicts
  FROM per_key
  GROUP BY device_id
), steps AS (
  SELECT device_id, seq, lag(seq) OVER (PARTITION BY device_id ORDER BY seq) AS previous_seq
  FROM per_key
  WHERE seq < 4503599627370496
), gaps AS (
  SELECT
    device_id,
    count(*) AS gaps,
    array_join(slice(array_agg(
      CASE WHEN seq - previous_seq = 2 THEN CAST(previous_seq + 1 AS varchar)
           ELSE CAST(previous_seq + 1 AS varchar) || '-' || CAST(seq - 1 AS varchar) END
      ORDER BY seq), 1, 20), ', ') AS gap_ranges
  FROM steps
  WHERE seq - previous_seq > 1
  GROUP BY device_id
)
SELECT
  p.device_id,
  p.first_seq,
  p.last_seq,
  p.readings,
  COALESCE((p.last_seq - p.first_seq + 1) - p.readings, 0) AS missing,
  COALESCE(g.gaps, 0) AS gaps,
  p.rows_stored - p.readings - p.legacy_readings AS duplicates,
  p.conflicts,
  p.legacy_readings,
  g.gap_ranges
FROM per_device p
LEFT JOIN gaps g ON g.device_id = p.device_id
ORDER BY missing DESC, duplicates DESC, p.device_id
