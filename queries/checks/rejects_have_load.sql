-- Every rejected row points at a recorded load.
select r.load_id from rejects r anti join loads l on l.load_id = r.load_id
