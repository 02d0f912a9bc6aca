// Parser micro-benchmark: lines/s of parseLine on one core over a simulator
// history (about 98% watch lines, spurious lines included), beside the target.
import os from 'node:os';
import { parseLine } from '../../src/ingest/parse-line';
import { createWorld, historyLines } from '../../src/sim';

const TARGET = 1_000_000;
const LINES = Number(process.env.LINES ?? 500_000);
const ROUNDS = 5;

async function main(): Promise<void> {
  const lines = await historyLines(createWorld({ seed: 7, users: 5000, movies: 2000 }), {
    lines: LINES,
    spuriousRate: 0.01,
  });

  let sink = 0;
  // Wall time and this thread's CPU time: on a shared machine the CPU figure is the one core's own rate.
  const run = () => {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < lines.length; i++) {
      const p = parseLine(lines[i]!, 5);
      sink += p.kind === 'watch' ? p.minute : 1;
    }
    const c = process.cpuUsage(c0);
    return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 };
  };
  run(); // warm-up: let V8 optimise the scanner first
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const x = run();
    wall.push(lines.length / x.wall);
    cpu.push(lines.length / x.cpu);
  }
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const median = med(cpu);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const kinds: Record<string, number> = {};
  for (const l of lines) {
    const p = parseLine(l, 5);
    const k = p.kind === 'reject' ? `reject:${p.reason}` : p.kind;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  console.log(
    `parse-speed: ${lines.length} simulator lines x ${ROUNDS} rounds, one core (machine shared: figures are noisy)`,
  );
  console.log(`  line mix        ${JSON.stringify(kinds)}`);
  console.log(
    `  parseLine       ${fmt(median)} lines per CPU-second (median of ${ROUNDS}; wall-clock median ` +
      `${fmt(med(wall))} lines/s, load average ${os.loadavg()[0]!.toFixed(1)})`,
  );
  console.log(`  target          ${fmt(TARGET)} lines/s on one core  -> ${median >= TARGET ? 'MET' : 'NOT MET'}`);
  console.log(`  checksum        ${sink}`);
}

void main();
