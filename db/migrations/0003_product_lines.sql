-- A product's line ties a vendor's product across its versions and events (DESIGN.md, "Across events"): the key
-- names one registration, the line what stays the same when the vendor comes back with a new version.
-- Products registered before lines existed keep their key as their line.
ALTER TABLE products ADD COLUMN line TEXT NOT NULL DEFAULT '';
UPDATE products SET line = key;
CREATE INDEX products_line ON products (line);
