-- The name of one province-level court system ($province: its short name, e.g. 琼).
SELECT province, name, name_en FROM provinces WHERE province = $province;
