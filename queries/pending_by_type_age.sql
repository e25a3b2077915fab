-- The pending caseload by case type and age band: calendar months since filing, the bands
-- of the age_bands table ([lower_months, upper_months)).
SELECT p.case_type, b.code AS age_band, count(*) AS cases,
       CAST(sum(p.amount_applied) AS DOUBLE) AS value_yuan
FROM pending_at($scope, $as_of) p
JOIN age_bands b
  ON CAST(p.filed_on + to_months(b.lower_months) AS DATE) <= CAST($as_of AS DATE)
 AND (b.upper_months IS NULL
      OR CAST(p.filed_on + to_months(b.upper_months) AS DATE) > CAST($as_of AS DATE))
GROUP BY ALL
ORDER BY p.case_type, min(b.sort_order);
