-- Parsing macros for staged text cells; temp, so they live only in the build connection.
create or replace temp macro p_text(s) as
    case when trim(regexp_replace(s, '[\s\x{00A0}\x{202F}]+', ' ', 'g')) in ('', '--', '-', '—', '–', 'n/a', 'N/A', '#N/A', 'null', 'NULL')
         then null else trim(regexp_replace(s, '[\s\x{00A0}\x{202F}]+', ' ', 'g')) end;

-- "1 234 567,50 ₽", "1,234.50", "(1 234)", "5.11%": spaces, currency marks and percent signs go.
create or replace temp macro p_numclean(s) as
    regexp_replace(regexp_replace(lower(p_text(s)),
        '[\s\x{00A0}\x{202F}\x{2009}'']|₽|руб\.?|р\.|rub|rur|usd|eur|\$|€|%', '', 'g'),
        '^\((.*)\)$', '-\1');

create or replace temp macro p_numtext(t, loc) as
    case when loc = 'ru' then replace(case when contains(t, ',') then replace(t, '.', '') else t end, ',', '.')
         else replace(t, ',', '') end;

create or replace temp macro p_num(s, loc) as try_cast(p_numtext(p_numclean(s), loc) as double);

-- Fractions of seconds and time-zone suffixes go: timestamps are the export's local time.
create or replace temp macro p_tsclean(s) as
    regexp_replace(regexp_replace(p_text(s), '(\d{1,2}:\d{2}:\d{2})[.,]\d+', '\1'),
        '(\d{1,2}:\d{2}(:\d{2})?)\s*(Z|[+-]\d{2}:?\d{2}|UTC|MSK)$', '\1');

create or replace temp macro p_ts2(t, dmy) as
    case when t is null then null
         when regexp_full_match(t, '\d{5}(\.\d+)?') then
              case when t::double between 20000 and 80000
                   then timestamp '1899-12-30' + to_microseconds((t::double * 86400000000)::bigint) end
         else coalesce(
              try_strptime(t, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y', '%Y-%m-%d %H:%M:%S',
                               '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y-%m-%d',
                               '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y', '%Y/%m/%d %H:%M:%S',
                               '%Y/%m/%d', '%Y.%m.%d']),
              case when dmy then try_strptime(t, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y'])
                   else try_strptime(t, ['%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %I:%M %p', '%m/%d/%Y %H:%M:%S',
                                         '%m/%d/%Y %H:%M', '%m/%d/%Y']) end)
    end;

create or replace temp macro p_ts(s, dmy) as p_ts2(p_tsclean(s), dmy);

create or replace temp macro p_month(s, dmy) as
    date_trunc('month', coalesce(p_ts(s, dmy), try_strptime(p_text(s), ['%Y-%m', '%m.%Y', '%m/%Y'])));

-- Text as compared with config vocabularies; mirrors etl.config.norm_header.
create or replace temp macro norm_key(s) as replace(lower(p_text(replace(s, '"', ''))), 'ё', 'е');

-- Region text as matched against data/regions.csv aliases; mirrors etl.config.region_key.
create or replace temp macro region_key(s) as trim(regexp_replace(norm_key(s), '^(г\.|г |город )\s*', ''));

-- The one campaign key of the contract: trimmed, lower-cased.
create or replace temp macro campaign_key(s) as lower(p_text(s));
