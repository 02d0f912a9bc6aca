// Whether the demo's port can be had, asked before minutes of world building
// and ingest: a busy port must end the demo at once, not after the setup.
import { createServer } from 'node:net';
import { Errors } from '../errors';

/** Resolves when `host:port` can be listened on (port 0 always can); rejects with MOVREC_ERR_LISTEN otherwise. */
export function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(Errors.listen(host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
