-- The 终本 audit by court and month of closing: 终本 closings in the period, how many
-- qualified (termination_missing empty), how many closed within 3 months of filing, and
-- resumed cases (恢复执行) filed in the month against a respondent with an earlier 终本
-- closing of that court: a sign of closing too early. One row per court and month.
WITH terminations AS (
    SELECT court_code, date_trunc('month', closed_on)::DATE AS month,
           termination_missing(notice_served, consumption_restricted, dishonest_listed,
                               network_inquiry_done, site_investigation_done,
                               applicant_informed, filed_on, closed_on) AS missing
    FROM case_status($scope, $as_of, $period_start)
    WHERE terminated_current_in_p
),
per_month AS (
    SELECT court_code, month,
           count(*) AS terminations,
           count(*) FILTER (WHERE len(missing) = 0) AS qualified,
           count(*) FILTER (WHERE list_contains(missing, 'closed_within_3_months'))
               AS closed_within_3_months
    FROM terminations
    GROUP BY court_code, month
),
earlier_terminations AS (
    -- respondent and court of every 终本 closing up to $as_of (any year)
    SELECT DISTINCT court_code, respondent_id, closed_on
    FROM cases_at($scope, $as_of)
    WHERE terminated_current_by_d
),
resumed AS (
    SELECT r.court_code, date_trunc('month', r.filed_on)::DATE AS month,
           count(DISTINCT r.case_number) AS resumed_after_termination
    FROM cases_at($scope, $as_of) r
    JOIN earlier_terminations e
      ON e.court_code = r.court_code AND e.respondent_id = r.respondent_id
     AND e.closed_on < r.filed_on
    WHERE r.case_kind = 'resumed' AND r.filed_on BETWEEN $period_start AND $as_of
    GROUP BY 1, 2
)
SELECT coalesce(p.court_code, r.court_code) AS court_code,
       coalesce(p.month, r.month) AS month,
       coalesce(p.terminations, 0) AS terminations,
       coalesce(p.qualified, 0) AS qualified,
       p.qualified / nullif(p.terminations, 0) AS qualified_rate,
       coalesce(p.closed_within_3_months, 0) AS closed_within_3_months,
       coalesce(r.resumed_after_termination, 0) AS resumed_after_termination
FROM per_month p
FULL JOIN resumed r ON r.court_code = p.court_code AND r.month = p.month
ORDER BY court_code, month;
