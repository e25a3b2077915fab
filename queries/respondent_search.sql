-- Respondents in scope whose name contains $text, or whose ID number contains it
-- ($id_partial: a role that sees full ID numbers) or is it (other roles: the whole number,
-- so that masked numbers cannot be read back by narrowing searches), case-insensitive; most
-- pending cases first. Each with its reference (HMAC-SHA256 of the ID number under the
-- server's key, its inner and outer pads $ref_inner and $ref_outer: supervision.security.personal;
-- computed for the rows returned only), the ID number (masked by supervision.views for
-- roles without full numbers), name, kind, cases, pending cases, courts and the value of
-- all their cases. At most $limit.
WITH found AS (
    SELECT respondent_id,
           any_value(respondent_name) AS respondent_name,
           any_value(respondent_kind) AS respondent_kind,
           count(*) AS cases,
           count(*) FILTER (WHERE method_at_d IS NULL) AS pending,
           count(DISTINCT court_code) AS courts,
           CAST(sum(amount_applied) AS DOUBLE) AS value_yuan
    FROM cases_at($scope, $as_of)
    WHERE contains(lower(respondent_name), lower($text))
       OR CASE WHEN $id_partial THEN contains(lower(respondent_id), lower($text))
               ELSE lower(respondent_id) = lower($text) END
    GROUP BY respondent_id
    ORDER BY pending DESC, cases DESC, value_yuan DESC, respondent_id
    LIMIT $limit
)
SELECT substr(sha256($ref_outer || unhex(sha256($ref_inner || encode(respondent_id)))), 1, 32)
           AS respondent_key,
       *
FROM found
ORDER BY pending DESC, cases DESC, value_yuan DESC, respondent_id;
