// The README's "A day of operation", run as written: its command block is
// read from README.md and each line is run in order in a temporary directory
// (background `&`, `SERVE=$!`, `&&`, `;`, `kill -HUP $SERVE`), with only the
// substitutions listed below (the shared broker, a fresh topic, free ports, a
// small world, a faster stream), each of which must match the README, so the
// two cannot drift; `npx movrec` runs this clone's scripts/movrec.js.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { testBroker, uniqueTopic } from '../helpers/kafka';
import { MOVREC } from '../helpers/cli';
import { eventually } from '../serve/spawn-serve';

const root = join(__dirname, '..', '..');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The fenced block under "## A day of operation", one command line per entry. */
function readmeBlock(): string[] {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('## A day of operation'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

interface Ran {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function start(argv: string[], cwd: string): Ran {
  const [cmd, ...args] = argv;
  const child = spawn(
    cmd === 'npx' && args[0] === 'movrec' ? process.execPath : cmd!,
    cmd === 'npx' ? [MOVREC, ...args.slice(1)] : args,
    {
      cwd,
      env: { ...process.env, MOVREC_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    if (err.length > 2_000_000) err = err.slice(-1_000_000);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

t.test("the README's day of operation works as written", async (t) => {
  const lines = readmeBlock();
  t.equal(lines.length, 5, `five lines: ${JSON.stringify(lines)}`);
  const dir = t.testdir();
  const broker = testBroker();
  const topic = uniqueTopic('movielog-readme');
  const apiPort = await freePort();
  const servePort = await freePort();
  const subs: [string, string][] = [
    ['127.0.0.1:9092', broker],
    ['movielog1', topic],
    ['--users 1000000', '--users 1500'],
    ['--movies 27000', '--movies 300'],
    // Minutes of stream at 1,000 lines/s, as a user would wait, in seconds here.
    ['--rate 1000', '--rate 5000'],
    ['8080', String(apiPort)],
    ['8082', String(servePort)],
  ];
  const block = lines.join('\n');
  for (const [from] of subs) t.ok(block.includes(from), `the README says ${from}`);
  const substitute = (s: string) => subs.reduce((acc, [from, to]) => acc.split(from).join(to), s);

  // The clone's config/example.json, with the same substitutions (and loopback only, as tests must).
  mkdirSync(join(dir, 'config'));
  const example = readFileSync(join(root, 'config', 'example.json'), 'utf8');
  for (const from of ['127.0.0.1:9092', 'movielog1', '8080', '8082'])
    t.ok(example.includes(from), `config/example.json says ${from}`);
  // A consumer group of its own too: tests share the broker, and one group over two topics rebalances both.
  t.ok(example.includes('"groupId": "movrec"'), 'config/example.json names the group');
  writeFileSync(
    join(dir, 'config', 'example.json'),
    substitute(example).replace('"0.0.0.0"', '"127.0.0.1"').replace('"groupId": "movrec"', `"groupId": "g-${topic}"`),
  );
  cpSync(join(root, 'config', 'example.json'), join(dir, 'config', 'example.orig.json'));

  const background: Ran[] = [];
  t.teardown(async () => {
    for (const b of background) if (b.child.exitCode === null) b.child.kill('SIGTERM');
    await Promise.all(background.map((b) => b.exited));
  });
  const vars: Record<string, Ran> = {};
  const results: { argv: string[]; ran: Ran; code: number | null }[] = [];

  // 1. The broker: the shared one stands in for `scripts/kafka start 9092`.
  t.match(lines[0]!, /^scripts\/kafka start 9092$/, 'line 1 starts a local broker on 9092');

  // 2. The simulator, in the background.
  const simLine = substitute(lines[1]!);
  t.match(simLine, /^npx movrec sim .* &$/, 'line 2 runs the simulator in the background');
  const sim = start(simLine.replace(/ &$/, '').split(/\s+/), dir);
  background.push(sim);
  const world = await eventually(async () => {
    try {
      const r = await fetch(`http://127.0.0.1:${apiPort}/world`);
      return r.ok ? ((await r.json()) as { id: string }) : undefined;
    } catch {
      return undefined;
    }
  }, 1200);
  t.ok(world, `the simulator serves its catalog API (${world?.id})`);

  // 3. The server, in the background, its pid kept as $SERVE.
  const serveLine = substitute(lines[2]!);
  const m = /^(npx movrec serve .*) & (\w+)=\$!$/.exec(serveLine);
  t.ok(m, 'line 3 runs the server in the background and keeps its pid');
  if (!m) return;
  const serve = start(m[1]!.split(/\s+/), dir);
  background.push(serve);
  vars[m[2]!] = serve;
  const base = `http://127.0.0.1:${servePort}`;
  const firstAnswer = await eventually(async () => {
    try {
      const r = await fetch(`${base}/recommend/7`);
      return r.status === 200 ? r : undefined;
    } catch {
      return undefined;
    }
  }, 1200);
  t.ok(firstAnswer, `serve answers 200 before any model: ${serve.err().slice(-500)}`);
  t.equal(firstAnswer?.headers.get('x-answer-source'), 'degraded', 'from ingested popularity, counted as degraded');
  t.match(await (await fetch(`${base}/readyz`)).text(), /no model yet/, '/readyz says there is no model yet');
  const enough = await eventually(async () => {
    const body = await (await fetch(`${base}/metrics`)).text();
    const count = (kind: string) =>
      Number(new RegExp(`^movrec_ingest_lines_consumed_total\\{kind="${kind}"\\} (\\d+)`, 'm').exec(body)?.[1] ?? 0);
    // Enough ratings for the gate's held-out RMSE: a model trained on fewer is refused, and says so.
    return count('rate') >= 1500 ? count('watch') + count('rate') : undefined;
  }, 2400);
  t.ok(enough, `serve ingests the simulator's stream from Kafka (${enough} watch and rate lines)`);

  // 4 and 5. The foreground lines: `a && b` runs b only after a succeeded, `a ; b` runs both.
  for (const line of lines.slice(3).map(substitute)) {
    for (const part of line.split(/\s*;\s*/)) {
      for (const cmd of part.split(/\s*&&\s*/)) {
        const kill = /^kill -HUP \$(\w+)$/.exec(cmd);
        if (kill) {
          const target = vars[kill[1]!];
          t.ok(target, `$${kill[1]} names the server`);
          target?.child.kill('SIGHUP');
          results.push({ argv: cmd.split(/\s+/), ran: target!, code: 0 });
          continue;
        }
        t.match(cmd, /^npx movrec /, `a movrec command: ${cmd}`);
        const ran = start(cmd.split(/\s+/), dir);
        const code = await ran.exited;
        results.push({ argv: cmd.split(/\s+/), ran, code });
        t.equal(code, 0, `${cmd} exits 0: ${ran.err().slice(-800)}`);
        if (code !== 0) break;
      }
    }
  }
  const byCmd = (prefix: string) => results.find((r) => r.argv.slice(0, prefix.split(' ').length).join(' ') === prefix);
  const train = byCmd('npx movrec train');
  t.match(train?.ran.out() ?? '', /approved/i, 'train reports its gate verdict');
  const ls = byCmd('npx movrec models ls');
  const approvedId = /^(\S+-\d{8}T\d{6}Z-[0-9a-f]{6})\s.*\bapproved\b/m.exec(ls?.ran.out() ?? '')?.[1];
  t.ok(approvedId, `models ls lists an approved model: ${ls?.ran.out().slice(0, 400)}`);
  const swapped = await eventually(async () => {
    const r = await fetch(`${base}/recommend/7`);
    return r.headers.get('x-model-id') === approvedId ? r : undefined;
  }, 600);
  t.ok(swapped, 'after SIGHUP the server answers with the trained model');
  t.match(byCmd('npx movrec report data')?.ran.out() ?? '', /\d/, 'report data prints the stored data');
  t.match(byCmd('npx movrec eval')?.ran.out() ?? '', /RMSE|NDCG/i, 'eval prints its metrics');
  t.match(await (await fetch(`${base}/readyz`)).text(), /^ready: model /, '/readyz: a model serves');
});
