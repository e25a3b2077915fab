-- Every count behind the volume/rate/speed/age indicators and the "3+1" core indices, in
-- one scan, for each visible court, its province (pooled) and the nation (pooled), as of
-- $as_of over the period [$period_start, $as_of]: counts only. The rates are computed from
-- them by the one declaration of each metric (supervision/domain/metric_declarations.py
-- `with_rates`, applied by metrics.court_counts).
-- Cases are the national subset chosen by $scope; $visible limits which courts' rows are
-- returned (province and national rows pool every court, so "below the province" means
-- the same for every user). Formulas: docs/metrics.md.
-- Core indices:
-- 1 property_within_limit: first-enforcement cases with property whose statutory deadline
--   (filing + 6 calendar months, clamped) falls in the period; share actually concluded
--   (not 终本) on or before the deadline.
-- 2 termination_qualified: 终本 closings in the period meeting all six conditions and closed
--   at least 3 calendar months after filing (a NULL condition counts as not satisfied).
-- 3 petitions_resolved: petitions received in the period, share resolved by $as_of.
-- 4 three_year_conclusion: cases filed from 1 January three years before $as_of's year up to
--   $as_of, share concluded (any method, 终本 included) by $as_of.
WITH per_case AS (
    SELECT * FROM case_core_status($scope, $as_of, $period_start)
),
per_court AS (
    -- one pass over the cases; counts and sums roll up exactly to provinces and the nation
    SELECT
        province,
        court_code,
        count_if(handled_in_p)            AS handled,
        count_if(filed_in_p)              AS filed,
        count_if(concluded_in_p)          AS concluded,
        count_if(fully_performed_in_p)    AS fully_performed,
        count_if(actually_concluded_in_p) AS actually_concluded,
        count_if(terminated_current_in_p) AS terminated_current,
        count_if(pending_at_d)            AS pending,
        count_if(pending_at_d AND statutory_deadline < $as_of)
                                                        AS pending_over_6_months,
        sum(amount_applied) FILTER (WHERE concluded_in_p)   AS amount_applied,
        sum(amount_recovered) FILTER (WHERE concluded_in_p) AS amount_recovered,
        sum(closed_on - filed_on) FILTER (WHERE concluded_in_p) AS days_to_close,
        -- a median does not roll up: it is given for courts only, the visible ones (a
        -- median per court of the nation is the dearest figure here and no page needs it)
        median($as_of - filed_on) FILTER (WHERE pending_at_d AND
            ($visible IS NULL OR list_contains($visible, court_code)))   AS median_pending_days,
        count_if(property_due)                           AS property_due,
        count_if(property_in_limit)                      AS property_in_limit,
        count_if(terminated_current_in_p)                AS terminations,
        count_if(conditions_met)                         AS terminations_qualified,
        sum(case_petitions)                                            AS petitions,
        sum(case_petitions_resolved)                                   AS petitions_resolved,
        count_if(in_three_years)                         AS three_year_cases,
        count_if(three_year_concluded)                   AS three_year_concluded
    FROM per_case
    GROUP BY province, court_code
),
per_group AS (
    SELECT 'court' AS level, * FROM per_court
    UNION ALL BY NAME
    SELECT CASE WHEN GROUPING(province) = 0 THEN 'province' ELSE 'nation' END AS level,
           province, NULL AS court_code,
           COLUMNS(* EXCLUDE (province, court_code, median_pending_days)).sum(),
           NULL AS median_pending_days
    FROM per_court
    GROUP BY GROUPING SETS ((province), ())
),
all_rows AS (
    SELECT 'court' AS level, v.province, v.court_code, g.* EXCLUDE (level, province, court_code)
    FROM visible_courts($visible) v
    LEFT JOIN per_group g ON g.level = 'court' AND g.court_code = v.court_code
    UNION ALL BY NAME
    SELECT * FROM per_group WHERE level <> 'court'
),
counted AS (
    SELECT level, province, court_code, median_pending_days,
           COLUMNS(* EXCLUDE (level, province, court_code, median_pending_days,
                              amount_applied, amount_recovered))::BIGINT,
           CAST(coalesce(amount_applied, 0) AS DOUBLE) AS amount_applied,
           CAST(coalesce(amount_recovered, 0) AS DOUBLE) AS amount_recovered
    FROM (SELECT level, province, court_code, median_pending_days,
                 COLUMNS(* EXCLUDE (level, province, court_code, median_pending_days))
                     .coalesce(0)
          FROM all_rows)
)
SELECT *
FROM counted
ORDER BY level, province, court_code;
