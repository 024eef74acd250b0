// Runs a suite both ways, as h3 does: in-process through the TestClient, and over a real
// node:http server on 127.0.0.1 (port 0), with the same cookie-jar client on top.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { after } from 'node:test';
import type { Microdot, RunningServer } from '../../src/index.js';
import { jsonBodyOf } from '../../src/internal/content-type.js';
import type { RawHeaders } from '../../src/internal/header-map.js';
import { TestClient, type TestResponse } from '../../src/test-client.js';
import { eventsOf } from '../../src/utils/event-stream.js';

/** A TestClient whose requests cross a real socket to a running server. */
export class HttpTestClient extends TestClient {
  readonly server: RunningServer;

  constructor(
    app: Microdot,
    server: RunningServer,
    options?: { cookies?: Record<string, string> },
  ) {
    super(app, options);
    this.server = server;
  }

  /** A TCP connection to the server, for WebSockets. */
  override connect(): Duplex {
    return connect(this.server.port, '127.0.0.1');
  }

  protected override send(
    method: string,
    url: string,
    headers: RawHeaders,
    body: Uint8Array | undefined,
  ): Promise<TestResponse> {
    return rawRequest(this.server.port, method, url, headers, body);
  }
}

/** One HTTP request to 127.0.0.1:`port`, answered as a TestResponse. */
export function rawRequest(
  port: number,
  method: string,
  url: string,
  headers: RawHeaders = {},
  body?: Uint8Array,
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path: url, headers: headers as Record<string, string> },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = v;
          const text = buf.toString('utf8');
          const json = jsonBodyOf(res.headers['content-type'], text);
          const events = eventsOf(res.headers['content-type'], text);
          resolve({
            statusCode: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            headers: out,
            body: buf,
            text,
            json,
            ...(events === undefined ? {} : { events }),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A way to reach an app: in-process or over HTTP. */
export interface Mode {
  name: string;
  client(app: Microdot, options?: { cookies?: Record<string, string> }): Promise<TestClient>;
}

const servers: RunningServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

export const MODES: readonly Mode[] = [
  { name: 'test-client', client: async (app, options) => new TestClient(app, options) },
  {
    name: 'http',
    client: async (app, options) => {
      const server = await app.startServer({ host: '127.0.0.1', port: 0 });
      servers.push(server);
      return new HttpTestClient(app, server, options);
    },
  },
];

/** A logger that keeps errors instead of printing them, for apps that are meant to fail. */
export function quietApp<T extends Microdot>(app: T): T & { errors: unknown[] } {
  const errors: unknown[] = [];
  app.logError = (err) => errors.push(err);
  return Object.assign(app, { errors });
}
