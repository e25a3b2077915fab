-- Whether the data carry the settlement ruling at all (any case with settlement_ruling_on):
-- without it, closings lacking a ruling cannot be told from data that never recorded one.
SELECT count(settlement_ruling_on) > 0 AS recorded
FROM cases;
