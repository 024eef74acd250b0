// Express 5 answering 'Hello, World!'.
import express from 'express';

const app = express();
app.get('/', (_req, res) => {
  res.send('Hello, World!');
});
const server = app.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
