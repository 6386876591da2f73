-- The warehouse contract (DESIGN.md): created once per file, filled by the merge_*.sql files.
create table if not exists deals (
    deal_id varchar not null, source_system varchar not null, title varchar,
    created_at timestamp not null, closed_at timestamp, status varchar not null, stage varchar,
    amount decimal(18,2), currency varchar, region varchar, region_raw varchar, product varchar,
    manager varchar, channel varchar not null, source varchar, utm_source varchar, utm_medium varchar,
    utm_campaign varchar, utm_campaign_raw varchar, lead_id varchar, lost_reason varchar, load_id integer,
    channel_from_lead boolean default false);

create table if not exists leads (
    lead_id varchar not null, source_system varchar not null, created_at timestamp not null,
    region varchar, region_raw varchar, channel varchar not null, source varchar, utm_source varchar,
    utm_medium varchar, utm_campaign varchar, status varchar not null, status_raw varchar,
    first_contact_at timestamp, manager varchar, deal_id varchar, load_id integer);

create table if not exists touchpoints (
    touch_at timestamp not null, lead_id varchar, deal_id varchar, channel varchar not null,
    campaign varchar, utm_source varchar, utm_medium varchar, load_id integer);

create table if not exists ad_spend (
    date date not null, platform varchar not null, campaign varchar not null, campaign_id varchar,
    region varchar, region_raw varchar, channel varchar not null, impressions bigint, clicks bigint,
    cost decimal(18,2) not null, currency varchar not null, load_id integer);

create table if not exists campaigns (
    campaign varchar not null, campaign_id varchar, platform varchar not null, channel varchar not null,
    region varchar, product varchar, start_date date, end_date date, load_id integer);

create table if not exists plan (
    month date not null, region varchar, product varchar, metric varchar not null,
    target decimal(18,2) not null, owner varchar not null, load_id integer);

create table if not exists activities (
    activity_id varchar not null, owner varchar not null, kind varchar, title varchar not null,
    region varchar, product varchar, start_date date not null, end_date date, budget decimal(18,2),
    responsible varchar, status varchar, load_id integer);

create table if not exists sales (
    sale_date date not null, region varchar, region_raw varchar, product varchar, customer varchar,
    document varchar, quantity decimal(18,3), amount decimal(18,2) not null, currency varchar not null,
    load_id integer);

create table if not exists traffic (
    period_start date not null, period_end date not null, utm_source varchar, utm_campaign varchar,
    visits bigint not null, visitors bigint, load_id integer);

create table if not exists loads (
    load_id integer primary key, file_name varchar not null, sha256 varchar not null, format varchar,
    entity varchar not null, loaded_at timestamp not null, rows_read bigint, rows_loaded bigint,
    rows_rejected bigint, rows_duplicate bigint, rows_skipped bigint, encoding varchar,
    delimiter varchar, source_system varchar, notes varchar, rows_warned bigint, cells_warned bigint,
    note_keys varchar,
    -- the days the file covers: the period it states (period_from 'title', 'file_name', 'user': --period
    -- or the upload form) else the span of its rows' days ('rows'); alerts.sql's stale_export reads it
    period_start date, period_end date, period_from varchar);

create table if not exists rejects (
    load_id integer not null, row_number bigint not null, reason varchar not null, raw varchar);

-- An optional cell that could not be read: the row loaded with the cell empty (DESIGN.md).
create table if not exists cell_warnings (
    load_id integer not null, row_number bigint not null, "column" varchar not null, raw varchar,
    reason varchar not null);

-- Columns added after warehouses were first built; a file built before them gains them here.
alter table deals add column if not exists channel_from_lead boolean default false;
-- the export's own status text (Pipedrive `Deal - Status`...), null where the CRM has only stages: a status
-- text data/stages.csv does not know is listed in dq_unrecognised instead of vanishing into 'open'
alter table deals add column if not exists status_raw varchar;
-- false: the lead's export has no first-contact column, so whether it was contacted in time is unknown (not a
-- miss); null on leads loaded before the column existed reads as true (their exports were judged so)
alter table leads add column if not exists contact_known boolean;
alter table loads add column if not exists rows_warned bigint;
alter table loads add column if not exists cells_warned bigint;
-- the notes as codes and fields (JSON), which the Data page's history says in the reader's language
alter table loads add column if not exists note_keys varchar;
alter table loads add column if not exists period_start date;
alter table loads add column if not exists period_end date;
alter table loads add column if not exists period_from varchar;

create table if not exists meta (key varchar primary key, value varchar);
