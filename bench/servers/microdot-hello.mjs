// microdot-ts answering 'Hello, World!' (target: >= 0.90 of raw-hello).
import { Microdot } from 'microdot-ts';

const app = new Microdot();
app.get('/', () => 'Hello, World!');
const server = await app.startServer({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${server.port}`);
