// microdot-ts's WebSocket echo: withWebSocket, receive() then send(), as Microdot's example.
// Imported from the build (dist/) so that it runs without `npm run bench:install`.
import { Microdot } from '../../dist/src/index.js';
import { withWebSocket } from '../../dist/src/websocket/index.js';

const app = new Microdot();
app.get(
  '/echo',
  withWebSocket(async (_req, ws) => {
    for (;;) await ws.send(await ws.receive());
  }),
);
const server = await app.startServer({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${server.port}`);
