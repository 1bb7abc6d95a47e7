-- Several console instances on one PostgreSQL store (issue 13): exactly one runs the HA
-- controller, the holder of the "controller" lease (lib/server/cluster/lease.ts). The epoch grows
-- by one at every takeover and is the fencing token: the leader's store connections carry it
-- (session setting haven.fence_epoch), and every INSERT/UPDATE/DELETE they send is refused by
-- the trigger below unless that epoch still holds an unexpired lease. The lease row is locked
-- FOR SHARE by the check until the writing transaction ends, so a takeover (an UPDATE of the
-- row) waits for the old leader's in-flight transaction instead of racing it. Connections
-- without the setting (the console's own, for users' edits and sessions) are not fenced.
CREATE TABLE "haven_lease" (
    "name" TEXT PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "address" TEXT,
    "acquired_at" TIMESTAMPTZ NOT NULL,
    "renewed_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION haven_fence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e TEXT := current_setting('haven.fence_epoch', true);
BEGIN
  IF e IS NULL OR e = '' THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM "haven_lease" WHERE "name" = 'controller' AND "epoch" = e::BIGINT AND "expires_at" >= clock_timestamp() FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'haven: controller epoch % no longer holds the lease (fenced)', e USING ERRCODE = 'HV001';
  END IF;
  RETURN NULL;
END $$;

-- Puts the fence on every table of the schema but the runner's and the lease's (the migration
-- runner calls it after each run, so tables of later migrations are fenced too).
CREATE FUNCTION haven_fence_tables() RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
  t RECORD;
  n INTEGER := 0;
BEGIN
  FOR t IN
    SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT IN ('_migrations', 'haven_lease')
      AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'haven_fence')
  LOOP
    EXECUTE format('CREATE TRIGGER haven_fence BEFORE INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION haven_fence()', t.relname);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

SELECT haven_fence_tables();
