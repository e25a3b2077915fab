-- Value bands in yuan, [min_yuan, max_yuan).
SELECT band, name, name_en, CAST(min_yuan AS DOUBLE) AS min_yuan,
       CAST(max_yuan AS DOUBLE) AS max_yuan
FROM value_bands ORDER BY sort_order;
