-- +goose Up
-- Ciphertext never compresses, so PostgreSQL's attempts to compress it are
-- wasted work. A post-quantum wrap is about 2.1 KB: just over the row size
-- at which values are compressed and moved out of line (about 2 KB), which
-- cost every registration two TOAST chunks with their index entries and
-- every read their lookup. Wraps now stay in their row up to a page, and
-- longer ciphertext goes out of line without a compression attempt. Rows
-- written before keep their storage.
ALTER TABLE wraps SET (toast_tuple_target = 8160);
ALTER TABLE entry_keys SET (toast_tuple_target = 8160);
ALTER TABLE wraps ALTER COLUMN wrap SET STORAGE EXTERNAL;
ALTER TABLE entry_keys ALTER COLUMN wrap SET STORAGE EXTERNAL;
ALTER TABLE sections ALTER COLUMN sealed SET STORAGE EXTERNAL;
ALTER TABLE entries ALTER COLUMN sealed SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE entries ALTER COLUMN sealed SET STORAGE EXTENDED;
ALTER TABLE sections ALTER COLUMN sealed SET STORAGE EXTENDED;
ALTER TABLE entry_keys ALTER COLUMN wrap SET STORAGE EXTENDED;
ALTER TABLE wraps ALTER COLUMN wrap SET STORAGE EXTENDED;
ALTER TABLE entry_keys RESET (toast_tuple_target);
ALTER TABLE wraps RESET (toast_tuple_target);
