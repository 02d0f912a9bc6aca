// With stable, canary and both experiment arms live, a new stable model still
// loads (one slot is always left idle), and a canary is promoted by a flip:
// readers of either role see the canary's model, and the freed slot is reused.
import t from 'tap';
import { createSlots, MIN_SLOTS, ROLES, SlotPublisher, SlotReader } from '../../src/scoring/slots';

const fillWith = (byte: number) => (target: Uint8Array) => {
  target.fill(byte);
  return byte;
};

function byteOf(reader: SlotReader, role: (typeof ROLES)[number]): { byte: number; role: string } | null {
  const lease = reader.acquire(role);
  if (!lease) return null;
  const out = { byte: lease.bytes[0]!, role: lease.role };
  reader.release(lease);
  return out;
}

t.test('a stable swap succeeds while canary and both arms are live', async (t) => {
  t.equal(MIN_SLOTS, ROLES.length + 1, 'one slot beyond the roles');
  const shared = createSlots(MIN_SLOTS, 1 << 16);
  const pub = new SlotPublisher(shared, { drainMs: 50, pollMs: 1 });
  const reader = new SlotReader(shared);
  await pub.publish('stable', 64, fillWith(1));
  await pub.publish('canary', 64, fillWith(2));
  await pub.publish('arm-a', 64, fillWith(3));
  await pub.publish('arm-b', 64, fillWith(4));
  // Swap stable three times in a row: each needs the slot the previous swap vacated.
  for (const b of [5, 6, 7]) {
    await pub.publish('stable', 64, fillWith(b));
    t.same(byteOf(reader, 'stable'), { byte: b, role: 'stable' }, `stable now serves model ${b}`);
    t.same(byteOf(reader, 'canary'), { byte: 2, role: 'canary' }, 'the canary keeps its model');
  }
  t.same(byteOf(reader, 'arm-a'), { byte: 3, role: 'arm-a' });
  t.same(byteOf(reader, 'arm-b'), { byte: 4, role: 'arm-b' });
});

t.test('promotion flips stable to the canary slot; a retired role falls back to stable', async (t) => {
  const shared = createSlots(MIN_SLOTS, 1 << 16);
  const pub = new SlotPublisher(shared, { drainMs: 50, pollMs: 1 });
  const reader = new SlotReader(shared);
  const s = await pub.publish('stable', 64, fillWith(1));
  const c = await pub.publish('canary', 64, fillWith(2));
  // A reader holds the old stable slot across the flip: it keeps its bytes.
  const held = reader.acquire('stable')!;
  t.equal(await pub.promote('canary', 'stable'), c.slot, 'stable points at the canary slot');
  t.equal(pub.activeSlot('canary'), -1, 'the canary role is empty');
  t.same(byteOf(reader, 'stable'), { byte: 2, role: 'stable' });
  t.same(byteOf(reader, 'canary'), { byte: 2, role: 'stable' }, 'canary readers fall back to the promoted model');
  t.equal(held.bytes[0], 1, 'a read in progress still sees its model');
  reader.release(held);
  const next = await pub.publish('canary', 64, fillWith(3));
  t.not(next.slot, c.slot, 'the promoted slot is not refilled');
  t.equal(pub.readers(s.slot), 0);
  await pub.retire('canary');
  t.same(byteOf(reader, 'canary'), { byte: 2, role: 'stable' }, 'after a rollback canary users get stable');
  await t.rejects(pub.promote('arm-a', 'stable'), { code: 'MOVREC_ERR_MODEL_NOT_LOADED' });
  await t.rejects(pub.retire('stable'), { code: 'MOVREC_ERR_CONFIG' });
});
