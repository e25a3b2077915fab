-- The weekly trend's counts for one ranking ($ranking: 'overall' or a specific type code):
-- for each week ending $as_of, $as_of - 7, ... back to the period start (at most
-- $max_weeks weeks), every court's
-- cumulative concluded and fully performed cases and amounts since $period_start.
-- Ranked per week by supervision/ranking.py, like the current ranks.
WITH weeks AS (
    SELECT w AS week_no, CAST(CAST($as_of AS DATE) - CAST(7 * w AS INTEGER) AS DATE) AS week_end
    FROM range(0, $max_weeks) t(w)
    WHERE CAST($as_of AS DATE) - CAST(7 * w AS INTEGER) >= CAST($period_start AS DATE)
),
per_week AS (
    SELECT court_code,
           (CAST($as_of AS DATE) - closed_on) // 7 AS week_no,
           count(*) AS concluded,
           count(*) FILTER (WHERE fully_performed_in_p) AS fully_performed,
           sum(amount_applied) AS amount_applied,
           sum(amount_recovered) AS amount_recovered
    FROM case_status($scope, $as_of, $period_start)
    WHERE concluded_in_p AND ($ranking = 'overall' OR case_type = $ranking)
    GROUP BY ALL
)
-- week k holds every conclusion up to its end: the buckets k, k+1, ... (older weeks)
SELECT w.week_end, c.court_code,
       CAST(sum(coalesce(p.concluded, 0)) OVER older AS BIGINT) AS concluded,
       CAST(sum(coalesce(p.fully_performed, 0)) OVER older AS BIGINT) AS fully_performed,
       CAST(sum(coalesce(p.amount_applied, 0)) OVER older AS DOUBLE) AS amount_applied,
       CAST(sum(coalesce(p.amount_recovered, 0)) OVER older AS DOUBLE) AS amount_recovered
FROM weeks w
CROSS JOIN courts c
LEFT JOIN per_week p ON p.court_code = c.court_code AND p.week_no = w.week_no
WINDOW older AS (PARTITION BY c.court_code ORDER BY w.week_no DESC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);
