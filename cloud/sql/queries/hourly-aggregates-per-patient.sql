-- Hourly vital-sign summary per patient (pseudonymous patient_key), today and yesterday, UTC hours.
-- Averages ignore nulls (a probe off leaves the value null rather than invented).
SELECT
  patient_key, dt, hour,
  count(*) AS readings,
  round(avg(heart_rate), 1) AS heart_rate_avg,
  min(heart_rate) AS heart_rate_min,
  max(heart_rate) AS heart_rate_max,
  round(avg(spo2), 1) AS spo2_avg,
  min(spo2) AS spo2_min,
  round(avg(respiratory_rate), 1) AS respiratory_rate_avg,
  round(avg(systolic_bp), 1) AS systolic_bp_avg,
  round(avg(diastolic_bp), 1) AS diastolic_bp_avg,
  round(avg(temperature_c), 2) AS temperature_c_avg,
  max(temperature_c) AS temperature_c_max,
  max(news2_total) AS news2_max
FROM vitals
WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
GROUP BY patient_key, dt, hour
ORDER BY patient_key, dt, hour
