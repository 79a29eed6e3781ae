// A small JSON HTTP server: the throughput workload. Prints its port as
// JSON on stdout, then serves until it is sent SIGTERM.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const body = JSON.stringify({ ok: true, path: req.url, at: Date.now() });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
