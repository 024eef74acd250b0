// microdot-ts's SSE fan-out: withSSE streams, POST /broadcast?n=N awaits sse.send on every
// stream for each event (send resolves once the event is handed to the connection).
import { Microdot } from '../../dist/src/index.js';
import { withSSE } from '../../dist/src/sse/index.js';

const streams = new Set();
const app = new Microdot();
app.get(
  '/events',
  withSSE(async (_req, sse) => {
    streams.add(sse);
    try {
      await sse.send('ready', { comment: true });
      await new Promise((resolve) => sse.signal.addEventListener('abort', resolve));
    } finally {
      streams.delete(sse);
    }
  }),
);
app.post('/broadcast', async (req) => {
  const n = Number(req.args.get('n') ?? 1);
  for (let i = 0; i < n; i++) {
    await Promise.all([...streams].map((sse) => sse.send({ i }).catch(() => {})));
  }
  return '';
});
const server = await app.startServer({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${server.port}`);
