-- What a national ranking counts, for every court and ranking: 'overall' (all cases) and
-- each specific case type (case_types.specific). Every court has a row, zero when it has
-- no case in the subset $scope. Ranks, cutoffs and gaps are computed from these counts by
-- supervision/engine/ranking.py (the one definition); formulas in docs/metrics.md.
-- The tests' reference (tests/sql_reference.py): the pages count the same from the cases in
-- memory (supervision/engine/memory_counts.py), which the tests hold to this, court by court.
WITH per_court_type AS (
    SELECT court_code, case_type,
           count(*) FILTER (WHERE concluded_in_p)                AS concluded,
           count(*) FILTER (WHERE fully_performed_in_p)          AS fully_performed,
           sum(amount_applied) FILTER (WHERE concluded_in_p)     AS amount_applied,
           sum(amount_recovered) FILTER (WHERE concluded_in_p)   AS amount_recovered,
           count(*) FILTER (WHERE pending_at_d)                  AS pending
    FROM case_status($scope, $as_of, $period_start)
    GROUP BY ALL
),
per_ranking AS (
    SELECT 'overall' AS ranking, court_code, sum(concluded) AS concluded,
           sum(fully_performed) AS fully_performed, sum(amount_applied) AS amount_applied,
           sum(amount_recovered) AS amount_recovered, sum(pending) AS pending
    FROM per_court_type
    GROUP BY court_code
    UNION ALL
    SELECT p.case_type, p.court_code, p.concluded, p.fully_performed, p.amount_applied,
           p.amount_recovered, p.pending
    FROM per_court_type p
    JOIN case_types t ON t.code = p.case_type AND t.specific
),
rankings AS (
    SELECT 'overall' AS ranking
    UNION ALL
    SELECT code FROM case_types WHERE specific
)
SELECT r.ranking, c.court_code, c.province,
       CAST(coalesce(x.concluded, 0) AS BIGINT)        AS concluded,
       CAST(coalesce(x.fully_performed, 0) AS BIGINT)  AS fully_performed,
       CAST(coalesce(x.amount_applied, 0) AS DOUBLE)   AS amount_applied,
       CAST(coalesce(x.amount_recovered, 0) AS DOUBLE) AS amount_recovered,
       CAST(coalesce(x.pending, 0) AS BIGINT)          AS pending
FROM rankings r
CROSS JOIN courts c
LEFT JOIN per_ranking x ON x.ranking = r.ranking AND x.court_code = c.court_code;
