// Fastify 5 answering 'Hello, World!'.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => 'Hello, World!');
await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${app.server.address().port}`);
