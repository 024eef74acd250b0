// The SQL of PostgresStore, as text built once per table: pure, so it can be read (and tested)
// apart from the connection handling. Every statement is one round trip and atomic on its own.

/** `name` or `schema.name`, each part a plain identifier (quoted when used, so case is kept). */
const QUALIFIED = /^(?:[A-Za-z_][A-Za-z0-9_]{0,47}\.)?[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** The expiry time of a session whose TTL in ms is parameter `$n`. */
const expiry = (n: number) => `now() + $${n}::double precision * interval '1 millisecond'`;

/**
 * The statements of one table. Expiry uses the database's clock (`now()`), so app servers whose
 * clocks differ agree on when a session ends. A row whose data a patch emptied is given an expiry
 * of `-infinity`: it reads as absent at once and the sweep deletes it.
 */
export interface PostgresSql {
  /** The table as quoted SQL, e.g. `"app"."sessions"`. */
  readonly table: string;
  /** Creates the table and its indexes if missing (one transaction, under an advisory lock). */
  readonly migrate: string;
  /** $1 id → data of the live session. */
  readonly get: string;
  /**
   * A fresh session: $1 id, $2 data (jsonb, not `{}`), $3 ttl ms, $4 user id or null. Creates
   * the session, or replaces its data (keeping its user when $4 is null).
   */
  readonly replace: string;
  /**
   * A patch of a live session: $1 id, $2 data to set (jsonb), $3 ttl ms, $4 user id or null,
   * $5 keys to unset. Touches no row when the session is missing or expired (no resurrection).
   */
  readonly patch: string;
  /** $1 id. */
  readonly destroy: string;
  /** $1 id, $2 ttl ms. */
  readonly touch: string;
  /** $1 user id → one row: `n`, how many live sessions it ended. */
  readonly destroyAll: string;
  /** $1 user id, $2 meta key → `id`, `expires_at` (epoch s), `has_meta`, `meta` of each live session. */
  readonly list: string;
  /** $1 user id, $2 id: deletes the session if it is live and that user's. */
  readonly destroyOwned: string;
  /** Deletes every row of the table. */
  readonly clear: string;
  /** Deletes up to 5000 expired rows, skipping rows another sweep holds. */
  readonly sweep: string;
}

/** Whether `table` is a name PostgresStore accepts (`name` or `schema.name`, ≤ 48 characters each). */
export function isTableName(table: string): boolean {
  return QUALIFIED.test(table);
}

/** Builds the statements for `table` (already checked with {@link isTableName}). */
export function postgresSql(table: string): PostgresSql {
  const parts = table.split('.');
  const name = parts.at(-1)!;
  const t = parts.map((p) => `"${p}"`).join('.');
  // The stored data minus the unset keys plus the set ones.
  const merged = `(s.data - $5::text[]) || $2::jsonb`;
  return {
    table: t,
    // Two servers starting at once would both try CREATE TABLE; the lock makes one wait.
    migrate: `
      SELECT pg_advisory_xact_lock(${lockKey(table)});
      CREATE TABLE IF NOT EXISTS ${t} (
        id text PRIMARY KEY,
        data jsonb NOT NULL,
        user_id text,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS "${name}_user_id" ON ${t} (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS "${name}_expires_at" ON ${t} (expires_at);`,
    get: `SELECT data FROM ${t} WHERE id = $1 AND expires_at > now()`,
    replace: `
      INSERT INTO ${t} AS s (id, data, user_id, expires_at)
      VALUES ($1, $2::jsonb, $4::text, ${expiry(3)})
      ON CONFLICT (id) DO UPDATE SET
        data = excluded.data,
        user_id = COALESCE(excluded.user_id, CASE WHEN s.expires_at > now() THEN s.user_id END),
        expires_at = excluded.expires_at`,
    // Row locks order a patch and a destroy: a patch that waited on a deleted row updates none.
    patch: `
      UPDATE ${t} AS s SET
        data = ${merged},
        user_id = COALESCE($4::text, s.user_id),
        expires_at = CASE WHEN ${merged} = '{}' THEN '-infinity' ELSE ${expiry(3)} END
      WHERE id = $1 AND expires_at > now()`,
    destroy: `DELETE FROM ${t} WHERE id = $1`,
    touch: `UPDATE ${t} SET expires_at = ${expiry(2)} WHERE id = $1 AND expires_at > now()`,
    destroyAll: `
      WITH ended AS (DELETE FROM ${t} WHERE user_id = $1 RETURNING expires_at)
      SELECT count(*) FILTER (WHERE expires_at > now())::int AS n FROM ended`,
    list: `
      SELECT id, floor(extract(epoch FROM expires_at))::float8 AS expires_at,
             data ? $2::text AS has_meta, data -> $2::text AS meta
      FROM ${t} WHERE user_id = $1 AND expires_at > now()`,
    destroyOwned: `DELETE FROM ${t} WHERE id = $2 AND user_id = $1 AND expires_at > now()`,
    clear: `DELETE FROM ${t}`,
    sweep: `
      DELETE FROM ${t} WHERE id IN (
        SELECT id FROM ${t} WHERE expires_at <= now() LIMIT 5000 FOR UPDATE SKIP LOCKED)`,
  };
}

/** A stable 31-bit key for the advisory lock of `table` (FNV-1a of its name). */
function lockKey(table: string): number {
  let hash = 0x811c9dc5;
  for (const char of `microdot-ts:${table}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7fffffff;
}
