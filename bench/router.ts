/**
 * Micro-benchmark of routing: `app.dispatch` on a static route (a Map lookup), a dynamic route
 * (`<int:id>`, after 50 other patterns), a 404, and `URLPattern.match` alone.
 * Run: `npm run bench:router`. Each case first checks that its result is right.
 */
import assert from 'node:assert/strict';
import { Microdot } from '../src/microdot.js';
import { Request } from '../src/request.js';
import { Response } from '../src/response.js';
import { URLPattern } from '../src/url-pattern.js';
import { measure } from './measure.js';

const app = new Microdot();
for (let i = 0; i < 50; i++) {
  app.get(`/static/${i}`, () => `static ${i}`);
  app.get(`/dyn${i}/<int:id>`, (_req, { id }) => `dyn${i} ${id}`);
}
app.get('/', () => 'Hello, World!');
app.get('/users/<int:id>/files/<path:file>', (_req, { id, file }) => `${id} ${file}`);

const request = (url: string) =>
  new Request({ app, method: 'GET', url, headers: { host: '127.0.0.1' } });

function dispatched(url: string): Response {
  const res = app.dispatch(request(url));
  assert.ok(res instanceof Response, `${url} was not answered synchronously`);
  return res;
}

const cases: [string, string, number, string][] = [
  ['static route (/)', '/', 200, 'Hello, World!'],
  ['static route (/static/49)', '/static/49', 200, 'static 49'],
  ['dynamic route (/dyn49/<int:id>)', '/dyn49/42', 200, 'dyn49 42'],
  ['dynamic route (<int>/<path>)', '/users/7/files/a/b.txt', 200, '7 a/b.txt'],
  ['no route (404)', '/nothing/here', 404, ''],
];
const rows: [string, number][] = [];
for (const [name, url, status, body] of cases) {
  if (status === 404) {
    const res = await app.dispatch(request(url));
    assert.equal(res.statusCode, 404);
    rows.push([`app.dispatch ${name}`, measure(() => app.dispatch(request(url)), 50_000)]);
    continue;
  }
  const res = dispatched(url);
  assert.equal(res.statusCode, status);
  assert.equal(res.body, body);
  rows.push([`app.dispatch ${name}`, measure(() => app.dispatch(request(url)), 200_000)]);
}

const pattern = new URLPattern('/users/<int:id>/files/<path:file>');
assert.deepEqual({ ...pattern.match('/users/7/files/a/b.txt') }, { id: 7, file: 'a/b.txt' });
assert.equal(pattern.match('/users/x/files/a'), undefined);
rows.push([
  'URLPattern.match (<int>/<path>)',
  measure(() => pattern.match('/users/7/files/a/b.txt'), 500_000),
]);
rows.push([
  'new Request (the part of dispatch above that is not routing)',
  measure(() => request('/'), 500_000),
]);

for (const [name, us] of rows) console.log(`${name.padEnd(62)} ${us.toFixed(3).padStart(7)} µs/op`);
