-- Respondents with two or more pending cases on $as_of in scope (related cases to
-- coordinate): how many, in how many courts, their total value. Largest first.
SELECT md5(respondent_id) AS respondent_key,
       any_value(respondent_name) AS respondent_name,
       any_value(respondent_kind) AS respondent_kind,
       count(*) AS cases,
       count(DISTINCT court_code) AS courts,
       CAST(sum(amount_applied) AS DOUBLE) AS value_yuan,
       string_agg(DISTINCT court_code, ', ' ORDER BY court_code) AS court_codes
FROM pending_at($scope, $as_of)
GROUP BY respondent_id
HAVING count(*) >= 2
ORDER BY cases DESC, value_yuan DESC
LIMIT $limit;
