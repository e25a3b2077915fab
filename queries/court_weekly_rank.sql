-- Weekly trend of one ranking ($ranking: 'overall' or a specific type code): for each week
-- ending $as_of, $as_of - 7, ... back to the period start, every court's cumulative
-- concluded and fully-performed cases since $period_start, its rate and its national rank
-- among courts with at least min_concluded (same rule as court_ranking in macros.sql).
-- Returns the visible courts' rows and, with court_code NULL, each week's cutoff.
WITH target AS (
    SELECT target_rank, min_concluded
    FROM targets WHERE target = CASE WHEN $ranking = 'overall' THEN 'overall' ELSE 'specific_type' END
),
weeks AS (
    SELECT w AS week_no, CAST(CAST($as_of AS DATE) - CAST(7 * w AS INTEGER) AS DATE) AS week_end
    FROM range(0, 60) t(w)
    WHERE CAST($as_of AS DATE) - CAST(7 * w AS INTEGER) >= CAST($period_start AS DATE)
),
per_week AS (
    SELECT court_code,
           (CAST($as_of AS DATE) - closed_on) // 7 AS week_no,
           count(*) AS concluded,
           count(*) FILTER (WHERE fully_performed_in_p) AS fully_performed
    FROM case_status($scope, $as_of, $period_start)
    WHERE concluded_in_p AND ($ranking = 'overall' OR case_type = $ranking)
    GROUP BY ALL
),
grid AS (
    SELECT w.week_no, w.week_end, c.court_code
    FROM weeks w CROSS JOIN courts c
),
cumulative AS (
    -- week k holds every conclusion up to its end: the buckets k, k+1, ... (older weeks)
    SELECT g.week_no, g.week_end, g.court_code,
           CAST(sum(coalesce(p.concluded, 0)) OVER older AS BIGINT) AS concluded,
           CAST(sum(coalesce(p.fully_performed, 0)) OVER older AS BIGINT) AS fully_performed
    FROM grid g
    LEFT JOIN per_week p ON p.court_code = g.court_code AND p.week_no = g.week_no
    WINDOW older AS (PARTITION BY g.court_code ORDER BY g.week_no DESC
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
scored AS (
    SELECT c.*, c.fully_performed / nullif(c.concluded, 0) AS rate,
           c.concluded >= t.min_concluded AS is_ranked, t.target_rank
    FROM cumulative c CROSS JOIN target t
),
ranked AS (
    SELECT week_no, court_code,
           rank() OVER (PARTITION BY week_no ORDER BY rate DESC) AS rank,
           row_number() OVER (PARTITION BY week_no ORDER BY rate DESC, court_code) AS position,
           count(*) OVER (PARTITION BY week_no) AS ranked_courts
    FROM scored WHERE is_ranked
),
cutoffs AS (
    SELECT s.week_no, s.rate AS cutoff
    FROM scored s JOIN ranked r USING (week_no, court_code)
    WHERE r.position = least(s.target_rank, r.ranked_courts)
)
SELECT s.week_end, s.court_code, s.concluded, s.fully_performed, s.rate, r.rank, c.cutoff
FROM scored s
LEFT JOIN ranked r USING (week_no, court_code)
LEFT JOIN cutoffs c USING (week_no)
WHERE $visible IS NULL OR list_contains($visible, s.court_code)
ORDER BY s.court_code, s.week_end;
