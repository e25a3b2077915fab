-- The one national scan behind every ranking on a page: the concluded and fully performed
-- cases and amounts of the period, counted back from $as_of in weeks (week 0 holds the
-- conclusions of the 7 days ending $as_of, week 1 the 7 days before, …), in two parts:
--
-- part 'recent': per court × ranking bucket ($specific_types' codes; 'other' for the
--   remaining types) × recent_week, weeks 0 … $recent_weeks - 1 each on its own and
--   everything older in week $recent_weeks; recent_week NULL holds the cases pending at
--   $as_of (column `pending`). Summing the weeks >= k gives each court's counts as of
--   $as_of - 7k (a case concluded by then was concluded in week k or an older one): the
--   current ranks, the ranks of the weeks before, and the pace of the last 8 weeks.
-- part 'trend': per court × trend_week (each week of the period, at most $max_weeks, the
--   oldest holding everything older) of the cases of the trend's ranking $trend_ranking
--   ('overall': all cases; trend_week NULL: pending or of another ranking): the weekly
--   trend.
--
-- supervision/rank_weeks.py rolls these up; ranks, cutoffs and gaps: supervision/ranking.py.
-- The raw count at one date is queries/court_rank_counts.sql; tests hold the two to the
-- same numbers.
WITH counted AS (
    SELECT court_code,
           CASE WHEN list_contains($specific_types, case_type) THEN case_type
                ELSE 'other' END AS bucket,
           CASE WHEN concluded_in_p
                THEN least((CAST($as_of AS DATE) - closed_on) // 7, $max_weeks - 1)
           END AS week_no,
           concluded_in_p, fully_performed_in_p, pending_at_d, amount_applied,
           amount_recovered
    FROM case_status($scope, $as_of, $period_start)
    -- implied by the next line, and pushed down to the scan: older closed cases are skipped
    WHERE (closed_on IS NULL OR closed_on >= CAST($period_start AS DATE))
      AND (concluded_in_p OR pending_at_d)
),
keyed AS (
    SELECT *,
           -- (least() would skip a NULL week: a pending case must stay in no week)
           CASE WHEN week_no IS NOT NULL THEN least(week_no, $recent_weeks) END AS recent_week,
           -- the trend counts the cases of its ranking; the others fall in no week
           CASE WHEN $trend_ranking = 'overall' OR bucket = $trend_ranking THEN week_no END
               AS trend_week
    FROM counted
)
SELECT CASE WHEN GROUPING(trend_week) = 1 THEN 'recent' ELSE 'trend' END AS part,
       court_code,
       bucket,
       recent_week,
       trend_week,
       CAST(count_if(concluded_in_p) AS BIGINT)                          AS concluded,
       CAST(count_if(fully_performed_in_p) AS BIGINT)                    AS fully_performed,
       CAST(sum(CASE WHEN concluded_in_p THEN amount_applied END) AS DOUBLE)
           AS amount_applied,
       CAST(sum(CASE WHEN concluded_in_p THEN amount_recovered END) AS DOUBLE)
           AS amount_recovered,
       CAST(count_if(pending_at_d) AS BIGINT)                            AS pending
FROM keyed
GROUP BY GROUPING SETS ((court_code, bucket, recent_week),
                        (court_code, trend_week));
