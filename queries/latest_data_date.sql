-- The span of dates the data knows of: the first filing, and the last filing or closing
-- (the latest is the default as-of date).
SELECT min(filed_on) AS earliest,
       max(greatest(filed_on, coalesce(closed_on, filed_on))) AS latest
FROM cases;
