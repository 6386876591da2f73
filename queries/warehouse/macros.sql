-- Parsing macros for staged text cells; temp, so they live only in the build connection.
-- Staging works in levels (etl/stage.py): p_squash once per cell, p_blank on that, then the typed
-- parsers. Plain string functions on the hot path; regexes only for the rare cells the fast path
-- cannot read (one regex per cell costs ~0.5 s per million rows).
create or replace temp macro p_squash(s) as
    trim(replace(replace(replace(replace(replace(s, chr(160), ' '), chr(8239), ' '), chr(8201), ' '), chr(9), ' '), chr(10), ' '));

create or replace temp macro p_blank(t) as
    case when t in ('', '--', '-', '—', '–', 'n/a', 'N/A', '#N/A', 'null', 'NULL') then null else t end;

create or replace temp macro p_text(s) as p_blank(p_squash(s));

-- "1 234 567,50", "125 000 руб.", "7000 ₽", "$1,234.50", "5.11%": separators, marks and words go;
-- a typographic minus (U+2212, as Word and macOS write it) or an en dash is a minus.
create or replace temp macro p_numstrip(t) as
    replace(replace(replace(replace(replace(replace(replace(replace(replace(
        translate(lower(t), '−– ₽$€%''', '--'), 'руб.', ''), 'руб', ''), 'р.', ''), 'р', ''), 'rub', ''), 'rur', ''),
        'usd', ''), 'eur', ''), '+', '');

-- "(1234)" is an accountant's minus.
create or replace temp macro p_numsign(u) as
    case when starts_with(u, '(') and ends_with(u, ')') then '-' || u[2:-2] else u end;

-- The decimal mark of a number's text, where the text tells: the later of ',' and '.' when both are
-- there ("1.234,56", "1,234.56"), neither when one repeats ("1,234,567", "1.234.567" group thousands),
-- ',' before other than three digits ("0,5", "1,2345": no thousands group). Only "1,234" is the
-- locale's: loc 'ru' (comma decimals, 1C's "1,000" is one) or 'en' (comma thousands, a thousand).
create or replace temp macro p_numdec(u, loc) as
    case when contains(u, ',') and contains(u, '.')
              then case when strpos(reverse(u), ',') < strpos(reverse(u), '.') then ',' else '.' end
         when length(u) - length(replace(u, ',', '')) > 1 then '.'
         when length(u) - length(replace(u, '.', '')) > 1 then ','
         when contains(u, ',') and (loc = 'ru' or not regexp_matches(u, ',\d{3}$')) then ','
         else '.' end;

create or replace temp macro p_numtext(u, loc) as
    case when p_numdec(u, loc) = ',' then replace(replace(u, '.', ''), ',', '.') else replace(u, ',', '') end;

create or replace temp macro p_num(t, loc) as try_cast(p_numtext(p_numsign(p_numstrip(p_text(t))), loc) as double);

-- The forms exports use most, tried first and without any regex.
create or replace temp macro p_ts_fast(t) as
    try_strptime(t, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y', '%Y-%m-%d %H:%M:%S',
                     '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y-%m-%d',
                     '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y', '%Y/%m/%d %H:%M:%S',
                     '%Y/%m/%d', '%Y.%m.%d']);

-- Fractions of seconds and time-zone suffixes go: timestamps are the export's local time. A year's
-- "г." after a dotted date ("05.12.2026 г.") and a comma before the time ("05.12.2026, 14:03", as
-- browsers' toLocaleString writes it) go too.
create or replace temp macro p_tsclean(t) as
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(t,
        '^(\d{1,2}\.\d{1,2}\.\d{4})\s*г\.?', '\1'), '^([\d./-]+),\s*(\d{1,2}:)', '\1 \2'),
        '(\d{1,2}:\d{2}:\d{2})[.,]\d+', '\1'),
        '(\d{1,2}:\d{2}(:\d{2})?)\s*(Z|[+-]\d{2}(:?\d{2})?|UTC|MSK)$', '\1');

-- A month's name as reports write it, Russian (nominative, genitive, short) or English, lower case ->
-- its number; mirrors etl.periods.MONTHS (tests/test_parsing.py holds them to it).
create or replace temp macro p_months() as map_from_entries([
    ('jan', 1), ('january', 1), ('янв', 1), ('январь', 1), ('января', 1),
    ('feb', 2), ('february', 2), ('фев', 2), ('февраль', 2), ('февраля', 2),
    ('mar', 3), ('march', 3), ('мар', 3), ('март', 3), ('марта', 3),
    ('apr', 4), ('april', 4), ('апр', 4), ('апрель', 4), ('апреля', 4),
    ('may', 5), ('май', 5), ('мая', 5),
    ('jun', 6), ('june', 6), ('июн', 6), ('июнь', 6), ('июня', 6),
    ('jul', 7), ('july', 7), ('июл', 7), ('июль', 7), ('июля', 7),
    ('aug', 8), ('august', 8), ('авг', 8), ('август', 8), ('августа', 8),
    ('sep', 9), ('sept', 9), ('september', 9), ('сен', 9), ('сент', 9), ('сентябрь', 9), ('сентября', 9),
    ('oct', 10), ('october', 10), ('окт', 10), ('октябрь', 10), ('октября', 10),
    ('nov', 11), ('november', 11), ('ноя', 11), ('нояб', 11), ('ноябрь', 11), ('ноября', 11),
    ('dec', 12), ('december', 12), ('дек', 12), ('декабрь', 12), ('декабря', 12)
]);

