// Baseline: node:http answering 'Hello, World!'. Every ratio in the table is relative to this.
import { createServer } from 'node:http';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Hello, World!');
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
