// How far a trained model stands from a random-score one in the release tests'
// world (seed 5, 3,000 users, 3,000 movies; tests/release/sim-release-fixture.ts),
// by history length: the mSPRT users per arm the canary guard needs to roll a
// random model back against a trained stable, beside the oracle as stable.
//
// For each history length: the world's history ingested into LMDB (catalog API
// running), a model trained by trainAndRegister with the fixture's settings
// (kind mf, 8 epochs, 16 factors), the random model derived from it as the
// fixture does (its user and item factors and item biases replaced by uniform
// draws in [-0.5, 0.5); its cold-start lists kept). Every world user's list
// from each is ranked by rankUsers (as the scoring worker does) and scored by
// the simulator's pickProbability at the history's end; the oracle's list is
// the world's true top-20. Then K sequential tests as the guard runs them
// (alpha and tau as the rollback test sets them), users drawn from the world
// with 1 to 6 answers each, checked every 10 users per arm up to 20,000.
// Run: npm run build && node dist/scripts/bench/rollback-world.js [--history 200000,1000000] [--k 100]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { copyParts, viewArtifact } from '../../src/model/artifact';
import { artifactPath, newModelId, registerModel } from '../../src/model/registry';
import { rng } from '../../src/model/rng';
import { msprt, summarise, type Summary, type UserCounts } from '../../src/release/stats';
import { prepareModel } from '../../src/scoring/prepared-model';
import { rankUsers } from '../../src/scoring/rank';
import { createWorld, pickProbability, startCatalogApi, writeHistory } from '../../src/sim';
import { oracleIndices } from '../../src/sim/truth';
import { openStore } from '../../src/store/store';
import { trainAndRegister } from '../../src/train/train';

const { values } = parseArgs({
  options: {
    history: { type: 'string', default: '200000,1000000' },
    k: { type: 'string', default: '100' },
  },
});
const K = Number(values.k);
/** The rollback test's guard settings. */
const ALPHA = 0.05;
const TAU = 0.1;
const STEP = 10;
const MAX = 20_000;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Per world user: the chance an answer is watched from, for the trained, random and oracle lists. */
async function chances(lines: number): Promise<{ events: number; warm: number; p: Float64Array[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'movrec-rollback-world-'));
  const world = createWorld({ seed: 5, users: 3000, movies: 3000 });
  const catalog = await startCatalogApi(world, { port: 0, host: '127.0.0.1', ratePerSecond: 5000 });
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      'catalog.baseUrl': `http://127.0.0.1:${catalog.port}`,
      'catalog.ratePerSecond': 2500,
      'catalog.bulkSize': 100,
      'train.epochs': 8,
      'train.factors': 16,
    },
  });
  const historyFile = join(dataDir, 'history.log');
  await writeHistory(world, { lines, out: historyFile, target: 'http://127.0.0.1:8082' });
  const store = openStore(dataDir);
  try {
    await startIngest({
      config,
      store,
      source: fileSource({ path: historyFile, batchLines: config.ingest.batchLines }),
      waitForCatalog: true,
    }).done;
    await catalog.close();
    const ds = store.readSnapshot({ ratingMax: config.ingest.ratingMax });
    const trained = trainAndRegister({ dataDir, config, dataset: ds, root: store.root, kinds: ['mf'], blends: false });
    const view = viewArtifact(readFileSync(artifactPath(dataDir, trained.manifest.id)));
    const parts = copyParts(view, newModelId('random'));
    const r = rng(99);
    for (const a of [parts.userFactors, parts.itemFactors, parts.itemBias])
      for (let i = 0; i < a.length; i++) a[i] = r() - 0.5;
    const { id: _id, kind: _kind, artifact: _a, sha256: _s, ...rest } = trained.manifest;
    registerModel(dataDir, parts, { ...rest, created: new Date().toISOString(), approved: true, history: [] });
    const models = [trained.manifest.id, parts.id].map((id) =>
      prepareModel(readFileSync(artifactPath(dataDir, id)), { verify: true, label: id }),
    );
    const U = world.params.users;
    const at = ds.meta.to;
    const p = [new Float64Array(U), new Float64Array(U), new Float64Array(U)];
    let warm = 0;
    for (let w = 0; w < U; w++) {
      const facts = [{ userId: w + 1, seen: store.seenMovies(w + 1), info: store.userInfo(w + 1) }];
      const seen = new Set(facts[0]!.seen.map((id) => world.movieIndex.get(id) ?? -1));
      models.forEach((m, k) => {
        const x = rankUsers(m, facts, { listSize: 20, unknownAgeIsMinor: config.serve.unknownAgeIsMinor })[0]!;
        if (k === 0 && x.source === 'model') warm++;
        const items = Array.from(x.items, (i) => world.movieIndex.get(m.view.itemIds[i]!) ?? -1);
        p[k]![w] = pickProbability(world, w, items, seen, at);
      });
      p[2]![w] = pickProbability(
        world,
        w,
        oracleIndices(world, w, 20, (m) => seen.has(m), at),
        seen,
        at,
      );
    }
    return { events: ds.ratings.value.length + ds.watches.fraction.length, warm: warm / U, p };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Users per arm at which the guard's mSPRT rejects stable = canary, over K runs (null: not within MAX). */
function usersToRollback(stable: Float64Array, canary: Float64Array, seed: number): (number | null)[] {
  const r = rng(seed);
  const user = (p: Float64Array): UserCounts => {
    const u = Math.floor(r() * p.length);
    const answers = 1 + Math.floor(r() * 6);
    let hits = 0;
    for (let i = 0; i < answers; i++) if (r() < p[u]!) hits++;
    return { answers, hits };
  };
  const out: (number | null)[] = [];
  for (let k = 0; k < K; k++) {
    let a: Summary | undefined;
    let b: Summary | undefined;
    let when: number | null = null;
    for (let n = STEP; n <= MAX && when === null; n += STEP) {
      a = summarise(
        Array.from({ length: STEP }, () => user(stable)),
        a,
      );
      b = summarise(
        Array.from({ length: STEP }, () => user(canary)),
        b,
      );
      if (msprt(a, b, ALPHA, TAU).reject) when = n;
    }
    out.push(when);
  }
  return out;
}

function describe(when: (number | null)[]): string {
  const found = when.filter((x): x is number => x !== null).sort((x, y) => x - y);
  const at = (q: number): string => (found.length === 0 ? '-' : String(found[Math.floor(q * (found.length - 1))]));
  return `median ${at(0.5)}, p90 ${at(0.9)} users per arm; not within ${MAX}: ${K - found.length}/${K}`;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const mean = (a: Float64Array): number => a.reduce((s, x) => s + x, 0) / a.length;
  console.log(
    `rollback-world: the release tests' world (seed 5, 3000 users, 3000 movies); mSPRT alpha ${ALPHA}, ` +
      `tau ${TAU}, checked every ${STEP} users per arm; K = ${K}`,
  );
  for (const lines of values.history.split(',').map(Number)) {
    const { events, warm, p } = await chances(lines);
    const [trained, random, oracle] = p as [Float64Array, Float64Array, Float64Array];
    console.log(
      `history ${lines} lines: ${events} events, ${pct(warm)} of users ranked by the model; watch chance per ` +
        `answer over all users: trained ${pct(mean(trained))}, random ${pct(mean(random))}, ` +
        `oracle ${pct(mean(oracle))}`,
    );
    console.log(`  stable trained vs canary random: ${describe(usersToRollback(trained, random, 1))}`);
    console.log(`  stable oracle  vs canary random: ${describe(usersToRollback(oracle, random, 2))}`);
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s; machine shared with other jobs)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
