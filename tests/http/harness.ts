// Starts the real HTTP front in-process over the real scorer (Piscina workers,
// shared slots, LMDB) and the fixture world, on a free loopback port.
import type { Test } from 'tap';
import { loadConfig, type Config } from '../../src/config/load';
import { startServer, type ServerHandle } from '../../src/http/server';
import { artifactPath } from '../../src/model/registry';
import { createScorer, type Scorer } from '../../src/scoring/scorer';
import { openStore, type Store } from '../../src/store/store';
import { addModel, fillStore, MODEL_A, USERS } from './fixture';

export interface Running {
  base: string;
  port: number;
  dataDir: string;
  config: Readonly<Config>;
  scorer: Scorer;
  store: Store;
  server: ServerHandle;
  reloads: number;
}

export async function startTestServer(t: Test, overrides: Record<string, unknown> = {}): Promise<Running> {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  const config = loadConfig({
    env: {},
    overrides: { dataDir, 'serve.host': '127.0.0.1', 'serve.port': 0, 'serve.threads': 1, ...overrides },
  });
  const store = openStore(dataDir);
  const scorer = await createScorer({
    dataDir,
    threads: 1,
    listSize: config.serve.listSize,
    unknownAgeIsMinor: config.serve.unknownAgeIsMinor,
  });
  await scorer.loadModel(artifactPath(dataDir, MODEL_A));
  // The first task starts a worker (LMDB open, model views): warm it so no answer degrades on the deadline.
  await scorer.recommend(USERS.adult.id);
  const running = { dataDir, config, scorer, store, reloads: 0 } as Running;
  const server = await startServer({ config, scorer, store, onReload: async () => void running.reloads++ });
  Object.assign(running, { server, port: server.port, base: `http://127.0.0.1:${server.port}` });
  t.teardown(async () => {
    await server.close();
    await scorer.close();
    await store.close();
  });
  return running;
}

/** One GET or POST over a fresh connection; the body and the headers that matter here. */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.text(), headers: r.headers };
}
