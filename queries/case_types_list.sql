-- Case types, the five specific ones first.
SELECT code, name, name_en, specific FROM case_types ORDER BY specific DESC, code;
