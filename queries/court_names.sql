-- Names and attributes of the visible courts ($visible NULL = all).
SELECT court_code, name, name_en, province, level, kind
FROM visible_courts($visible)
ORDER BY province, level, court_code;
