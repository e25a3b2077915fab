-- Each court's pace over the last 8 weeks (56 days ending $as_of, within the period) and
-- its totals so far, for the year-end projection (supervision/projection.py). National:
-- the projection ranks every court, and only the visible courts' rows leave the metric layer.
SELECT court_code,
       count(*) FILTER (WHERE concluded_in_p) AS concluded,
       count(*) FILTER (WHERE fully_performed_in_p) AS fully_performed,
       count(*) FILTER (WHERE concluded_in_p AND closed_on > CAST($as_of AS DATE) - 56)
           AS concluded_8w,
       count(*) FILTER (WHERE fully_performed_in_p AND closed_on > CAST($as_of AS DATE) - 56)
           AS fully_performed_8w,
       count(*) FILTER (WHERE pending_at_d) AS pending
FROM case_status($scope, $as_of, $period_start)
WHERE $ranking = 'overall' OR case_type = $ranking
GROUP BY court_code;
