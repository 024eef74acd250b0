// Starts an example app where PORT and HOST say (defaults 5000 and 127.0.0.1), with the access
// log on. A start-up problem (port in use, PORT not a port, a Session without a secret key)
// is one clear line on stderr and exit code 1, not a stack trace.
import { consoleAccessLog, type Microdot, type RunningServer, ServerStartError } from 'microdot-ts';
import { SessionError } from 'microdot-ts/session';

export async function runFromEnv(
  app: Microdot,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningServer> {
  const text = env.PORT ?? '5000';
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port <= 65535))
    fail(`PORT must be a port number from 0 to 65535, not ${JSON.stringify(text)}.`);
  app.accessLog ??= consoleAccessLog;
  try {
    return await app.run({ host: env.HOST ?? '127.0.0.1', port });
  } catch (err) {
    if (err instanceof ServerStartError) {
      fail(`${err.message}: set PORT (now ${text}) or HOST (now ${env.HOST ?? '127.0.0.1'}).`);
    }
    if (err instanceof SessionError) fail(`${err.message}.`);
    throw err;
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
