-- The "3+1" core indices for each visible court, its province and the nation (pooled).
-- 1 property_within_limit: first-enforcement cases with property whose statutory deadline
--   (filing + 6 calendar months, clamped) falls in the period; share actually concluded
--   (not 终本) on or before the deadline.
-- 2 termination_qualified: 终本 closings in the period meeting all six conditions and closed
--   at least 3 calendar months after filing (a NULL condition counts as not satisfied).
-- 3 petitions_resolved: petitions received in the period, share resolved by $as_of.
-- 4 three_year_conclusion: cases filed from 1 January three years before $as_of's year up to
--   $as_of, share concluded (any method, 终本 included) by $as_of.
WITH petitions_in_p AS (
    -- petitions are few: count them per case first, then join them onto the one case scan
    SELECT case_number,
           count(*) AS petitions,
           count(*) FILTER (WHERE resolved_on <= $as_of) AS petitions_resolved
    FROM petitions
    WHERE received_on BETWEEN $period_start AND $as_of
    GROUP BY case_number
),
per_case AS (
    SELECT
        s.province,
        s.court_code,
        (s.case_kind = 'first' AND s.has_property
            AND s.statutory_deadline BETWEEN $period_start AND $as_of) AS property_due,
        (s.actually_concluded_by_d AND s.closed_on <= s.statutory_deadline) AS concluded_in_limit,
        s.terminated_current_in_p AS termination,
        -- date arithmetic only for the few 终本 closings (CASE evaluates lazily)
        CASE WHEN s.terminated_current_in_p THEN
            coalesce(s.notice_served, false) AND coalesce(s.consumption_restricted, false)
            AND coalesce(s.dishonest_listed, false) AND coalesce(s.network_inquiry_done, false)
            AND coalesce(s.site_investigation_done, false)
            AND coalesce(s.applicant_informed, false)
            AND s.closed_on >= CAST(s.filed_on + INTERVAL 3 MONTH AS DATE)
        ELSE false END AS conditions_met,
        (s.filed_on >= make_date(year(CAST($as_of AS DATE)) - 3, 1, 1)) AS in_three_years,
        (s.method_at_d IS NOT NULL)                                     AS concluded_by_d,
        coalesce(p.petitions, 0)          AS petitions,
        coalesce(p.petitions_resolved, 0) AS petitions_resolved
    FROM case_status($scope, $as_of, $period_start) s
    LEFT JOIN petitions_in_p p ON p.case_number = s.case_number
),
per_court AS (
    -- one pass over the cases; counts roll up exactly to provinces and the nation
    SELECT
        province,
        court_code,
        count(*) FILTER (WHERE property_due)                           AS property_due,
        count(*) FILTER (WHERE property_due AND concluded_in_limit)    AS property_in_limit,
        count(*) FILTER (WHERE termination)                            AS terminations,
        count(*) FILTER (WHERE termination AND conditions_met)         AS terminations_qualified,
        sum(petitions)                                                 AS petitions,
        sum(petitions_resolved)                                        AS petitions_resolved,
        count(*) FILTER (WHERE in_three_years)                         AS three_year_cases,
        count(*) FILTER (WHERE in_three_years AND concluded_by_d)      AS three_year_concluded
    FROM per_case
    GROUP BY province, court_code
),
per_group AS (
    SELECT 'court' AS level, * FROM per_court
    UNION ALL BY NAME
    SELECT CASE WHEN GROUPING(province) = 0 THEN 'province' ELSE 'nation' END AS level,
           province, NULL AS court_code,
           sum(property_due) AS property_due, sum(property_in_limit) AS property_in_limit,
           sum(terminations) AS terminations,
           sum(terminations_qualified) AS terminations_qualified,
           sum(petitions) AS petitions, sum(petitions_resolved) AS petitions_resolved,
           sum(three_year_cases) AS three_year_cases,
           sum(three_year_concluded) AS three_year_concluded
    FROM per_court
    GROUP BY GROUPING SETS ((province), ())
),
all_rows AS (
    SELECT 'court' AS level, v.province, v.court_code, g.* EXCLUDE (level, province, court_code)
    FROM visible_courts($visible) v
    LEFT JOIN per_group g ON g.level = 'court' AND g.court_code = v.court_code
    UNION ALL BY NAME
    SELECT * FROM per_group WHERE level <> 'court'
)
SELECT
    level, province, court_code,
    CAST(coalesce(property_due, 0) AS BIGINT) AS property_due,
    CAST(coalesce(property_in_limit, 0) AS BIGINT) AS property_in_limit,
    CAST(coalesce(terminations, 0) AS BIGINT) AS terminations,
    CAST(coalesce(terminations_qualified, 0) AS BIGINT) AS terminations_qualified,
    CAST(coalesce(petitions, 0) AS BIGINT) AS petitions,
    CAST(coalesce(petitions_resolved, 0) AS BIGINT) AS petitions_resolved,
    CAST(coalesce(three_year_cases, 0) AS BIGINT) AS three_year_cases,
    CAST(coalesce(three_year_concluded, 0) AS BIGINT) AS three_year_concluded,
    property_in_limit / nullif(property_due, 0)         AS property_within_limit,
    terminations_qualified / nullif(terminations, 0)    AS termination_qualified,
    petitions_resolved / nullif(petitions, 0)           AS petitions_resolved_rate,
    three_year_concluded / nullif(three_year_cases, 0)  AS three_year_conclusion
FROM all_rows
ORDER BY level, province, court_code;
