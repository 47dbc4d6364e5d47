-- NEWS2 escalations per ward and hour (UTC), today and yesterday. An escalation is a reading in the medium or
-- high risk band (RCP NEWS2: 5-6 medium, urgent response; 7+ high, emergency response) in a higher band than
-- the same patient's previous reading (low -> medium, medium -> high, ...). The first reading of a patient
-- in the window has no previous reading and is not counted as an escalation. Also counts readings and patients at medium/high risk.
WITH banded AS (
  SELECT
    ward, dt, hour, patient_key, measured_at, seq, news2_total, news2_band,
    CASE news2_band WHEN 'low' THEN 0 WHEN 'low-medium' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 END AS band_rank
  FROM vitals
  WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
), with_previous AS (
  SELECT
    b.*,
    lag(band_rank) OVER (PARTITION BY patient_key ORDER BY measured_at, seq) AS previous_rank
  FROM banded b
)
SELECT
  ward, dt, hour,
  count(*) AS readings,
  count_if(band_rank >= 2 AND band_rank > previous_rank) AS escalations,
  count_if(news2_band = 'medium') AS medium_readings,
  count_if(news2_band = 'high') AS high_readings,
  count(DISTINCT CASE WHEN band_rank >= 2 THEN patient_key END) AS patients_medium_or_high,
  max(news2_total) AS max_news2
FROM with_previous
GROUP BY ward, dt, hour
ORDER BY dt, hour, ward
