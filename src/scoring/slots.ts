// Model slots in shared memory: N growable SharedArrayBuffers, each holding one
// whole artifact file, and a control block that says which slot serves each
// role. Workers read a slot under a reader count (seqlock-style re-check);
// the main thread publishes into an idle slot and flips with one Atomics.store.
//
// Why growable buffers: every worker receives the slot buffers ONCE, at start,
// in workerData. Piscina cannot broadcast a message to every worker, so a
// replacement buffer handed over later could miss a worker; a growable
// SharedArrayBuffer reserves address space up to its maxByteLength and grows
// in place, and every thread sees the new length. Memory is committed only as
// far as a slot has grown (it never shrinks: the next model is usually as big).
//
// Control Int32Array layout (R roles):
//   [0 .. R)         active slot of each role in ROLES order (-1: none)
//   [R]              generation (bumped by every publish)
//   [R+1 .. R+1+N)   readers of each slot
//   [R+1+N .. R+1+2N) generation each slot holds (0 while it is idle and may be refilled)
// followed (8-byte aligned) by a BigInt64Array of each slot's artifact length.
//
// Roles: 'stable' serves everyone not routed elsewhere; 'canary' and the two
// experiment arms ('arm-a', 'arm-b') serve the users the release router sends
// them and fall back to stable while they have no slot. A load needs a slot no
// role points at, so with every role live one more slot must stay idle:
// MIN_SLOTS is the roles plus one.
import { Errors } from '../errors';

export const ROLES = ['stable', 'canary', 'arm-a', 'arm-b'] as const;
export type Role = (typeof ROLES)[number];

/** Every role live and one slot left to load into. */
export const MIN_SLOTS = ROLES.length + 1;

const GENERATION = ROLES.length;
const READERS = ROLES.length + 1;

// The project's lib setting predates ES2024's growable SharedArrayBuffer typings.
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(bytes: number): void;
}
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  bytes: number,
  opts: { maxByteLength: number },
) => GrowableSharedArrayBuffer;

/** What every worker receives once at start. */
export interface SlotShared {
  slots: GrowableSharedArrayBuffer[];
  control: SharedArrayBuffer;
}

/** A slot held for reading: its bytes stay unchanged until release. */
export interface Lease {
  role: Role;
  slot: number;
  generation: number;
  bytes: Uint8Array;
}

interface Control {
  ctl: Int32Array;
  lengths: BigInt64Array;
}

function roleIndex(role: Role): number {
  return ROLES.indexOf(role);
}

function controlBytes(n: number): number {
  return Math.ceil(((READERS + 2 * n) * 4) / 8) * 8 + n * 8;
}

function controlViews(shared: SlotShared): Control {
  const n = shared.slots.length;
  const lenOffset = controlBytes(n) - n * 8;
  return {
    ctl: new Int32Array(shared.control, 0, READERS + 2 * n),
    lengths: new BigInt64Array(shared.control, lenOffset, n),
  };
}

/** Creates the shared slots: `count` buffers that can each grow to `maxBytes`. */
export function createSlots(count: number, maxBytes: number): SlotShared {
  if (!Number.isInteger(count) || count < MIN_SLOTS)
    throw Errors.config(
      `model slots must be an integer >= ${MIN_SLOTS} (${ROLES.join(', ')}, one loading), got ${count}`,
    );
  if (!Number.isInteger(maxBytes) || maxBytes < 0 || maxBytes > 2 ** 32)
    throw Errors.config(`slot capacity must be an integer number of bytes up to 4 GiB, got ${maxBytes}`);
  const slots = Array.from({ length: count }, () => new GrowableSharedArrayBuffer(0, { maxByteLength: maxBytes }));
  const control = new SharedArrayBuffer(controlBytes(count));
  const { ctl } = controlViews({ slots, control });
  for (const role of ROLES) ctl[roleIndex(role)] = -1;
  return { slots, control };
}

/** The reading side, used by workers (and by the main thread for itself). */
export class SlotReader {
  private readonly c: Control;

  constructor(private readonly shared: SlotShared) {
    this.c = controlViews(shared);
  }

  /**
   * Holds the slot serving `role` (any other role falls back to stable when it has none); null when nothing is
   * published.
   */
  acquire(role: Role): Lease | null {
    const { ctl, lengths } = this.c;
    for (;;) {
      let r = roleIndex(role);
      let slot = Atomics.load(ctl, r);
      if (slot < 0 && role !== 'stable') {
        r = roleIndex('stable');
        slot = Atomics.load(ctl, r);
      }
      if (slot < 0) return null;
      Atomics.add(ctl, READERS + slot, 1);
      // Re-check after announcing ourselves: if the slot was flipped away in between,
      // the publisher may already be refilling it, so back off and read the new index.
      if (Atomics.load(ctl, r) === slot) {
        const generation = Atomics.load(ctl, READERS + this.shared.slots.length + slot);
        const length = Number(Atomics.load(lengths, slot));
        return {
          role: ROLES[r]!,
          slot,
          generation,
          bytes: new Uint8Array(this.shared.slots[slot]!, 0, length),
        };
      }
      this.releaseSlot(slot);
    }
  }

