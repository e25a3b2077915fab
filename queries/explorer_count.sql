-- How many cases (that exist on $as_of) match the explorer's filters, and their value.
SELECT count(*) AS cases, CAST(coalesce(sum(amount_applied), 0) AS DOUBLE) AS value_yuan
FROM cases_in_scope($scope)
WHERE filed_on <= $as_of;
