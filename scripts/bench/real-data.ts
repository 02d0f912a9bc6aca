// Benchmark: real MovieLens-100k ratings split by time, through the real
// pipeline (stream lines → ingest with a catalog API → LMDB → movrec train →
// the served artifact ranked by the serving ranker), beside all-time, recent
// and segment popularity and the `implicit` library's ALS, in one run.
//
// Protocol: for each cut T, a model may use only events before T and is scored
// on the events in [T, T + 28 days). Users with events before T are warm (their
// earlier titles are filtered as serving does); users whose first event falls
// in the test period are cold (demographics only). Baselines' hyperparameters
// (recent popularity's window, segment popularity's half-life) are chosen on the
// validation period [T − 28 days, T) with data before T − 28 days; movrec train
// chooses its model on its own time split of the data before T. Nothing is tuned
// on a test period. Several cuts; margins pooled over (cut, user) pairs with a
// paired bootstrap 95% interval.
//
// The data (recbole 1.2.1's wheel, whose licence forbids redistribution) is
// fetched into ~/.cache/movrec/recbole (MOVREC_CACHE to change) on first use.
// Run: npm run build && node dist/scripts/bench/real-data.js [--cuts ISO,ISO,...] [--min-coverage 0..1]
//      [--select-by choices|ndcg|rated-order]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaults } from '../../config/defaults';
import type { Config } from '../../src/config/schema';
import { startCatalogStub } from '../../src/eval/catalog-stub';
import { ratioCi } from './ratio-ci';
import { readRecboleMl100k } from './recbole-ml100k';
import { timeWindow } from '../../src/eval/time-window';
import { startIngest } from '../../src/ingest/loop';
import { sourceFromConfig } from '../../src/ingest/source-from-config';
import { createLogger } from '../../src/log';
import { segmentKey, type Dataset, type UserInfo } from '../../src/domain/dataset';
import { Popularity } from '../../src/model/popularity';
import { artifactPath } from '../../src/model/registry';
import { prepareModel } from '../../src/scoring/prepared-model';
import { idsOf, rankUsers } from '../../src/scoring/rank';
import { openStore } from '../../src/store/store';
import { nativeStatus } from '../../src/model/kernels';
import { trainAndRegister } from '../../src/train/train';

const DAY = 86_400_000;
const K = 20;
const { values } = parseArgs({
  options: {
    cuts: { type: 'string', default: '1998-01-22,1998-02-19,1998-03-19' },
    days: { type: 'string', default: '28' },
    boot: { type: 'string', default: '2000' },
    // movrec train's coverage floor (train.minCoverage); 0 shows what NDCG@20 alone would serve.
    'min-coverage': { type: 'string', default: String(defaults.train.minCoverage) },
    // movrec train's selection rule (train.selectBy).
    'select-by': { type: 'string', default: defaults.train.selectBy },
  },
});
const WINDOW = Number(values.days) * DAY;
const CUTS = values.cuts!.split(',').map((s) => Date.parse(`${s}T00:00:00Z`));
const RECENT_DAYS = [3, 7, 14, 28, 56, 112];
const HALF_LIVES = [0, 7, 14, 28, 56];

createLogger('warn');

function ml100kDir(): string {
  const cache = process.env.MOVREC_CACHE ?? join(homedir(), '.cache', 'movrec', 'recbole');
  const dir = join(cache, 'recbole', 'dataset_example', 'ml-100k');
  if (existsSync(join(dir, 'ml-100k.inter'))) return dir;
  mkdirSync(cache, { recursive: true });
  execFileSync('python3', ['-m', 'pip', 'download', '--no-deps', 'recbole==1.2.1', '-d', cache], { stdio: 'inherit' });
  const wheel = readdirSync(cache).find((f) => f.startsWith('recbole-1.2.1') && f.endsWith('.whl'));
  if (!wheel) throw new Error(`no recbole 1.2.1 wheel in ${cache}`);
  const extract = `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.startswith('recbole/dataset_example/ml-100k/ml-100k.') and n.rsplit('.', 1)[1] in ('inter', 'user', 'item'):
        z.extract(n, sys.argv[2])`;
  execFileSync('python3', ['-c', extract, join(cache, wheel), cache]);
  return dir;
}

