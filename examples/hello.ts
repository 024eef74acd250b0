// Hello, World with microdot-ts: `npx tsx examples/hello.ts`, then open http://127.0.0.1:5000
import { Microdot } from 'microdot-ts';

const app = new Microdot();

app.get('/', () => 'Hello, World!');
app.get('/users/<int:id>', (_req, { id }) => ({ id, name: `user ${id}` }));

await app.run({ port: Number(process.env.PORT ?? 5000) });
