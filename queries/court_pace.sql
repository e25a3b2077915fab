-- Each court's totals so far and its pace over the last $pace_days days (ending $as_of,
-- within the period), for one ranking ($ranking: 'overall' or a specific type code), for
-- the year-end projection (supervision/projection.py). Every court: the projection ranks
-- them all.
SELECT c.court_code,
       count(s.case_number) FILTER (WHERE s.concluded_in_p) AS concluded,
       count(s.case_number) FILTER (WHERE s.fully_performed_in_p) AS fully_performed,
       CAST(coalesce(sum(s.amount_applied) FILTER (WHERE s.concluded_in_p), 0) AS DOUBLE)
           AS amount_applied,
       CAST(coalesce(sum(s.amount_recovered) FILTER (WHERE s.concluded_in_p), 0) AS DOUBLE)
           AS amount_recovered,
       count(s.case_number) FILTER (WHERE s.concluded_in_p AND s.recent) AS concluded_8w,
       count(s.case_number) FILTER (WHERE s.fully_performed_in_p AND s.recent)
           AS fully_performed_8w,
       CAST(coalesce(sum(s.amount_applied) FILTER (WHERE s.concluded_in_p AND s.recent), 0)
            AS DOUBLE) AS amount_applied_8w,
       CAST(coalesce(sum(s.amount_recovered) FILTER (WHERE s.concluded_in_p AND s.recent), 0)
            AS DOUBLE) AS amount_recovered_8w,
       count(s.case_number) FILTER (WHERE s.pending_at_d) AS pending
FROM courts c
LEFT JOIN (SELECT *, closed_on > CAST($as_of AS DATE) - CAST($pace_days AS INTEGER) AS recent
           FROM case_status($scope, $as_of, $period_start)
           WHERE $ranking = 'overall' OR case_type = $ranking) s
       ON s.court_code = c.court_code
GROUP BY c.court_code;
