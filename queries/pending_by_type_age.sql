-- The pending caseload by case type and age band (months since filing).
SELECT case_type,
       CASE WHEN days_pending < 91 THEN '0-3' WHEN days_to_deadline >= 0 THEN '3-6'
            WHEN days_pending < 366 THEN '6-12' ELSE '12+' END AS age_band,
       count(*) AS cases,
       CAST(sum(amount_applied) AS DOUBLE) AS value_yuan
FROM pending_at($scope, $as_of)
GROUP BY ALL
ORDER BY case_type, age_band;
