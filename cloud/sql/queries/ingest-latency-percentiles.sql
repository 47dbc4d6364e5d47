-- Device-to-lake latency per hour (UTC), today and yesterday: ingested_at - measured_at of each reading's
-- first arrival, as percentiles. A reading queued offline on the monitor shows as a long tail here.
-- approx_percentile is Athena's; the local engine maps it to DuckDB's exact quantile_disc (cloud/sql/README.md).
SELECT
  dt, hour,
  count(*) AS readings,
  approx_percentile(ingest_latency_ms, 0.5) AS p50_ms,
  approx_percentile(ingest_latency_ms, 0.9) AS p90_ms,
  approx_percentile(ingest_latency_ms, 0.99) AS p99_ms,
  max(ingest_latency_ms) AS max_ms
FROM vitals
WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
GROUP BY dt, hour
ORDER BY dt, hour
