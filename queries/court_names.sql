-- Names and attributes of the visible courts ($visible NULL = all), in the order a court
-- picker lists them: by province; the higher court first; then each city's intermediate
-- court followed by its basic courts (court codes follow that hierarchy); courts of
-- special jurisdiction (maritime, IP, railway …) grouped last.
SELECT court_code, name, name_en, province, level, kind
FROM visible_courts($visible)
ORDER BY province, level <> 'high', kind <> 'general', court_code;
