// How a scoring worker turns a user's seen list into the model's item
// indices, per user, for histories of several lengths over a 27,000-id model:
// decoding the stored ids and looking each up in the id Map (the reference,
// and the fallback), beside reading the stored bytes through the id table
// (scoring/id-table, what workers do). Both read the same real LMDB store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeArtifact } from '../../src/model/artifact';
import { readSeen } from '../../src/scoring/id-table';
import { prepareModel, warmUp } from '../../src/scoring/prepared-model';
import { openStore, storeTables } from '../../src/store/store';
import { addSeen } from '../../src/store/tables';
import { randomModelParts, rng } from './random-model';

const ITEMS = 27_000;
const USERS = 5_000;
const LENGTHS = [3, 20, 100];

async function main(): Promise<void> {
  const m = prepareModel(
    encodeArtifact(
      randomModelParts({ id: 'mf-20260101T000000Z-bench1', seed: 5, users: 1, items: ITEMS, factors: 8, segments: {} }),
    ),
    { verify: false, label: 'bench' },
  );
  warmUp(m);
  const r = rng(9);
  console.log(
    `seen list -> model item indices, per user, ${USERS} users per history length, ${ITEMS} ids; ` +
      `machine shared with other jobs, figures are noisy`,
  );
  for (const length of LENGTHS) {
    const dir = mkdtempSync(join(tmpdir(), 'movrec-seen-lists-'));
    const store = openStore(dir);
    try {
      const t = storeTables(store);
      await t.watches.transaction(() => {
        for (let u = 1; u <= USERS; u++)
          addSeen(
            t,
            u,
            Array.from({ length }, () => m.view.itemIds[Math.floor(r() * ITEMS)]!),
          );
      });
      const time = (f: (u: number) => number): { us: number; sum: number } => {
        let best = Infinity;
        let sum = 0;
        for (let round = 0; round < 4; round++) {
          sum = 0;
          const start = process.hrtime.bigint();
          for (let u = 1; u <= USERS; u++) sum += f(u);
          best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / USERS);
        }
        return { us: best, sum };
      };
      const viaMap = time((u) => {
        let s = 0;
        for (const id of store.seenMovies(u)) s += m.itemIndex.get(id) ?? 0;
        return s;
      });
      const viaBytes = time((u) => {
        let s = 0;
        const raw = store.seenBytes(u);
        const seen = raw ? readSeen(raw, m.idTable) : null;
        if (seen) for (const i of seen.items) s += i;
        return s;
      });
      console.log(
        `${String(length).padStart(4)} titles: stored bytes + id table ` +
          `${viaBytes.us.toFixed(2).padStart(6)} us/user   ids + id Map ` +
          `${viaMap.us.toFixed(2).padStart(6)} us/user <- reference   ` +
          `${(viaMap.us / viaBytes.us).toFixed(2)}x   same indices: ${viaMap.sum === viaBytes.sum ? 'yes' : 'NO'}`,
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
