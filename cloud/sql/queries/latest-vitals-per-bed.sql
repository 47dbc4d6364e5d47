-- Latest reading of every bed heard from in the last hour, with its NEWS2 score: the ward's at-a-glance
-- board. A bed silent for longer is not "current" and is left off. The partition filter names the hours
-- that window touches (partitions are by measurement time, so it is exact): Athena and DuckDB open only
-- those hours' files instead of two days of them; measured_at then trims the window to the hour.
SELECT
  ward, bed, device_id, patient_key, measured_at,
  heart_rate, spo2, respiratory_rate, systolic_bp, diastolic_bp, temperature_c, on_oxygen, consciousness,
  news2_total, news2_band
FROM (
  SELECT
    v.*,
    row_number() OVER (PARTITION BY ward, bed ORDER BY measured_at DESC, seq DESC) AS recency
  FROM vitals v
  WHERE (dt > CAST(CAST(current_timestamp - INTERVAL '1' HOUR AS date) AS varchar)
         OR (dt = CAST(CAST(current_timestamp - INTERVAL '1' HOUR AS date) AS varchar)
             AND hour >= lpad(CAST(hour(current_timestamp - INTERVAL '1' HOUR) AS varchar), 2, '0')))
    AND measured_at >= CAST(current_timestamp - INTERVAL '1' HOUR AS timestamp)
    AND ward IS NOT NULL AND bed IS NOT NULL
) AS ranked
WHERE recency = 1
ORDER BY ward, bed