interface Ask {
  userId: number;
  seen: string[];
  info: UserInfo | null;
  relevant: Set<string>;
  cold: boolean;
}
type Lister = (asks: Ask[]) => string[][];

/** Users with events in `test`: warm ones with their titles in `train`, cold ones with none. */
function asksOf(train: Dataset, test: Dataset): Ask[] {
  const seenBy = new Map<number, string[]>();
  const add = (m: Map<number, string[]>, d: Dataset, u: number, i: number) => {
    const id = d.userIds[u]!;
    const l = m.get(id) ?? m.set(id, []).get(id)!;
    l.push(d.itemIds[i]!);
  };
  for (let n = 0; n < train.ratings.user.length; n++)
    add(seenBy, train, train.ratings.user[n]!, train.ratings.item[n]!);
  for (let n = 0; n < train.watches.user.length; n++)
    add(seenBy, train, train.watches.user[n]!, train.watches.item[n]!);
  const later = new Map<number, string[]>();
  for (let n = 0; n < test.ratings.user.length; n++) add(later, test, test.ratings.user[n]!, test.ratings.item[n]!);
  for (let n = 0; n < test.watches.user.length; n++) add(later, test, test.watches.user[n]!, test.watches.item[n]!);
  const out: Ask[] = [];
  test.userIds.forEach((userId, u) => {
    const seen = [...new Set(seenBy.get(userId) ?? [])];
    const s = new Set(seen);
    const relevant = new Set(later.get(userId)!.filter((m) => !s.has(m)));
    if (relevant.size > 0) out.push({ userId, seen, info: test.users[u] ?? null, relevant, cold: seen.length === 0 });
  });
  return out;
}

/** Ranks by a fixed score per item, skipping each user's seen titles. */
function byScore(score: Map<string, number>): Lister {
  const order = [...score].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
  return (asks) =>
    asks.map((a) => {
      const s = new Set(a.seen);
      const out: string[] = [];
      for (const id of order) {
        if (out.length === K) break;
        if (!s.has(id)) out.push(id);
      }
      return out;
    });
}

/** Interactions per item in [from, to) (all of train when from is −∞), ties broken by all-time count. */
function counts(train: Dataset, from: number): Map<string, number> {
  const c = new Map<string, number>();
  const add = (i: number, w: number) => c.set(train.itemIds[i]!, (c.get(train.itemIds[i]!) ?? 0) + w);
  const to = train.meta.to + 1;
  for (let n = 0; n < train.ratings.item.length; n++) {
    const t = train.ratings.time[n]!;
    add(train.ratings.item[n]!, (t >= from && t < to ? 1 : 0) + 1e-6);
  }
  for (let n = 0; n < train.watches.item.length; n++) {
    const t = train.watches.time[n]!;
    add(train.watches.item[n]!, (t >= from && t < to ? 1 : 0) + 1e-6);
  }
  return c;
}

const allTime = (train: Dataset): Lister => byScore(counts(train, -Infinity));
const recent = (days: number) => (train: Dataset, cut: number) => byScore(counts(train, cut - days * DAY));

function segmentPop(halfLifeDays: number) {
  return (train: Dataset): Lister => {
    const p = new Popularity({ bySegment: true, halfLifeDays });
    p.fit(train);
    const scores = new Float32Array(train.itemIds.length);
    const listers = new Map<string, Lister>();
    return (asks) =>
      asks.map((a) => {
        const key = segmentKey(a.info);
        let l = listers.get(key);
        if (!l) {
          p.scoreSegment(key, scores);
          l = byScore(new Map(train.itemIds.map((id, i) => [id, scores[i]!])));
          listers.set(key, l);
        }
        return l([a])[0]!;
      });
  };
}

