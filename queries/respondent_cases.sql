-- Every case of one respondent in scope (the courts the user may see) as of $as_of. The
-- respondent is named by $respondent_key, its reference: HMAC-SHA256 of its ID number under
-- the server's key (inner and outer pads $ref_inner, $ref_outer: supervision.security.personal), so
-- that no ID number, nor anything it can be recomputed from, travels in a URL. With its
-- petitions (received by $as_of) and, while pending, the days since filing; the ID number
-- is masked by supervision.views for roles without full numbers. $respondent_id, when the
-- process handed this reference out lately (personal.known_number), narrows the cases to
-- that number first, so that the HMAC is computed for its cases only; NULL: for every case
-- in scope. Pending first, then the largest value.
WITH petitions_per_case AS (
    SELECT case_number, count(*) AS petitions
    FROM petitions
    WHERE received_on <= $as_of
    GROUP BY case_number
)
SELECT
    s.case_number, s.court_code, s.case_kind, s.case_type, s.filed_on,
    CASE WHEN s.method_at_d IS NOT NULL THEN s.closed_on END AS closed_on,
    s.status_at_d AS status,
    CAST(s.amount_applied AS DOUBLE) AS amount_yuan,
    CAST(s.amount_recovered AS DOUBLE) AS recovered_yuan,
    s.judge,
    coalesce(p.petitions, 0) AS petitions,
    CASE WHEN s.method_at_d IS NULL THEN CAST($as_of - s.filed_on AS BIGINT) END AS days_pending,
    s.respondent_name, s.respondent_kind, s.respondent_id
FROM cases_at($scope, $as_of) s
LEFT JOIN petitions_per_case p ON p.case_number = s.case_number
WHERE ($respondent_id IS NULL OR s.respondent_id = $respondent_id)
  AND substr(sha256($ref_outer || unhex(sha256($ref_inner || encode(s.respondent_id)))), 1, 32)
      = $respondent_key
ORDER BY s.method_at_d IS NOT NULL, s.amount_applied DESC, s.case_number;
