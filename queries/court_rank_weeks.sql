-- The one national scan behind every ranking on a page: for each court, each ranking
-- bucket ($specific_types' codes; 'other' for the remaining types) and each week counted
-- back from $as_of, the concluded and fully performed cases and amounts of the period.
-- week_no 0 holds the conclusions of the 7 days ending $as_of, 1 the 7 days before, …,
-- $max_weeks - 1 everything older in the period; week_no NULL holds the cases pending at
-- $as_of (column `pending`).
--
-- Summing the weeks >= k gives each court's counts as of $as_of - 7k (a case concluded by
-- then was concluded in week k or before): supervision/rank_weeks.py derives from this one
-- result the current ranks of every ranking, the ranks one and two weeks before, the
-- weekly trend and the pace of the last 8 weeks. Ranks, cutoffs and gaps:
-- supervision/ranking.py. The raw per-ranking count at one date is
-- queries/court_rank_counts.sql; tests hold the two to the same numbers.
SELECT court_code,
       CASE WHEN list_contains($specific_types, case_type) THEN case_type ELSE 'other' END
           AS bucket,
       CASE WHEN concluded_in_p
            THEN least((CAST($as_of AS DATE) - closed_on) // 7, $max_weeks - 1) END AS week_no,
       count(*) FILTER (WHERE concluded_in_p)                AS concluded,
       count(*) FILTER (WHERE fully_performed_in_p)          AS fully_performed,
       sum(amount_applied) FILTER (WHERE concluded_in_p)     AS amount_applied,
       sum(amount_recovered) FILTER (WHERE concluded_in_p)   AS amount_recovered,
       count(*) FILTER (WHERE pending_at_d)                  AS pending
FROM case_status($scope, $as_of, $period_start)
-- implied by the next line, and pushed down to the scan: older closed cases are skipped
WHERE (closed_on IS NULL OR closed_on >= CAST($period_start AS DATE))
  AND (concluded_in_p OR pending_at_d)
GROUP BY ALL;
