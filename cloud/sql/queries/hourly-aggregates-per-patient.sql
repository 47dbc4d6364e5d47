-- Hourly vital-sign summary per patient (pseudonymous patient_key), today and yesterday, UTC hours.
-- Averages ignore nulls (a probe off leaves the value null rather than invented).
-- Hours from two sources, the same numbers either way: the last three hours (the current one and two
-- before, which the hourly compaction may not have reached yet) from the readings in `vitals`; older hours
-- from vitals_hourly_rollup, the exact per-patient counts, sums, minima and maxima the compaction pass
-- writes when it compacts an hour (average = sum / count, as avg() computes it). A reading arriving for
-- an hour older than that shows here after the next compaction pass folds it in (cloud/sql/README.md).
WITH recent_hours AS (
  SELECT
    patient_key, dt, hour,
    count(*) AS readings,
    count(heart_rate) AS heart_rate_count, sum(heart_rate) AS heart_rate_sum, min(heart_rate) AS heart_rate_min, max(heart_rate) AS heart_rate_max,
    count(spo2) AS spo2_count, sum(spo2) AS spo2_sum, min(spo2) AS spo2_min,
    count(respiratory_rate) AS respiratory_rate_count, sum(respiratory_rate) AS respiratory_rate_sum,
    count(systolic_bp) AS systolic_bp_count, sum(systolic_bp) AS systolic_bp_sum,
    count(diastolic_bp) AS diastolic_bp_count, sum(diastolic_bp) AS diastolic_bp_sum,
    count(temperature_c) AS temperature_c_count, sum(temperature_c) AS temperature_c_sum, max(temperature_c) AS temperature_c_max,
    max(news2_total) AS news2_max
  FROM vitals
  WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
    AND (dt > CAST(CAST(current_timestamp - INTERVAL '2' HOUR AS date) AS varchar)
         OR (dt = CAST(CAST(current_timestamp - INTERVAL '2' HOUR AS date) AS varchar)
             AND hour >= lpad(CAST(hour(current_timestamp - INTERVAL '2' HOUR) AS varchar), 2, '0')))
  GROUP BY patient_key, dt, hour
), rolled_up_hours AS (
  SELECT
    patient_key, dt, hour, readings,
    heart_rate_count, heart_rate_sum, heart_rate_min, heart_rate_max,
    spo2_count, spo2_sum, spo2_min,
    respiratory_rate_count, respiratory_rate_sum,
    systolic_bp_count, systolic_bp_sum,
    diastolic_bp_count, diastolic_bp_sum,
    temperature_c_count, temperature_c_sum, temperature_c_max,
    news2_max
  FROM vitals_hourly_rollup
  WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
    AND dt <= CAST(CAST(current_timestamp - INTERVAL '2' HOUR AS date) AS varchar)
    AND (dt < CAST(CAST(current_timestamp - INTERVAL '2' HOUR AS date) AS varchar)
         OR hour < lpad(CAST(hour(current_timestamp - INTERVAL '2' HOUR) AS varchar), 2, '0'))
), hours AS (
  SELECT * FROM recent_hours
  UNION ALL
  SELECT * FROM rolled_up_hours
)
SELECT
  patient_key, dt, hour,
  readings,
  round(CAST(heart_rate_sum AS double) / heart_rate_count, 1) AS heart_rate_avg,
  heart_rate_min,
  heart_rate_max,
  round(CAST(spo2_sum AS double) / spo2_count, 1) AS spo2_avg,
  spo2_min,
  round(CAST(respiratory_rate_sum AS double) / respiratory_rate_count, 1) AS respiratory_rate_avg,
  round(CAST(systolic_bp_sum AS double) / systolic_bp_count, 1) AS systolic_bp_avg,
  round(CAST(diastolic_bp_sum AS double) / diastolic_bp_count, 1) AS diastolic_bp_avg,
  round(temperature_c_sum / temperature_c_count, 2) AS temperature_c_avg,
  temperature_c_max,
  news2_max
FROM hours
ORDER BY patient_key, dt, hour
