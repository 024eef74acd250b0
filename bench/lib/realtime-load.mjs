// The load side of the real-time cases, in its own process (pinned like wrk). Argument: JSON
// { mode: 'ws-echo' | 'sse-fanout', port, path, seconds, connections, events }. Prints a JSON
// result on stdout.
//   ws-echo: `connections` clients each send a 64-byte text message and wait for its echo, in
//     a loop, for `seconds`; result { messages, seconds, perSecond, errors }.
//   sse-fanout: opens `connections` event streams, waits until each said it is ready, then
//     asks for `events` broadcasts and times until every stream has them all; result
//     { delivered, seconds, perSecond, msPerEvent }.
import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';

const { mode, port, path, seconds, connections, events } = JSON.parse(process.argv[2]);

async function wsEcho() {
  const payload = 'x'.repeat(64);
  let messages = 0;
  let errors = 0;
  let running = true;
  const peers = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  const started = process.hrtime.bigint();
  for (const ws of peers) {
    ws.on('message', (data) => {
      if (String(data) !== payload) errors++;
      messages++;
      if (running) ws.send(payload);
    });
    ws.on('error', () => errors++);
    ws.send(payload);
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  for (const ws of peers) ws.terminate();
  return { messages, seconds: elapsed, perSecond: messages / elapsed, errors };
}

async function sseFanout() {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const counts = new Array(connections).fill(0);
  let ready = 0;
  let doneStreams = 0;
  let allDone;
  const finished = new Promise((resolve) => {
    allDone = resolve;
  });
  const reqs = [];
  await new Promise((resolveReady, reject) => {
    for (let c = 0; c < connections; c++) {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.setEncoding('utf8');
        let buffered = '';
        let isReady = false;
        res.on('data', (chunk) => {
          buffered += chunk;
          if (!isReady && buffered.includes(': ready\n\n')) {
            isReady = true;
            if (++ready === connections) resolveReady();
          }
          // Count complete events (a data line ends with a blank line).
          let at = buffered.indexOf('\n\n');
          while (at !== -1) {
            if (buffered.startsWith('data:')) {
              counts[c]++;
              if (counts[c] === events && ++doneStreams === connections) allDone();
            }
            buffered = buffered.slice(at + 2);
            at = buffered.indexOf('\n\n');
          }
        });
      });
      req.on('error', reject);
      req.end();
      reqs.push(req);
    }
  });
  const started = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/broadcast?n=${events}`, method: 'POST', agent },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end();
  });
  await finished;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  for (const req of reqs) req.destroy();
  const delivered = counts.reduce((a, b) => a + b, 0);
  return {
    delivered,
    seconds: elapsed,
    perSecond: delivered / elapsed,
    msPerEvent: (elapsed * 1000) / events,
  };
}

const timer = setTimeout(
  () => {
    console.error('realtime-load: timed out');
    process.exit(2);
  },
  (seconds + 60) * 1000,
);
const result = mode === 'ws-echo' ? await wsEcho() : await sseFanout();
clearTimeout(timer);
process.stdout.write(JSON.stringify(result));
process.exit(0);
