-- National rank of every court on the target metric, for the overall ranking and for each
-- of the five specific case types, with the cutoff rate of the target rank and each
-- court's gap in cases. Every court is ranked on the same national subset ($scope);
-- $visible limits which courts' rows are returned.
-- Rank = 1 + number of ranked courts with a strictly higher rate (ties share the best rank).
-- Cutoff = the k-th highest rate among ranked courts (the lowest if fewer than k are ranked).
-- Gap = max(0, ceil((cutoff * concluded - fully performed) / (1 - cutoff))), in exact
-- integer arithmetic with cutoff = cutoff_fp / cutoff_concluded. Formulas: docs/metrics.md.
WITH per_court_type AS (
    SELECT
        court_code,
        case_type,
        count(*) FILTER (WHERE concluded_in_p)       AS concluded,
        count(*) FILTER (WHERE fully_performed_in_p) AS fully_performed,
        sum(amount_applied) FILTER (WHERE concluded_in_p)   AS amount_applied,
        sum(amount_recovered) FILTER (WHERE concluded_in_p) AS amount_recovered,
        count(*) FILTER (WHERE pending_at_d)         AS pending
    FROM case_status($scope, $as_of, $period_start)
    GROUP BY court_code, case_type
),
per_ranking_raw AS (
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
    SELECT 'overall' AS ranking, 'overall' AS target
    UNION ALL
    SELECT code, 'specific_type' FROM case_types WHERE specific
),
scored AS (
    SELECT
        r.ranking,
        co.court_code,
        co.province,
        t.metric,
        t.target_rank,
        t.min_concluded,
        CAST(coalesce(x.concluded, 0) AS BIGINT)       AS concluded,
        CAST(coalesce(x.fully_performed, 0) AS BIGINT) AS fully_performed,
        CAST(coalesce(x.amount_applied, 0) AS DOUBLE)   AS amount_applied,
        CAST(coalesce(x.amount_recovered, 0) AS DOUBLE) AS amount_recovered,
        CAST(coalesce(x.pending, 0) AS BIGINT)         AS pending,
        CASE t.metric
            WHEN 'amount_recovery_rate'
                THEN CAST(x.amount_recovered AS DOUBLE) / nullif(CAST(x.amount_applied AS DOUBLE), 0)
            ELSE x.fully_performed / nullif(x.concluded, 0)
        END AS rate
    FROM rankings r
    JOIN targets t ON t.target = r.target
    CROSS JOIN courts co
    LEFT JOIN per_ranking_raw x ON x.ranking = r.ranking AND x.court_code = co.court_code
),
flagged AS (
    SELECT *, (concluded >= min_concluded AND rate IS NOT NULL) AS is_ranked FROM scored
),
ranked AS (
    SELECT
        *,
        rank() OVER (PARTITION BY ranking ORDER BY rate DESC)        AS rank,
        row_number() OVER (PARTITION BY ranking ORDER BY rate DESC, court_code) AS position,
        count(*) OVER (PARTITION BY ranking)                         AS ranked_courts
    FROM flagged
    WHERE is_ranked
),
cutoffs AS (
    SELECT ranking, ranked_courts, rate AS cutoff, fully_performed AS cutoff_fp,
           concluded AS cutoff_concluded
    FROM ranked
    WHERE position = least(target_rank, ranked_courts)
)
SELECT
    f.ranking,
    f.court_code,
    f.province,
    f.metric,
    f.target_rank,
    f.min_concluded,
    f.concluded,
    f.fully_performed,
    f.amount_applied,
    f.amount_recovered,
    f.pending,
    f.rate,
    f.is_ranked,
    r.rank,
    coalesce(c.ranked_courts, 0) AS ranked_courts,
    c.cutoff,
    CASE
        WHEN NOT f.is_ranked OR f.metric <> 'overall_rate' THEN NULL
        WHEN c.cutoff_fp = c.cutoff_concluded
            THEN CASE WHEN f.fully_performed = f.concluded THEN 0 END
        WHEN c.cutoff_fp * f.concluded - f.fully_performed * c.cutoff_concluded <= 0 THEN 0
        ELSE (c.cutoff_fp * f.concluded - f.fully_performed * c.cutoff_concluded
              + (c.cutoff_concluded - c.cutoff_fp) - 1) // (c.cutoff_concluded - c.cutoff_fp)
    END AS gap,
    CASE
        WHEN NOT f.is_ranked OR f.metric <> 'amount_recovery_rate' THEN NULL
        ELSE greatest(0, ceil(c.cutoff * f.amount_applied - f.amount_recovered))
    END AS amount_gap,
    coalesce(r.rank <= f.target_rank, false) AS meets_target
FROM flagged f
LEFT JOIN ranked r ON r.ranking = f.ranking AND r.court_code = f.court_code
LEFT JOIN cutoffs c ON c.ranking = f.ranking
WHERE $visible IS NULL OR list_contains($visible, f.court_code)
ORDER BY f.ranking, r.rank NULLS LAST, f.court_code;
