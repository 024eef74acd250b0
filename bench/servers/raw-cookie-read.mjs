// node:http that parses the Cookie header into an object (no verification): the floor cost of
// looking at a session cookie at all.
import { createServer } from 'node:http';

function parseCookies(header) {
  const out = {};
  if (!header) return out;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (name && !(name in out)) out[name] = pair.slice(eq + 1).trim();
  }
  return out;
}

const server = createServer((req, res) => {
  const cookies = parseCookies(req.headers.cookie);
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(cookies.session ? 'session present' : 'session absent');
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
