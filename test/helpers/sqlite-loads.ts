// better-sqlite3 is a V8 (nan) addon that Bun and Deno cannot load: SqliteStore is Node only
// (README, "Runtimes"). Suites that run a list of stores leave SQLite out there, so the runtime
// runs (runtimes/run.mjs) test every other store.
export const sqliteLoads = !('bun' in process.versions || 'deno' in process.versions);

/** `factories` without the SQLite one where better-sqlite3 cannot load. */
export function withoutSqliteWhereUnsupported<T extends readonly [string, ...unknown[]]>(
  factories: T[],
): T[] {
  return sqliteLoads ? factories : factories.filter(([name]) => name !== 'sqlite');
}
