-- Respondents in scope whose name or ID number contains $text (case-insensitive), most
-- pending cases first: the key that opens each (md5 of the ID number), name, kind, cases,
-- pending cases and the value of all their cases. At most $limit.
SELECT md5(respondent_id) AS respondent_key,
       any_value(respondent_name) AS respondent_name,
       any_value(respondent_kind) AS respondent_kind,
       count(*) AS cases,
       count(*) FILTER (WHERE method_at_d IS NULL) AS pending,
       count(DISTINCT court_code) AS courts,
       CAST(sum(amount_applied) AS DOUBLE) AS value_yuan
FROM cases_at($scope, $as_of)
WHERE contains(lower(respondent_name), lower($text))
   OR contains(lower(respondent_id), lower($text))
GROUP BY respondent_id
ORDER BY pending DESC, cases DESC, value_yuan DESC
LIMIT $limit;
