-- Cases of the scope with an enforcement settlement (执行和解) agreed by $as_of: the agreed
-- and due dates, whether it is long-term (due $long_term_days or more after agreement),
-- the status as of $as_of and how the case closed, days past the due date (pending: to
-- $as_of; closed: to the closing date; 0 when on time), and whether a closing lacks a
-- recorded ruling (settlement_ruling_on NULL or after $as_of). Flagged and late first.
SELECT
    s.case_number, s.court_code, s.case_type, s.filed_on,
    CAST(s.amount_applied AS DOUBLE) AS amount_yuan,
    s.settlement_on, s.settlement_due_on,
    date_diff('day', s.settlement_on, s.settlement_due_on) >= $long_term_days AS long_term,
    s.status_at_d AS status,
    CASE WHEN s.method_at_d IS NOT NULL THEN s.closed_on END AS closed_on,
    greatest(0, date_diff('day', s.settlement_due_on,
                          CASE WHEN s.method_at_d IS NOT NULL THEN s.closed_on
                               ELSE CAST($as_of AS DATE) END)) AS days_overdue,
    CASE WHEN s.settlement_ruling_on <= $as_of THEN s.settlement_ruling_on END
        AS settlement_ruling_on,
    (s.method_at_d IS NOT NULL
        AND (s.settlement_ruling_on IS NULL OR s.settlement_ruling_on > $as_of))
        AS closed_without_ruling,
    s.respondent_name, s.judge
FROM cases_at($scope, $as_of) s
WHERE s.settlement_on IS NOT NULL AND s.settlement_on <= $as_of
ORDER BY closed_without_ruling DESC, days_overdue DESC, s.settlement_on, s.case_number
LIMIT $limit;
