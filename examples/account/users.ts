// Where the account example keeps its users: in memory, or in the SQLite file of the sessions
// (SESSION_STORE=sqlite), or in PostgreSQL. Passwords are kept only as hashPassword() strings.
// A user's password hash is also its version for Login's userVersion: new for every account
// (a random salt), even one recreated under a reused id, and new at every password change.

/** A registered user. */
export interface User {
  id: number;
  name: string;
  passwordHash: string;
  createdAt: number;
}

/** What the example needs of a user table. */
export interface Users {
  byId(id: number): Promise<User | undefined>;
  byName(name: string): Promise<User | undefined>;
  /** Adds a user; `undefined` when the name is taken (compared case-insensitively). */
  add(name: string, passwordHash: string): Promise<User | undefined>;
  setPasswordHash(id: number, passwordHash: string): Promise<void>;
}

/** A name as compared: `Ana`, `ana` and `ａｎａ` are one account. */
export const nameKey = (name: string): string => name.normalize('NFKC').toLowerCase();

/** Users in this process's memory: gone on restart. */
export class MemoryUsers implements Users {
  readonly #byId = new Map<number, User>();
  readonly #byName = new Map<string, User>();

  async byId(id: number): Promise<User | undefined> {
    return this.#byId.get(id);
  }

  async byName(name: string): Promise<User | undefined> {
    return this.#byName.get(nameKey(name));
  }

  async add(name: string, passwordHash: string): Promise<User | undefined> {
    if (this.#byName.has(nameKey(name))) return undefined;
    const user = {
      id: this.#byId.size + 1,
      name,
      passwordHash,
      createdAt: Math.floor(Date.now() / 1000),
    };
    this.#byId.set(user.id, user);
    this.#byName.set(nameKey(name), user);
    return user;
  }

  async setPasswordHash(id: number, passwordHash: string): Promise<void> {
    const user = this.#byId.get(id);
    if (user) user.passwordHash = passwordHash;
  }
}

interface Row {
  id: number;
  name: string;
  password_hash: string;
  created_at: number;
}

/** The default table of the users; tests give one of their own. */
export const USERS_TABLE = 'account_users';

function checkTable(table: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Bad table name: ${table}`);
}

/** Users in a SQLite file (better-sqlite3, loaded only when asked for), in table `table`. */
export async function sqliteUsers(path: string, table = USERS_TABLE): Promise<Users> {
  checkTable(table);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL)`);
  const toUser = (row: Row | undefined): User | undefined =>
    row && {
      id: row.id,
      name: row.name,
      passwordHash: row.password_hash,
      createdAt: row.created_at,
    };
  const byId = async (id: number) =>
    toUser(db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Row | undefined);
  return {
    byId,
    async byName(name) {
      return toUser(
        db.prepare(`SELECT * FROM ${table} WHERE name_key = ?`).get(nameKey(name)) as
          | Row
          | undefined,
      );
    },
    async add(name, passwordHash) {
      const insert = db.prepare(
        `INSERT INTO ${table} (name, name_key, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(name_key) DO NOTHING`,
      );
      const result = insert.run(name, nameKey(name), passwordHash, Math.floor(Date.now() / 1000));
      return result.changes === 0 ? undefined : byId(Number(result.lastInsertRowid));
    },
    async setPasswordHash(id, passwordHash) {
      db.prepare(`UPDATE ${table} SET password_hash = ? WHERE id = ?`).run(passwordHash, id);
    },
  };
}

/**
 * Users in a PostgreSQL table (`pg`, loaded only when asked for): `connectionString`, else the
 * `PG*` variables. Resolves to the users and a `close()` that ends the pool.
 */
export async function postgresUsers(
  connectionString: string | undefined,
  table = USERS_TABLE,
): Promise<Users & { close(): Promise<void> }> {
  checkTable(table);
  const { default: pg } = await import('pg');
  const pool = new pg.Pool(connectionString === undefined ? {} : { connectionString });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL)`);
  const toUser = (row: Row | undefined): User | undefined =>
    row && {
      id: row.id,
      name: row.name,
      passwordHash: row.password_hash,
      createdAt: Number(row.created_at),
    };
  const one = async (sql: string, values: unknown[]) =>
    toUser((await pool.query<Row>(sql, values)).rows[0]);
  return {
    byId: (id) => one(`SELECT * FROM ${table} WHERE id = $1`, [id]),
    byName: (name) => one(`SELECT * FROM ${table} WHERE name_key = $1`, [nameKey(name)]),
    add: (name, passwordHash) =>
      one(
        `INSERT INTO ${table} (name, name_key, password_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name_key) DO NOTHING RETURNING *`,
        [name, nameKey(name), passwordHash, Math.floor(Date.now() / 1000)],
      ),
    async setPasswordHash(id, passwordHash) {
      await pool.query(`UPDATE ${table} SET password_hash = $1 WHERE id = $2`, [passwordHash, id]);
    },
    close: () => pool.end(),
  };
}
