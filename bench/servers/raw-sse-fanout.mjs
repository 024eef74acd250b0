// Baseline for SSE fan-out: node:http writing the same event to every open stream.
// GET /events opens a stream; POST /broadcast?n=N sends N events to every stream, waiting for
// the sockets that are full to drain before the next event.
import { createServer } from 'node:http';

const streams = new Set();
const server = createServer(async (req, res) => {
  if (req.url === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': ready\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  const n = Number(new URL(req.url, 'http://x').searchParams.get('n') ?? 1);
  for (let i = 0; i < n; i++) {
    const chunk = `data: {"i":${i}}\n\n`;
    const full = [];
    for (const s of streams) {
      if (!s.write(chunk)) full.push(new Promise((r) => s.once('drain', r)));
    }
    await Promise.all(full);
  }
  res.writeHead(200, { 'content-length': '0' });
  res.end();
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
