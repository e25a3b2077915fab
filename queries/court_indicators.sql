-- Volume, rate, speed and age indicators for each visible court, its province (pooled)
-- and the nation (pooled), as of $as_of over the period [$period_start, $as_of].
-- Cases are the national subset chosen by $scope; $visible limits which courts' rows
-- are returned (province and national rows pool every court, so "below the province"
-- means the same for every user).
-- Formulas: docs/metrics.md.
WITH per_court AS (
    -- one pass over the cases; counts and sums roll up exactly to provinces and the nation
    SELECT
        province,
        court_code,
        count(*) FILTER (WHERE handled_in_p)            AS handled,
        count(*) FILTER (WHERE filed_in_p)              AS filed,
        count(*) FILTER (WHERE concluded_in_p)          AS concluded,
        count(*) FILTER (WHERE fully_performed_in_p)    AS fully_performed,
        count(*) FILTER (WHERE actually_concluded_in_p) AS actually_concluded,
        count(*) FILTER (WHERE terminated_current_in_p) AS terminated_current,
        count(*) FILTER (WHERE pending_at_d)            AS pending,
        count(*) FILTER (WHERE pending_at_d AND statutory_deadline < $as_of)
                                                        AS pending_over_6_months,
        sum(amount_applied) FILTER (WHERE concluded_in_p)   AS amount_applied,
        sum(amount_recovered) FILTER (WHERE concluded_in_p) AS amount_recovered,
        sum(closed_on - filed_on) FILTER (WHERE concluded_in_p) AS days_to_close,
        -- a median does not roll up: it is given for courts only
        median($as_of - filed_on) FILTER (WHERE pending_at_d)   AS median_pending_days
    FROM case_status($scope, $as_of, $period_start)
    GROUP BY province, court_code
),
per_group AS (
    SELECT 'court' AS level, * FROM per_court
    UNION ALL BY NAME
    SELECT CASE WHEN GROUPING(province) = 0 THEN 'province' ELSE 'nation' END AS level,
           province, NULL AS court_code,
           sum(handled) AS handled, sum(filed) AS filed, sum(concluded) AS concluded,
           sum(fully_performed) AS fully_performed,
           sum(actually_concluded) AS actually_concluded,
           sum(terminated_current) AS terminated_current, sum(pending) AS pending,
           sum(pending_over_6_months) AS pending_over_6_months,
           sum(amount_applied) AS amount_applied, sum(amount_recovered) AS amount_recovered,
           sum(days_to_close) AS days_to_close, NULL AS median_pending_days
    FROM per_court
    GROUP BY GROUPING SETS ((province), ())
),
court_rows AS (
    SELECT 'court' AS level, v.province, v.court_code, g.* EXCLUDE (level, province, court_code)
    FROM visible_courts($visible) v
    LEFT JOIN per_group g ON g.level = 'court' AND g.court_code = v.court_code
),
all_rows AS (
    SELECT * FROM court_rows
    UNION ALL BY NAME
    SELECT * FROM per_group WHERE level <> 'court'
)
SELECT
    level,
    province,
    court_code,
    CAST(coalesce(handled, 0) AS BIGINT) AS handled,
    CAST(coalesce(filed, 0) AS BIGINT) AS filed,
    CAST(coalesce(concluded, 0) AS BIGINT) AS concluded,
    CAST(coalesce(fully_performed, 0) AS BIGINT) AS fully_performed,
    CAST(coalesce(actually_concluded, 0) AS BIGINT) AS actually_concluded,
    CAST(coalesce(terminated_current, 0) AS BIGINT) AS terminated_current,
    CAST(coalesce(pending, 0) AS BIGINT) AS pending,
    CAST(coalesce(amount_applied, 0) AS DOUBLE)   AS amount_applied,
    CAST(coalesce(amount_recovered, 0) AS DOUBLE) AS amount_recovered,
    fully_performed / nullif(concluded, 0)                 AS overall_rate,
    CAST(amount_recovered / nullif(amount_applied, 0) AS DOUBLE) AS amount_recovery_rate,
    concluded / nullif(handled, 0)                         AS closure_rate,
    actually_concluded / nullif(handled, 0)                AS actual_conclusion_rate,
    terminated_current / nullif(concluded, 0)              AS termination_rate,
    days_to_close / nullif(concluded, 0)                   AS mean_days_to_close,
    concluded / nullif(filed, 0)                           AS clearance_rate,
    (CAST($as_of AS DATE) - CAST($period_start AS DATE) + 1) * pending / nullif(concluded, 0)
                                                           AS disposition_time_days,
    median_pending_days,
    pending_over_6_months / nullif(pending, 0)             AS share_pending_over_6_months
FROM all_rows
ORDER BY level, province, court_code;
