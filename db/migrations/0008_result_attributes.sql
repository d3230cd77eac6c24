-- DESIGN.md "Evidence, causes and attributes": result attributes.
-- A plan version's declared attributes, compact JSON from name to allowed values ({"transport":["udp","tcp","tls"]});
-- NULL when the plan declares none.
ALTER TABLE test_plans ADD COLUMN attributes TEXT;

-- A revision's attributes, compact JSON from name to value in name order ({"transport":"tls"}); NULL when it names
-- none, so a result without attributes costs nothing more to write.
ALTER TABLE results ADD COLUMN attributes TEXT;
ALTER TABLE result_revisions ADD COLUMN attributes TEXT;