function implicitAls(work: string) {
  return (train: Dataset): Lister =>
    (asks) => {
      const userIndex = new Map(Array.from(train.userIds, (id, u) => [id, u]));
      const rows: string[] = [];
      for (let n = 0; n < train.ratings.user.length; n++)
        rows.push(`${train.ratings.user[n]}\t${train.ratings.item[n]}\t1`);
      for (let n = 0; n < train.watches.user.length; n++)
        rows.push(`${train.watches.user[n]}\t${train.watches.item[n]}\t1`);
      const warm = asks.filter((a) => !a.cold);
      writeFileSync(join(work, 'als-train.tsv'), `${rows.join('\n')}\n`);
      writeFileSync(join(work, 'als-users.txt'), `${warm.map((a) => userIndex.get(a.userId)).join('\n')}\n`);
      execFileSync(
        'python3',
        [
          join(__dirname, '..', '..', '..', 'scripts', 'bench', 'implicit-als.py'),
          '--train',
          join(work, 'als-train.tsv'),
          '--users',
          join(work, 'als-users.txt'),
          '--out',
          join(work, 'als-out.txt'),
          '--n-users',
          String(train.userIds.length),
          '--n-items',
          String(train.itemIds.length),
        ],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      const lines = readFileSync(join(work, 'als-out.txt'), 'utf8').split('\n');
      let w = 0;
      return asks.map((a) =>
        a.cold
          ? []
          : lines[w++]!.split(',')
              .filter((x) => x !== '')
              .map((i) => train.itemIds[Number(i)]!),
      );
    };
}

function served(work: string, config: Config) {
  return (train: Dataset, cut: number): Lister => {
    const dataDir = join(work, `models-${cut}`);
    const { manifest } = trainAndRegister({ dataDir, config: { ...config, dataDir }, dataset: train });
    servedKinds.push(`${new Date(cut).toISOString().slice(0, 10)}: ${manifest.metrics.rankingModel}`);
    const m = prepareModel(readFileSync(artifactPath(dataDir, manifest.id)), { verify: true, label: manifest.id });
    return (asks) =>
      rankUsers(
        m,
        asks.map((a) => ({ userId: a.userId, seen: a.seen, info: a.info })),
        { listSize: K, unknownAgeIsMinor: config.serve.unknownAgeIsMinor },
      ).map((r) => idsOf(m, r.items));
  };
}
const servedKinds: string[] = [];

interface PerUser {
  recall: number;
  ndcg: number;
  hit: number;
}

function score(asks: Ask[], lists: string[][]): PerUser[] {
  return asks.map((a, j) => {
    const list = lists[j]!;
    let hits = 0;
    let dcg = 0;
    list.forEach((id, rank) => {
      if (a.relevant.has(id)) hits++, (dcg += 1 / Math.log2(rank + 2));
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(K, a.relevant.size); r++) idcg += 1 / Math.log2(r + 2);
    return { recall: hits / a.relevant.size, ndcg: dcg / idcg, hit: hits > 0 ? 1 : 0 };
  });
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

/** The option with the best validation Recall@20 (all validation users). */
function tune<T extends number>(
  label: string,
  options: T[],
  make: (o: T) => (train: Dataset, cut: number) => Lister,
  ds: Dataset,
  cut: number,
): T {
  const train = timeWindow(ds, -Infinity, cut - WINDOW);
  const asks = asksOf(train, timeWindow(ds, cut - WINDOW, cut));
  let best = options[0]!;
  let bestRecall = -1;
  const seen: string[] = [];
  for (const o of options) {
    const r = mean(score(asks, make(o)(train, cut - WINDOW)(asks)).map((x) => x.recall));
    seen.push(`${String(o)}:${r.toFixed(4)}`);
    if (r > bestRecall) (best = o), (bestRecall = r);
  }
  tuning.push(
    `${new Date(cut).toISOString().slice(0, 10)} ${label} on validation: ${seen.join(' ')} -> ${String(best)}`,
  );
  return best;
}
const tuning: string[] = [];

async function main(): Promise<void> {
  const dir = ml100kDir();
  const data = readRecboleMl100k(dir);
  const work = mkdtempSync(join(tmpdir(), 'movrec-real-data-'));
  const stream = join(work, 'stream.txt');
  writeFileSync(stream, `${data.lines.join('\n')}\n`);
  const stub = await startCatalogStub(data);
  const config: Config = {
    ...defaults,
    dataDir: join(work, 'data'),
    log: { level: 'warn' },
    train: {
      ...defaults.train,
      minCoverage: Number(values['min-coverage']),
      selectBy: values['select-by'] as Config['train']['selectBy'],
    },
    catalog: { ...defaults.catalog, baseUrl: stub.baseUrl, ratePerSecond: 2000, bulkSize: 200 },
  };
  const store = openStore(config.dataDir);
  const t0 = Date.now();
  const h = startIngest({
    config,
    store,
    source: sourceFromConfig(config, { fromFile: stream })!,
    waitForCatalog: true,
  });
  await h.done;
  const ds = store.readSnapshot({ ratingMax: 5 });
  await store.close();
  await stub.close();
  const withInfo = ds.users.filter((u) => u !== null).length;
  const d = data.duplicates;
  process.stdout.write(`kernels: ${nativeStatus}\n`);
  process.stdout.write(
    `MovieLens-100k (recbole 1.2.1) -> ${data.lines.length} rating lines, ${data.movies.size} course ` +
      `ids for ${[...data.itemsPerId.values()].reduce((s, l) => s + l.length, 0)} MovieLens items, ` +
      `${data.users.size} users; ingested in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
      `${ds.ratings.value.length} ratings (${data.lines.length - ds.ratings.value.length} merged where ` +
      `one user rated two items of one id), ${ds.userIds.length} users (${withInfo} with catalog ` +
      `demographics), ${ds.itemIds.length} titles\n`,
  );
  process.stdout.write(
    `duplicate course ids: ${d.ids} ids shared by ${d.items} MovieLens items (${d.distinctTitles} ` +
      `join distinct titles, ${d.ids - d.distinctTitles} are one title listed twice); merged by the ` +
      `stream under one id, e.g. ${d.examples.slice(0, 3).join('; ')}\n`,
  );
  process.stdout.write(
    `protocol: cuts ${values.cuts}; test [T, T+${values.days}d), validation [T-${values.days}d, T) ` +
      `with data before it; warm = events before T, cold = first event in the test period; ` +
      `movrec train's coverage floor ${values['min-coverage']}\n\n`,
  );
  const titles = data.movies.size;
  type Row = { name: string; per: PerUser[]; cold: boolean[]; lists: string[][]; pop: number[] };
  const rows = new Map<string, Row>();
  const record = (name: string, asks: Ask[], lists: string[][], popCount: Map<string, number>) => {
    const r = rows.get(name) ?? rows.set(name, { name, per: [], cold: [], lists: [], pop: [] }).get(name)!;
    r.per.push(...score(asks, lists));
    r.cold.push(...asks.map((a) => a.cold));
    r.lists.push(...lists);
    r.pop.push(...lists.map((l) => mean(l.map((id) => Math.floor(popCount.get(id) ?? 0)))));
  };
  for (const cut of CUTS) {
    const train = timeWindow(ds, -Infinity, cut);
    const test = timeWindow(ds, cut, cut + WINDOW);
    const asks = asksOf(train, test);
    const popCount = counts(train, -Infinity);
    const nDays = tune('recent popularity days', RECENT_DAYS, recent, ds, cut);
    const half = tune('segment popularity half-life days', HALF_LIVES, (hl) => segmentPop(hl), ds, cut);
    const methods: [string, Lister][] = [
      ['movrec (served)', served(work, config)(train, cut)],
      ['all-time popularity', allTime(train)],
      ['recent popularity', recent(nDays)(train, cut)],
      ['segment popularity', segmentPop(half)(train)],
      ['implicit ALS 0.7.3', implicitAls(work)(train)],
    ];
    for (const [name, lister] of methods) record(name, asks, lister(asks), popCount);
    process.stdout.write(
      `cut ${new Date(cut).toISOString().slice(0, 10)}: ${train.ratings.value.length} train ratings, ` +
        `${asks.filter((a) => !a.cold).length} warm and ${asks.filter((a) => a.cold).length} cold test users; ` +
        `Recall@20 warm / cold: ${methods
          .map(([name]) => {
            const per = score(asks, rows.get(name)!.lists.slice(-asks.length));
            const of = (cold: boolean) => mean(per.filter((_, j) => asks[j]!.cold === cold).map((x) => x.recall));
            return `${name} ${of(false).toFixed(4)} / ${of(true).toFixed(4)}`;
          })
          .join(', ')}\n`,
    );
  }
  for (const l of tuning) process.stdout.write(`${l}\n`);
  process.stdout.write(`served model per cut: ${servedKinds.join(', ')}\n`);
  const reps = Number(values.boot);
  for (const group of ['warm', 'cold'] as const) {
    process.stdout.write(`\n${group} users, pooled over cuts:\n`);
    process.stdout.write(
      `  ${'list'.padEnd(22)}${['users', 'Recall@20', 'NDCG@20', 'hit rate', 'coverage', 'list pop']
        .map((x) => x.padStart(11))
        .join('')}\n`,
    );
    const pick = (r: Row) => r.per.filter((_, j) => r.cold[j] === (group === 'cold'));
    for (const r of rows.values()) {
      const per = pick(r);
      const lists = r.lists.filter((_, j) => r.cold[j] === (group === 'cold'));
      const pops = r.pop.filter((_, j) => r.cold[j] === (group === 'cold'));
      const covered = new Set(lists.flat()).size;
      if (lists.every((l) => l.length === 0)) {
        process.stdout.write(`  ${r.name.padEnd(22)}${String(per.length).padStart(11)}  (no lists for these users)\n`);
        continue;
      }
      process.stdout.write(
        `  ${r.name.padEnd(22)}${[
          String(per.length),
          mean(per.map((x) => x.recall)).toFixed(4),
          mean(per.map((x) => x.ndcg)).toFixed(4),
          mean(per.map((x) => x.hit)).toFixed(4),
          `${((100 * covered) / titles).toFixed(1)}%`,
          mean(pops).toFixed(0),
        ]
          .map((x) => x.padStart(11))
          .join('')}\n`,
      );
    }
    const ours = rows.get('movrec (served)')!;
    const pops = ['all-time popularity', 'recent popularity', 'segment popularity'].map((n) => rows.get(n)!);
    const bestPop = pops.sort((a, b) => mean(pick(b).map((x) => x.recall)) - mean(pick(a).map((x) => x.recall)))[0]!;
    const others = [
      bestPop,
      ...(group === 'cold' ? [rows.get('all-time popularity')!] : [rows.get('implicit ALS 0.7.3')!]),
    ];
    for (const other of others) {
      for (const metric of ['recall', 'ndcg'] as const) {
        const [ratio, lo, hi] = ratioCi(
          pick(ours).map((x) => x[metric]),
          pick(other).map((x) => x[metric]),
          reps,
        );
        process.stdout.write(
          `  movrec / ${other.name}${other === bestPop ? ' (best popularity on test)' : ''}: ` +
            `${metric === 'recall' ? 'Recall@20' : 'NDCG@20'} x${ratio.toFixed(3)} [95% CI ` +
            `${lo.toFixed(3)}, ${hi.toFixed(3)}]\n`,
        );
      }
    }
  }
  const all = rows.get('movrec (served)')!;
  process.stdout.write(
    `\ncatalog coverage of all served lists (warm and cold, all cuts): ` +
      `${((100 * new Set(all.lists.flat()).size) / titles).toFixed(1)}% of ${titles} titles (target >= 20%)\n`,
  );
  rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
