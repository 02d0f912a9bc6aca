import t from 'tap';
import { DB } from '../../src/store/tables';
import { Agent, request } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { answerLogBytes, readRefused } from '../../src/telemetry/answer-log';
import { startTestServer } from './harness';
import { USERS } from './fixture';

const CAP = 8 * 1024;
const FLOOD_MS = 6000;
const MAX_REQUESTS = 400_000;

/** GETs from one address over keep-alive sockets until the time or count runs out; statuses counted. */
async function flood(base: string): Promise<Map<number, number>> {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const statuses = new Map<number, number>();
  const until = performance.now() + FLOOD_MS;
  let sent = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const users = [USERS.adult.id, USERS.minor.id, USERS.thin.id, USERS.unknownAge.id];
      const req = request(
        { host: url.hostname, port: url.port, path: `/recommend/${users[i % users.length]}`, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', () => resolve());
      req.end();
    });
  const lane = async () => {
    while (performance.now() < until && sent < MAX_REQUESTS) await one(sent++);
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  agent.destroy();
  return statuses;
}

t.test(
  'a flood from one address keeps the answer log under its byte cap; refusals are counted, not written',
  async (t) => {
    // A limit of 50 a second lets answers through all along (the log must drop its oldest) while most requests get 429.
    const s = await startTestServer(t, {
      'rateLimit.trusted': [],
      'rateLimit.points': 50,
      'rateLimit.windowSeconds': 1,
      'telemetry.answerLogMaxBytes': CAP,
    });
    const lmdbFile = join(s.dataDir, 'lmdb', 'data.mdb');
    const fileBefore = statSync(lmdbFile).size;
    const statuses = await flood(s.base);
    await s.server.close();
    const ok = statuses.get(200) ?? 0;
    const limited = statuses.get(429) ?? 0;
    t.ok(ok > 100, `answers got through (${ok})`);
    t.ok(limited > 1000, `most requests were refused (${limited} x 429)`);

    const { held, written } = answerLogBytes(s.store.root);
    t.ok(written > 2 * CAP, `the flood wrote ${written} bytes of answers, more than twice the cap`);
    t.ok(held > 0 && held <= CAP, `the log holds ${held} bytes, within the cap of ${CAP}: the oldest were dropped`);
    const st = s.store.root.openDB({ name: DB.answers }).getStats() as {
      pageSize: number;
      treeBranchPageCount: number;
      treeLeafPageCount: number;
      overflowPages: number;
    };
    const pages = (st.treeBranchPageCount + st.treeLeafPageCount + st.overflowPages) * st.pageSize;
    t.ok(pages <= 2 * CAP + 4 * st.pageSize, `its pages take ${pages} bytes`);
    const grew = statSync(lmdbFile).size - fileBefore;
    t.ok(grew <= 8 * CAP, `the LMDB file grew by ${grew} bytes for ${ok + limited} requests`);

    let counted = 0;
    for (const [k, n] of readRefused(s.store.root)) if (k.endsWith('\t429')) counted += n;
    t.ok(
      counted > 0 && counted <= limited,
      `429s counted in the log's per-second rows (${counted} kept of ${limited})`,
    );
    t.comment(
      `flood: ${ok} x 200, ${limited} x 429; log ${held} bytes (cap ${CAP}), sub-db pages ${pages} ` +
        `bytes, file +${grew} bytes`,
    );
  },
);
