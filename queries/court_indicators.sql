-- Volume, rate, speed and age indicators for each visible court, its province (pooled)
-- and the nation (pooled), as of $as_of over the period [$period_start, $as_of].
-- Cases are the national subset chosen by $scope; $visible limits which courts' rows
-- are returned (province and national rows pool every court, so "below the province"
-- means the same for every user).
-- Formulas: docs/metrics.md.
WITH per_group AS (
    SELECT
        CASE WHEN GROUPING(court_code) = 0 THEN 'court'
             WHEN GROUPING(province) = 0 THEN 'province' ELSE 'nation' END AS level,
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
        avg(closed_on - filed_on) FILTER (WHERE concluded_in_p) AS mean_days_to_close,
        median($as_of - filed_on) FILTER (WHERE pending_at_d)   AS median_pending_days
    FROM case_status($scope, $as_of, $period_start)
    GROUP BY GROUPING SETS ((province, court_code), (province), ())
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
    coalesce(handled, 0)            AS handled,
    coalesce(filed, 0)              AS filed,
    coalesce(concluded, 0)          AS concluded,
    coalesce(fully_performed, 0)    AS fully_performed,
    coalesce(actually_concluded, 0) AS actually_concluded,
    coalesce(terminated_current, 0) AS terminated_current,
    coalesce(pending, 0)            AS pending,
    CAST(coalesce(amount_applied, 0) AS DOUBLE)   AS amount_applied,
    CAST(coalesce(amount_recovered, 0) AS DOUBLE) AS amount_recovered,
    fully_performed / nullif(concluded, 0)                 AS overall_rate,
    CAST(amount_recovered / nullif(amount_applied, 0) AS DOUBLE) AS amount_recovery_rate,
    concluded / nullif(handled, 0)                         AS closure_rate,
    actually_concluded / nullif(handled, 0)                AS actual_conclusion_rate,
    terminated_current / nullif(concluded, 0)              AS termination_rate,
    mean_days_to_close,
    concluded / nullif(filed, 0)                           AS clearance_rate,
    (CAST($as_of AS DATE) - CAST($period_start AS DATE) + 1) * pending / nullif(concluded, 0)
                                                           AS disposition_time_days,
    median_pending_days,
    pending_over_6_months / nullif(pending, 0)             AS share_pending_over_6_months
FROM all_rows
ORDER BY level, province, court_code;
