-- One row per CRM source/utm combination no channel rule matched, most rows first. Params: none.
select source, raw_source, utm_source, utm_medium, rows from dq_unknown_channels order by rows desc limit 500
