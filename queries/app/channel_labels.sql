-- One row per channel of data/channels.csv: owner and labels in both languages. Params: none.
select channel, owner, label_ru, label_en from cfg_channels
