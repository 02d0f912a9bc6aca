// A second server on a port already served must fail to start with a clear
// message, not share the port: uWS's default listen sets SO_REUSEPORT, under
// which a forgotten or doubled instance would quietly take part of the traffic.
import { createServer } from 'node:net';
import t from 'tap';
import { startServer } from '../../src/http/server';
import { loadConfig } from '../../src/config/load';
import { isMovrecError } from '../../src/errors';
import { startTestServer, call } from './harness';

/**
 * A port free a moment ago. Not port 0 for the first server: Linux gives each socket bound to port 0 its own port,
 * SO_REUSEPORT or not.
 */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

t.test('listening on a port another server holds is refused; the first keeps answering', async (t) => {
  const s = await startTestServer(t, { 'serve.port': await freePort() });
  const config = loadConfig({
    env: {},
    overrides: { dataDir: s.dataDir, 'serve.host': '127.0.0.1', 'serve.port': s.port, 'serve.threads': 1 },
  });
  const second = await startServer({ config, scorer: s.scorer, store: s.store, onReload: async () => undefined }).then(
    async (server) => {
      await server.close();
      return 'started';
    },
    (e: unknown) => (isMovrecError(e) ? `${e.code}: ${e.message}` : String(e)),
  );
  t.equal(
    second,
    `MOVREC_ERR_LISTEN: cannot listen on 127.0.0.1:${s.port} (address in use, or not allowed)`,
    'the second server is refused with a coded one-line reason',
  );
  for (let i = 0; i < 20; i++) {
    // Fresh connections: under SO_REUSEPORT the kernel would spread them over both listeners.
    const r = await call(`${s.base}/healthz`, { headers: { connection: 'close' } });
    t.equal(r.status, 200, `connection ${i} reaches the first server`);
  }
});
