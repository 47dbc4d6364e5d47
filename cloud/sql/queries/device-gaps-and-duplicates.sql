-- Per monitor, today and yesterday: readings missing (gaps in seq) and stored more than once (duplicates),
-- from curated_vitals, i.e. BEFORE the vitals view removes duplicates. seq is per device, monotonic and
-- survives restarts, so a hole means a reading that never reached the lake (queue overflow, lost device),
-- and a repeated seq means a redelivery that the vitals view hides. gap_ranges lists the missing seq values
-- as "a-b" ranges (first 20 ranges).
WITH stored AS (
  SELECT device_id, seq
  FROM curated_vitals
  WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
), per_device AS (
  SELECT device_id, count(*) AS rows_stored, count(DISTINCT seq) AS readings, min(seq) AS first_seq, max(seq) AS last_seq
  FROM stored
  GROUP BY device_id
), steps AS (
  SELECT device_id, seq, lag(seq) OVER (PARTITION BY device_id ORDER BY seq) AS previous_seq
  FROM (SELECT DISTINCT device_id, seq FROM stored) AS distinct_seq
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
  (p.last_seq - p.first_seq + 1) - p.readings AS missing,
  COALESCE(g.gaps, 0) AS gaps,
  p.rows_stored - p.readings AS duplicates,
  g.gap_ranges
FROM per_device p
LEFT JOIN gaps g ON g.device_id = p.device_id
ORDER BY missing DESC, duplicates DESC, p.device_id
