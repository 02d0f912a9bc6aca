// The ceiling for scripts/bench/serve-load.ts: a bare uWebSockets.js handler
// answering a fixed 20-id line, run as its own process; prints its port as JSON.
import uWS from 'uWebSockets.js';

const BODY = Array.from({ length: 20 }, (_, i) => `movie+${i}+${1950 + i}`).join(',');

const app = uWS.App();
app.get('/recommend/:id', (res) => {
  res.writeHeader('Content-Type', 'text/plain').end(BODY);
});
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) {
    process.stderr.write('raw handler: cannot listen\n');
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket) })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
