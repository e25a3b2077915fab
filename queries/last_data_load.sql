-- When the data was last generated or imported (the freshness pages and exports show).
SELECT max(loaded_at) AS loaded_at
FROM data_loads;
