-- The latest date the data knows of: the last filing or closing (the default as-of date).
SELECT max(greatest(filed_on, coalesce(closed_on, filed_on))) AS latest
FROM cases;
