-- Respondents with two or more pending cases on $as_of in scope (related cases to
-- coordinate): how many, in how many courts, their total value. Largest first. Each with
-- its reference (HMAC-SHA256 of the ID number, as in respondent_search.sql; computed for
-- the rows returned only) and ID number (masked by supervision.views for roles without
-- full numbers).
WITH related AS (
    SELECT respondent_id,
           any_value(respondent_name) AS respondent_name,
           any_value(respondent_kind) AS respondent_kind,
           count(*) AS cases,
           count(DISTINCT court_code) AS courts,
           CAST(sum(amount_applied) AS DOUBLE) AS value_yuan,
           string_agg(DISTINCT court_code, ', ' ORDER BY court_code) AS court_codes
    FROM pending_at($scope, $as_of)
    GROUP BY respondent_id
    HAVING count(*) >= 2
    ORDER BY cases DESC, value_yuan DESC, respondent_id
    LIMIT $limit
)
SELECT substr(sha256($ref_outer || unhex(sha256($ref_inner || encode(respondent_id)))), 1, 32)
           AS respondent_key,
       *
FROM related
ORDER BY cases DESC, value_yuan DESC, respondent_id;
