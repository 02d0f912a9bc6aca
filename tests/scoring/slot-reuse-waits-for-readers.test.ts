// A slot that a worker is reading is never refilled: a publish that needs it
// waits until the reader leaves, and gives up with a coded error after its bound.
import t from 'tap';
import { join } from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { createSlots, MIN_SLOTS, SlotPublisher, SlotReader, type SlotShared } from '../../src/scoring/slots';

const SLOTS_JS = join(__dirname, '..', '..', 'dist', 'src', 'scoring', 'slots.js');

const fillWith = (byte: number) => (target: Uint8Array) => {
  target.fill(byte);
  return byte;
};

/** A real worker thread that holds the stable slot until told to let go, reporting what it reads. */
function holdingWorker(shared: SlotShared): Worker {
  const code = `
const { parentPort, workerData } = require('node:worker_threads');
const { SlotReader } = require(${JSON.stringify(SLOTS_JS)});
const reader = new SlotReader(workerData);
const lease = reader.acquire('stable');
parentPort.postMessage({ held: lease.slot, byte: lease.bytes[0], generation: lease.generation });
parentPort.on('message', (m) => {
  if (m === 'peek') parentPort.postMessage({ byte: lease.bytes[0], length: lease.bytes.length });
  if (m === 'release') { reader.release(lease); parentPort.postMessage({ released: true }); parentPort.close(); }
});`;
  return new Worker(code, { eval: true, workerData: shared });
}

/** Fills the experiment roles too, so that exactly one slot is left idle, as with every role live. */
async function occupyArms(pub: SlotPublisher): Promise<void> {
  await pub.publish('arm-a', 64, fillWith(0xa0));
  await pub.publish('arm-b', 64, fillWith(0xb0));
}

async function ask(w: Worker, msg?: string): Promise<Record<string, number>> {
  const reply = once(w, 'message');
  if (msg) w.postMessage(msg);
  return (await reply)[0] as Record<string, number>;
}

t.test('a held slot is refilled only after its reader drains', async (t) => {
  const shared = createSlots(MIN_SLOTS, 1 << 20);
  const pub = new SlotPublisher(shared, { drainMs: 10_000, pollMs: 1 });
  await occupyArms(pub);
  const a = await pub.publish('stable', 4096, fillWith(0xaa));
  await pub.publish('canary', 4096, fillWith(0xcc));

  const w = holdingWorker(shared);
  t.teardown(() => w.terminate());
  const held = await ask(w);
  t.same(held, { held: a.slot, byte: 0xaa, generation: a.generation }, 'the worker reads the published stable model');
  t.equal(pub.readers(a.slot), 1, 'its read is counted on the slot');

  const b = await pub.publish('stable', 8192, fillWith(0xbb));
  t.not(b.slot, a.slot, 'the flip goes to the free slot, not the held one');
  t.equal(pub.activeSlot('stable'), b.slot);

  let settled = false;
  const c = pub.publish('stable', 4096, fillWith(0xdd)).finally(() => {
    settled = true;
  });
  // The only idle slot is the held one: the publish must wait through many polls.
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
  t.equal(settled, false, 'the publish waits while the slot has a reader');
  t.same(await ask(w, 'peek'), { byte: 0xaa, length: 4096 }, 'the reader still sees its model intact');

  t.same(await ask(w, 'release'), { released: true });
  const published = await c;
  t.equal(published.slot, a.slot, 'the drained slot is reused');
  t.equal(pub.activeSlot('stable'), a.slot);
  t.equal(published.generation, 6);

  const reader = new SlotReader(shared);
  const lease = reader.acquire('stable');
  t.ok(lease);
  t.equal(lease!.bytes[0], 0xdd, 'new readers see the new model');
  t.equal(lease!.generation, 6);
  reader.release(lease!);
});

t.test('a publish gives up when no idle slot drains in time, and nothing flips', async (t) => {
  const shared = createSlots(MIN_SLOTS, 1 << 16);
  const pub = new SlotPublisher(shared, { drainMs: 30, pollMs: 1 });
  await occupyArms(pub);
  const reader = new SlotReader(shared);
  await pub.publish('stable', 64, fillWith(1));
  const first = reader.acquire('stable')!;
  await pub.publish('canary', 64, fillWith(2));
  await pub.publish('stable', 64, fillWith(3));
  await t.rejects(pub.publish('stable', 64, fillWith(4)), {
    code: 'MOVREC_ERR_MODEL_SLOT_BUSY',
    message: /no idle model slot drained within 30 ms/,
  });
  const now = reader.acquire('stable')!;
  t.equal(now.bytes[0], 3, 'the current stable model keeps serving');
  reader.release(now);
  reader.release(first);
  const after = await pub.publish('stable', 64, fillWith(5));
  t.equal(after.slot, first.slot, 'once drained the slot is usable again');
});

t.test('canary falls back to stable, and a failed fill publishes nothing', async (t) => {
  const shared = createSlots(MIN_SLOTS, 1 << 16);
  const pub = new SlotPublisher(shared);
  const reader = new SlotReader(shared);
  t.equal(reader.acquire('stable'), null, 'nothing is served before the first publish');
  await pub.publish('stable', 64, fillWith(7));
  const lease = reader.acquire('canary')!;
  t.equal(lease.role, 'stable');
  reader.release(lease);
  await t.rejects(
    pub.publish('stable', 64, () => {
      throw new Error('bad bytes');
    }),
    /bad bytes/,
  );
  const still = reader.acquire('stable')!;
  t.equal(still.bytes[0], 7);
  t.equal(still.generation, 1);
  reader.release(still);
  await t.rejects(pub.publish('stable', 1 << 20, fillWith(1)), {
    code: 'MOVREC_ERR_MODEL_FORMAT',
    message: /exceeds the slot capacity/,
  });
  t.throws(() => createSlots(MIN_SLOTS - 1, 64), { code: 'MOVREC_ERR_CONFIG', message: new RegExp(`>= ${MIN_SLOTS}`) });
});

t.test('a read by generation holds the slot, and misses once the slot holds another model', async (t) => {
  const shared = createSlots(MIN_SLOTS, 1 << 16);
  const pub = new SlotPublisher(shared, { drainMs: 10_000, pollMs: 1 });
  await occupyArms(pub);
  const reader = new SlotReader(shared);
  const a = await pub.publish('stable', 64, fillWith(1));
  await pub.publish('canary', 64, fillWith(2));
  await pub.publish('stable', 64, fillWith(3));
  const held = reader.acquireSlot(a.slot, a.generation);
  t.ok(held, 'an idle slot still holding the generation can be read');
  t.equal(held!.bytes[0], 1);
  let settled = false;
  const d = pub.publish('stable', 64, fillWith(4)).finally(() => {
    settled = true;
  });
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 5));
  t.equal(settled, false, 'the refill waits for the reader');
  t.equal(
    reader.acquireSlot(a.slot, a.generation),
    null,
    'a late reader of the old generation is turned away once a refill is pending',
  );
  reader.release(held!);
  const published = await d;
  t.equal(published.slot, a.slot);
  t.equal(reader.acquireSlot(a.slot, a.generation), null, 'the old generation is gone');
  const fresh = reader.acquireSlot(a.slot, published.generation)!;
  t.equal(fresh.bytes[0], 4);
  reader.release(fresh);
  t.equal(pub.readers(a.slot), 0, 'every read was released');
});