-- A day written with its month's name: "5 декабря 2026", "05 дек. 2026 г., 14:03", "5 December 2026",
-- "5-Dec-2026" (1C and Russian office documents, day-first English UIs).
create or replace temp macro p_ts_words_at(p) as
    try_strptime(p.y || '-' || p_months()[p.m] || '-' || p.d || ' ' || coalesce(nullif(p.hm, ''), '0:00'),
                 ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M']);
create or replace temp macro p_ts_words(t) as
    p_ts_words_at(regexp_extract(lower(t),
        '^(\d{1,2})[\s-]+([a-zа-яё]+)\.?[\s-]+(\d{4})(?:\s*г(?:ода?)?\.?)?,?(?:\s+(\d{1,2}:\d{2}(?::\d{2})?))?$',
        ['d', 'm', 'y', 'hm']));

create or replace temp macro p_ts_body(t, dmy) as
    case when t is null then null
         when regexp_full_match(t, '\d{5}(\.\d+)?') then
              case when t::double between 20000 and 80000
                   then timestamp '1899-12-30' + to_microseconds((t::double * 86400000000)::bigint) end
         else coalesce(
              -- a two-digit year ("05.12.26", as 1C's and Excel's short date writes it): %y, 69-99 the 1900s
              case when regexp_full_match(t, '\d{1,2}\.\d{1,2}\.\d{2}(\s.*)?')
                   then try_strptime(p_tsclean(t), ['%d.%m.%y %H:%M:%S', '%d.%m.%y %H:%M', '%d.%m.%y']) end,
              p_ts_fast(p_tsclean(t)),
              case when dmy then try_strptime(p_tsclean(t), ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y'])
                   else try_strptime(p_tsclean(t), ['%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %I:%M %p',
                                                     '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y']) end,
              -- English month names, as ad-platform UIs write days ("Mar 1, 2025"; "Sat, Mar 1, 2025" loses
              -- its weekday in p_ts_slow first: strptime's %a reads any weekday word and checks none)
              try_strptime(p_tsclean(t), ['%b %d, %Y', '%B %d, %Y']),
              p_ts_words(t))
    end;

-- A weekday's name as dates are written with it ("Пт 05.12.2026", "пт, 5 декабря 2026", "Fri, 5 Dec 2026",
-- "Friday, December 5, 2026"), Russian (short, full) or English (short, full), lower case -> ISO weekday
-- (1 Monday .. 7 Sunday).
create or replace temp macro p_weekdays() as map_from_entries([
    ('mon', 1), ('monday', 1), ('пн', 1), ('пнд', 1), ('понедельник', 1),
    ('tue', 2), ('tues', 2), ('tuesday', 2), ('вт', 2), ('втр', 2), ('вторник', 2),
    ('wed', 3), ('wednesday', 3), ('ср', 3), ('срд', 3), ('среда', 3),
    ('thu', 4), ('thur', 4), ('thurs', 4), ('thursday', 4), ('чт', 4), ('чтв', 4), ('четверг', 4),
    ('fri', 5), ('friday', 5), ('пт', 5), ('птн', 5), ('пятница', 5),
    ('sat', 6), ('saturday', 6), ('сб', 6), ('сбт', 6), ('суббота', 6),
    ('sun', 7), ('sunday', 7), ('вс', 7), ('вск', 7), ('воскресенье', 7)
]);

-- A leading weekday word goes (only a real one: "Пт", "fri.", "Friday,"; any other word leaves the text as it
-- is), and the weekday must be the date's: "Пн 05.12.2026" (a Friday) reads as no date, so the row is
-- rejected or the cell warned about with its text rather than loaded on a day the export did not say.
create or replace temp macro p_ts_weekday(v, wd) as case when isodow(v) = wd then v end;
create or replace temp macro p_ts_slow_at(p, t, dmy) as
    case when p_weekdays()[lower(p.w)] is null then p_ts_body(t, dmy)
         else p_ts_weekday(p_ts_body(p.rest, dmy), p_weekdays()[lower(p.w)]) end;
create or replace temp macro p_ts_slow(t, dmy) as
    p_ts_slow_at(regexp_extract(t, '^([a-zа-яё]+)\.?(?:\s*,\s*|\s+)(\S.*)$', ['w', 'rest'], 'i'), t, dmy);

-- the fast forms' value, unless it has none or a year under 100 (a two-digit year, which p_ts_slow reads)
create or replace temp macro p_ts_pick(fast, t, dmy) as
    case when year(fast) >= 100 then fast else p_ts_slow(p_text(t), dmy) end;
create or replace temp macro p_ts(t, dmy) as p_ts_pick(p_ts_fast(p_text(t)), t, dmy);

-- A month written by its name: "Январь 2026", "янв. 2026 г.", "January 2026", and "янв.26", "Jan-26"
-- (Excel's "МММ.ГГ" / "mmm-yy" saved as text: a two-digit year is this century's).
create or replace temp macro p_month_words_at(p) as
    make_date(try_cast(case when length(p.y) = 2 then '20' || p.y else p.y end as int), p_months()[p.m], 1);
create or replace temp macro p_month_words(t) as
    p_month_words_at(regexp_extract(lower(t), '^([a-zа-яё]+)\.?[\s.-]*(\d{4}|\d{2})(?:\s*г(?:ода?)?\.?)?$',
                                    ['m', 'y']));

create or replace temp macro p_month(t, dmy) as
    date_trunc('month', coalesce(p_ts(t, dmy), try_strptime(p_text(t), ['%Y-%m', '%m.%Y', '%m/%Y']),
                                 p_month_words(p_text(t))));

-- Text as compared with config vocabularies; mirrors etl.config.norm_key character for character
-- (tests/test_vocab_props.py holds them to it). Each space-like character (tab, CR, no-break,
-- narrow no-break, thin, ideographic...) reads as a space, BOM, zero-width space and double quotes
-- of any kind go, runs of spaces become one; then trim, blank markers read as nothing, lower case,
-- ё read as е. Applied to distinct values (lookup tables in the merges), never per row.
create or replace temp macro key_chars() as
    chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(133) || chr(160) || chr(5760) || chr(8192) || chr(8193) || chr(8194) || chr(8195) || chr(8196) || chr(8197) || chr(8198) || chr(8199) || chr(8200) || chr(8201) || chr(8202) || chr(8232) || chr(8233) || chr(8239) || chr(8287) || chr(12288);

-- runs of spaces become one; the regex runs only on text that has such a run (most has none, and a
-- regex per row costs ~0.5 s per million where a caller applies this per row, e.g. reconciliation)
create or replace temp macro key_spaces(t) as
    case when contains(t, '  ') then regexp_replace(t, ' +', ' ', 'g') else t end;

-- whether text has anything key_squash changes besides the ends: one character-class test, which
-- RE2 runs about ten times faster than the translate it spares (most text has none of these)
create or replace temp macro key_special(t) as
    regexp_matches(t, '[\t\n\x{0B}\x{0C}\r\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}\x{200B}"«»“”„]|  ');

create or replace temp macro key_squash(s) as
    trim(case when key_special(s)
              then key_spaces(translate(s, key_chars() || chr(65279) || chr(8203) || '"«»“”„',
                                        repeat(' ', length(key_chars()))))
              else s end, ' ');

create or replace temp macro norm_key(s) as replace(lower(replace(p_blank(key_squash(s)), 'İ', 'i')), 'ё', 'е');

-- Region text as matched against data/regions.csv aliases: norm_key without a 'г.'/'город' before
-- or after the name ('г. Москва', 'Москва г.'); mirrors etl.config.region_key.
create or replace temp macro region_key(s) as
    trim(regexp_replace(regexp_replace(norm_key(s), '^(г\.|гор\.|г |город )\s*', ''), ' (г\.?|город)$', ''), ' ');

-- The one campaign key of the contract: trimmed, lower-cased (input is already blank-cleaned).
create or replace temp macro campaign_key(s) as nullif(lower(trim(s)), '');

-- Working minutes from a fixed Monday (2000-01-03 00:00) to t, counting only working days (ISO
-- weekday numbers in the list wd) between hours h0 and h1. The difference of two values is the
-- working time between two moments; mirrors analysis.sla.working_minutes. Holidays are not known.
create or replace temp macro work_minutes(t, h0, h1, wd) as
    (date_diff('day', date '2000-01-03', t::date) // 7) * len(wd) * (h1 - h0) * 60
    + len(list_filter(wd, lambda d: d <= date_diff('day', date '2000-01-03', t::date) % 7)) * (h1 - h0) * 60
    + case when list_contains(wd, isodow(t))
           then least(greatest(hour(t) * 60 + minute(t) + second(t) / 60 - h0 * 60, 0), (h1 - h0) * 60)
           else 0 end;
