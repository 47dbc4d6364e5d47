-- Latest reading of every occupied bed, with its NEWS2 score: the ward's at-a-glance board.
-- Reads today's and yesterday's partitions only (a bed silent for longer is not "latest").
SELECT
  ward, bed, device_id, patient_key, measured_at,
  heart_rate, spo2, respiratory_rate, systolic_bp, diastolic_bp, temperature_c, on_oxygen, consciousness,
  news2_total, news2_band
FROM (
  SELECT
    v.*,
    row_number() OVER (PARTITION BY ward, bed ORDER BY measured_at DESC, seq DESC) AS recency
  FROM vitals v
  WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
    AND ward IS NOT NULL AND bed IS NOT NULL
) AS ranked
WHERE recency = 1
ORDER BY ward, bed
