// The SQL of PostgresStore, as text built once per table: pure, so it can be read (and tested)
// apart from the connection handling. Every statement is one round trip and atomic on its own.
import { META_KEY } from './store.js';

/** `name` or `schema.name`, each part a plain identifier (quoted when used, so case is kept). */
const QUALIFIED = /^(?:[A-Za-z_][A-Za-z0-9_]{0,47}\.)?[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** The expiry time of a session whose TTL in ms is parameter `$n`. */
const expiry = (n: number) => `now() + $${n}::double precision * interval '1 millisecond'`;

/**
 * The statements of one table. Expiry uses the database's clock (`now()`), so app servers whose
 * clocks differ agree on when a session ends. A row whose data became `{}` is given an expiry
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
   * $1 id, $2 data to set (jsonb), $3 ttl ms, $4 user id or null, $5 replace, $6 keys to unset.
   * Creates the session when absent, else merges (or replaces) in one statement. Used for
   * `replace` patches: only a fresh session creates a row.
   */
  readonly set: string;
  /**
   * $1 id, $2 data to set (jsonb), $3 ttl ms, $4 user id or null, $5 keys to unset. Merges into
   * the live session only (a row lock orders parallel patches); returns a row when it did.
   */
  readonly patch: string;
  /** $1 user id → `id`, `meta` (the meta key's jsonb), `expires_at` (epoch s) of each live session. */
  readonly list: string;
  /** $1 id, $2 user id: deletes the live session if it is that user's; returns a row when it did. */
  readonly destroyOwned: string;
  /** Deletes every row. */
  readonly clear: string;
  /** $1 id. */
  readonly destroy: string;
  /** $1 id, $2 ttl ms. */
  readonly touch: string;
  /** $1 user id → one row: `n`, how many live sessions it ended. */
  readonly destroyAll: string;
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
  // Live = not expired. Merged = the stored data minus the unset keys plus the set ones.
  const live = `s.expires_at > now()`;
  const merged = `CASE WHEN $5::boolean OR NOT ${live} THEN $2::jsonb ELSE (s.data - $6::text[]) || $2::jsonb END`;
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
    set: `
      INSERT INTO ${t} AS s (id, data, user_id, expires_at)
      VALUES ($1, $2::jsonb, $4::text,
              CASE WHEN $2::jsonb = '{}' THEN '-infinity' ELSE ${expiry(3)} END)
      ON CONFLICT (id) DO UPDATE SET
        data = ${merged},
        user_id = COALESCE($4::text, CASE WHEN ${live} THEN s.user_id END),
        expires_at = CASE WHEN ${merged} = '{}' THEN '-infinity' ELSE ${expiry(3)} END`,
    patch: `
      UPDATE ${t} AS s SET
        data = (s.data - $5::text[]) || $2::jsonb,
        user_id = COALESCE($4::text, s.user_id),
        expires_at = CASE WHEN (s.data - $5::text[]) || $2::jsonb = '{}' THEN '-infinity'
                          ELSE ${expiry(3)} END
      WHERE s.id = $1 AND ${live}
      RETURNING 1`,
    list: `
      SELECT id, data -> '${META_KEY}' AS meta,
             floor(extract(epoch FROM expires_at))::bigint AS expires_at
      FROM ${t} WHERE user_id = $1 AND expires_at > now()`,
    destroyOwned: `DELETE FROM ${t} WHERE id = $1 AND user_id = $2 AND expires_at > now() RETURNING 1`,
    clear: `DELETE FROM ${t}`,
    destroy: `DELETE FROM ${t} WHERE id = $1`,
    touch: `UPDATE ${t} SET expires_at = ${expiry(2)} WHERE id = $1 AND expires_at > now()`,
    destroyAll: `
      WITH ended AS (DELETE FROM ${t} WHERE user_id = $1 RETURNING expires_at)
      SELECT count(*) FILTER (WHERE expires_at > now())::int AS n FROM ended`,
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
