-- The 终本 audit, case by case: every case of the scope closed by termination of the
-- current procedure (终本) in the period [$period_start, $as_of], with each closing
-- condition, the conditions it misses (termination_missing, the same definition as the
-- 3+1 index) and the months from filing to closing. Unqualified first, then newest.
SELECT
    s.case_number, s.court_code, s.case_type, s.filed_on, s.closed_on,
    CAST(s.amount_applied AS DOUBLE) AS amount_yuan,
    s.respondent_name, s.judge,
    s.notice_served, s.consumption_restricted, s.dishonest_listed, s.network_inquiry_done,
    s.site_investigation_done, s.applicant_informed,
    date_diff('month', s.filed_on, s.closed_on)
        - CASE WHEN day(s.closed_on) < day(s.filed_on) THEN 1 ELSE 0 END AS months_to_close,
    termination_missing(s.notice_served, s.consumption_restricted, s.dishonest_listed,
                        s.network_inquiry_done, s.site_investigation_done,
                        s.applicant_informed, s.filed_on, s.closed_on) AS missing
FROM case_status($scope, $as_of, $period_start) s
WHERE s.terminated_current_in_p
ORDER BY len(missing) = 0, s.closed_on DESC, s.case_number;