  /** Holds `slot` only if it still holds `generation` (published or about to be); null otherwise. */
  acquireSlot(slot: number, generation: number): Omit<Lease, 'role'> | null {
    const { ctl, lengths } = this.c;
    Atomics.add(ctl, READERS + slot, 1);
    if (Atomics.load(ctl, READERS + this.shared.slots.length + slot) === generation) {
      return {
        slot,
        generation,
        bytes: new Uint8Array(this.shared.slots[slot]!, 0, Number(Atomics.load(lengths, slot))),
      };
    }
    this.releaseSlot(slot);
    return null;
  }

  release(lease: Pick<Lease, 'slot'>): void {
    this.releaseSlot(lease.slot);
  }

  private releaseSlot(slot: number): void {
    Atomics.sub(this.c.ctl, READERS + slot, 1);
  }
}

/** A published slot, as the publisher records it. */
export interface Published<T> {
  slot: number;
  generation: number;
  value: T;
}

/** The publishing side: main thread only, one publish at a time. */
export class SlotPublisher {
  private readonly c: Control;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly shared: SlotShared,
    private readonly opts: { drainMs: number; pollMs?: number } = { drainMs: 5000 },
  ) {
    this.c = controlViews(shared);
  }

  get generation(): number {
    return Atomics.load(this.c.ctl, GENERATION);
  }

  activeSlot(role: Role): number {
    return Atomics.load(this.c.ctl, roleIndex(role));
  }

  readers(slot: number): number {
    return Atomics.load(this.c.ctl, READERS + slot);
  }

  /**
   * Fills an idle slot with `bytes` bytes through `fill`, then makes it serve
   * `role`. If `fill` throws, nothing is published and the role keeps its slot.
   */
  publish<T>(
    role: Role,
    bytes: number,
    fill: (target: Uint8Array) => T | Promise<T>,
    beforeFlip?: (slot: number, generation: number) => Promise<void>,
  ): Promise<Published<T>> {
    const next = this.chain.then(() => this.publishNow(role, bytes, fill, beforeFlip));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async publishNow<T>(
    role: Role,
    bytes: number,
    fill: (target: Uint8Array) => T | Promise<T>,
    beforeFlip?: (slot: number, generation: number) => Promise<void>,
  ): Promise<Published<T>> {
    const slot = await this.idleSlot();
    const sab = this.shared.slots[slot]!;
    if (bytes > sab.maxByteLength)
      throw Errors.modelFormat(
        `slot ${slot}`,
        `artifact of ${bytes} bytes exceeds the slot capacity of ${sab.maxByteLength}`,
      );
    if (sab.byteLength < bytes) sab.grow(bytes);
    const value = await fill(new Uint8Array(sab, 0, bytes));
    const { ctl, lengths } = this.c;
    Atomics.store(lengths, slot, BigInt(bytes));
    const generation = Atomics.add(ctl, GENERATION, 1) + 1;
    Atomics.store(ctl, READERS + this.shared.slots.length + slot, generation);
    // The slot is filled and stamped but no role points at it yet: readers can
    // prepare their views of it now, off the request path.
    if (beforeFlip) await beforeFlip(slot, generation);
    Atomics.store(ctl, roleIndex(role), slot);
    return { slot, generation, value };
  }

  /**
   * Points `to` at the slot `from` serves and leaves `from` with none (its
   * readers fall back to stable): promotion of a canary is this flip, no load.
   * Queued behind any publish in progress.
   */
  promote(from: Role, to: Role): Promise<number> {
    const next = this.chain.then(() => {
      const slot = this.activeSlot(from);
      if (slot < 0) throw Errors.modelNotLoaded();
      Atomics.store(this.c.ctl, roleIndex(to), slot);
      Atomics.store(this.c.ctl, roleIndex(from), -1);
      return slot;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Leaves `role` with no slot: its readers fall back to stable. Queued behind any publish in progress. */
  retire(role: Role): Promise<void> {
    if (role === 'stable') return Promise.reject(Errors.config('the stable role cannot be retired'));
    const next = this.chain.then(() => {
      Atomics.store(this.c.ctl, roleIndex(role), -1);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A slot no role serves whose readers have drained; waits (bounded) for the drain. */
  private async idleSlot(): Promise<number> {
    const busy = new Set(ROLES.map((r) => this.activeSlot(r)));
    const idle = this.shared.slots.map((_, i) => i).filter((i) => !busy.has(i));
    const deadline = Date.now() + this.opts.drainMs;
    // Polling, not Atomics.wait: the main thread must never block, and a reader
    // holds a slot only for one scoring call (well under a millisecond).
    const stamp = READERS + this.shared.slots.length;
    // An idle slot's stamp is cleared BEFORE its readers are checked: a reader
    // of a slot by generation (acquireSlot) announces itself, then checks the
    // stamp, so one of the two always sees the other.
    for (const i of idle) Atomics.store(this.c.ctl, stamp + i, 0);
    for (;;) {
      const free = idle.find((i) => this.readers(i) === 0);
      if (free !== undefined) return free;
      if (Date.now() >= deadline) throw Errors.modelSlotBusy(idle, this.opts.drainMs);
      await new Promise((resolve) => setTimeout(resolve, this.opts.pollMs ?? 2));
    }
  }
}
