// A small simulated world served for real: history ingested, a model trained,
// a weaker one (item biases only, the same list for everyone), a broken one
// (random factors: random lists), an inverse one (scores negated), and the
// world's true factors as a model (the oracle) derived from it, `movrec serve` as
// a child process on loopback with the admin token, and the simulator driving it
// over HTTP into the file the server follows. The server has its own process, as
// for users: the simulator's work shares no event loop with it, so a busy test
// process does not count as server latency (in one process, with the machine
// loaded, 26-52 requests of ~1000 timed out). The release settings are small so
// a verdict takes seconds.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Test } from 'tap';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/load';
import { appendSink } from '../../src/demo/append-sink';
import { copyParts, viewArtifact, type ModelParts } from '../../src/model/artifact';
import { artifactPath, newModelId, readManifest, registerModel, type Manifest } from '../../src/model/registry';
import { rng } from '../../src/model/rng';
import type { ReleaseStatus } from '../../src/release/controller';
import { createWorld, drive, startCatalogApi, type Scoreboard } from '../../src/sim';
import { seedStore } from '../../src/sim/seed-store';
import { spawnServe } from '../serve/spawn-serve';

export const TOKEN = 'release-test-token';

export interface Served {
  config: Readonly<Config>;
  base: string;
  /** The server's log lines about releases (the child's JSON log records whose message starts with `release:`). */
  releaseLog(): string[];
  /** The server's release status (GET /admin/release). */
  status(): Promise<ReleaseStatus>;
  trained: string;
  weak: string;
  broken: string;
  /** The trained model with its scores negated: lists what it expects each user to like least. */
  inverse: string;
  /** The world's true taste as a model (its factors and biases): the best list any model could serve. */
  oracle: string;
  /** Starts the simulator driving; resolves with its scoreboard once `stop` is called. */
  driving(): { stop(): Promise<Scoreboard> };
  close(): Promise<void>;
}

function derive(dataDir: string, from: Manifest, kind: string, change: (p: ModelParts) => void): string {
  const view = viewArtifact(readFileSync(artifactPath(dataDir, from.id)));
  const parts: ModelParts = copyParts(view, newModelId(kind));
  change(parts);
  const { id: _id, kind: _kind, artifact: _a, sha256: _s, ...rest } = from;
  registerModel(dataDir, parts, { ...rest, created: new Date().toISOString(), approved: true, history: [] });
  return parts.id;
}

export async function serveSimWorld(
  t: Test,
  release: Partial<Config['release']>,
  telemetry: Partial<Config['telemetry']> = {},
  /** Other settings by dotted path (e.g. 'retrain.everyEvents'). */
  more: Record<string, unknown> = {},
  /** History lines before serving, and the simulator's pace in lines per second while it drives. */
  sim: { historyLines?: number; rate?: number } = {},
): Promise<Served> {
  const dataDir = t.testdir();
  const world = createWorld({ seed: 5, users: 3000, movies: 3000 });
  const catalog = await startCatalogApi(world, { port: 0, host: '127.0.0.1', ratePerSecond: 5000 });
  const overrides: Record<string, unknown> = {
    dataDir,
    'catalog.baseUrl': `http://127.0.0.1:${catalog.port}`,
    'catalog.ratePerSecond': 2500,
    'catalog.bulkSize': 100,
    'serve.port': 0,
    'serve.host': '127.0.0.1',
    'serve.adminToken': TOKEN,
    'train.epochs': 8,
    'train.factors': 16,
  };
  for (const [k, v] of Object.entries(release)) overrides[`release.${k}`] = v;
  for (const [k, v] of Object.entries(telemetry)) overrides[`telemetry.${k}`] = v;
  Object.assign(overrides, more);
  const config = loadConfig({ overrides });
  const {
    simNow,
    trained: { manifest: trained },
  } = await seedStore(world, {
    config,
    lines: sim.historyLines ?? 200_000,
    historyFile: join(dataDir, 'history.log'),
    target: 'http://127.0.0.1:8082',
    train: { kinds: ['mf'], blends: false },
  });
  const r = rng(99);
  const broken = derive(dataDir, trained, 'random', (p) => {
    for (const a of [p.userFactors, p.itemFactors, p.itemBias]) for (let i = 0; i < a.length; i++) a[i] = r() - 0.5;
  });
  // The world's own factors in the artifact format: served through the same path as any model.
  const oracle = derive(dataDir, trained, 'oracle', (p) => {
    const K = world.params.factors;
    p.factors = K;
    p.userFactors = new Float32Array(p.userIds.length * K);
    p.userIds.forEach((id, u) => {
      if (id <= world.params.users) p.userFactors.set(world.userFactors.subarray((id - 1) * K, id * K), u * K);
    });
    p.itemFactors = new Float32Array(p.itemIds.length * K);
    p.itemIds.forEach((id, i) => {
      const m = world.movieIndex.get(id);
      if (m === undefined) return;
      p.itemFactors.set(world.movieFactors.subarray(m * K, (m + 1) * K), i * K);
      p.itemBias[i] = world.movieBias[m]!;
    });
  });
  const inverse = derive(dataDir, trained, 'inverse', (p) => {
    for (const a of [p.itemFactors, p.itemBias]) for (let i = 0; i < a.length; i++) a[i] = -a[i]!;
  });
  // Registered last, so the newest approved model: what the service loads as stable.
  const weak = derive(dataDir, trained, 'bias-only', (p) => p.userFactors.fill(0));
  readManifest(dataDir, weak);

  const liveFile = join(dataDir, 'live.log');
  writeFileSync(liveFile, '');
  const sink = appendSink(liveFile);
  // The same settings for the server, as a config file (the overrides, nested).
  const file: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(overrides)) {
    const [section, key] = k.split('.');
    if (key === undefined || section === 'serve') continue;
    (file[section!] ??= {})[key] = v;
  }
  file.serve = { adminToken: TOKEN };
  const configFile = join(dataDir, 'serve.json');
  writeFileSync(configFile, JSON.stringify(file));
  const child = await spawnServe(t, dataDir, [
    '--config',
    configFile,
    '--threads',
    String(config.serve.threads),
    '--from-file',
    liveFile,
    '--follow',
  ]);
  const base = child.base;
  let stopped = false;
  return {
    config,
    base,
    releaseLog: () =>
      child
        .logs()
        .filter((r) => String(r.msg).startsWith('release:'))
        .map((r) => JSON.stringify(r)),
    async status() {
      const r = await fetch(`${base}/admin/release`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (r.status !== 200) throw new Error(`GET /admin/release: ${r.status} ${await r.text()}`);
      return (await r.json()) as ReleaseStatus;
    },
    trained: trained.id,
    weak,
    broken,
    inverse,
    oracle,
    driving() {
      const ac = new AbortController();
      const run = drive(world, {
        target: base,
        out: sink,
        rate: sim.rate ?? 5000,
        start: simNow,
        seed: 6,
        oracleSample: 0,
        signal: ac.signal,
      });
      return {
        stop: async () => {
          ac.abort();
          return run;
        },
      };
    },
    async close() {
      if (stopped) return;
      stopped = true;
      child.child.kill('SIGTERM');
      await child.exited;
      await catalog.close();
    },
  };
}

/** Polls `f` every 200 ms until it returns a value, or gives up after `ms`. */
export async function until<T>(f: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
}
