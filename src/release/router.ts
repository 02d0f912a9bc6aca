// Which arm answers a user: stable, the canary, or an experiment's arm, by a
// salted hash of the user id. The hash is a fixed function (FNV-1a of
// `salt:userId`, then a murmur3 finaliser so that every bit of the bucket
// depends on every byte), and the salts are persisted with the release state,
// so a user keeps the same arm across restarts and across instances. Chosen on
// the main thread per request: a few integer operations, no allocation.
import type { Role } from '../scoring/slots';

/** Buckets per hash: a share is given in hundredths of a percent. */
export const BUCKETS = 10_000;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i) & 0xff;
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** murmur3's fmix32: FNV-1a's low bits alone mix poorly for consecutive ids. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash state after `salt:`; salts are ASCII (checked where they are made). */
export function saltState(salt: string): number {
  return fnvString(FNV_OFFSET, `${salt}:`);
}

const DIGITS = new Uint8Array(16);

/** FNV-1a over the decimal digits of `userId`, continued from a salt's state, finalised, in [0, BUCKETS). */
export function bucketOf(state: number, userId: number): number {
  // The digits least significant first (one division each), then hashed most significant first,
  // as `${userId}` would give them, without building the string.
  let n = 0;
  let v = userId;
  do {
    const q = v < 0x80000000 ? (v / 10) | 0 : Math.floor(v / 10);
    DIGITS[n++] = v - q * 10;
    v = q;
  } while (v > 0);
  let h = state;
  for (let i = n - 1; i >= 0; i--) {
    h ^= 48 + DIGITS[i]!;
    h = Math.imul(h, FNV_PRIME);
  }
  return fmix32(h) % BUCKETS;
}

/** The bucket of `userId` under `salt`: the same on every machine and every run. */
export function bucket(salt: string, userId: number): number {
  return bucketOf(saltState(salt), userId);
}

export interface Assignment {
  /** The scorer role that answers. */
  role: Role;
  /** The arm as recorded and compared: `stable`, `canary`, or `<experiment>/<arm>`. */
  arm: string;
  /** The model this arm is meant to serve (the scorer says which one did). */
  modelId: string | null;
}

export interface CanaryPlan {
  modelId: string;
  /** Share of users (outside a running experiment) sent to the canary, 0 < percent <= 100. */
  percent: number;
  salt: string;
}

export interface ExperimentPlan {
  name: string;
  salt: string;
  arms: { name: string; modelId: string; percent: number; role: Role }[];
}

export interface RoutePlan {
  stableModelId: string | null;
  canary: CanaryPlan | null;
  experiment: ExperimentPlan | null;
}

interface Compiled {
  expState: number;
  /** Cumulative bucket bounds of the experiment's arms, and their assignments. */
  expBounds: number[];
  expArms: Assignment[];
  canaryState: number;
  canaryBound: number;
  canary: Assignment;
  stable: Assignment;
}

function compile(plan: RoutePlan): Compiled {
  const expBounds: number[] = [];
  const expArms: Assignment[] = [];
  let acc = 0;
  for (const a of plan.experiment?.arms ?? []) {
    acc += Math.round(a.percent * (BUCKETS / 100));
    expBounds.push(Math.min(acc, BUCKETS));
    expArms.push({ role: a.role, arm: `${plan.experiment!.name}/${a.name}`, modelId: a.modelId });
  }
  return {
    expState: plan.experiment ? saltState(plan.experiment.salt) : 0,
    expBounds,
    expArms,
    canaryState: plan.canary ? saltState(plan.canary.salt) : 0,
    canaryBound: plan.canary ? Math.round(plan.canary.percent * (BUCKETS / 100)) : 0,
    canary: { role: 'canary', arm: 'canary', modelId: plan.canary?.modelId ?? null },
    stable: { role: 'stable', arm: 'stable', modelId: plan.stableModelId },
  };
}

/**
 * A running experiment takes its arms' shares of users first (its own salt);
 * of the others, the canary's share (its salt) goes to the canary; the rest to
 * stable. Independent salts keep the two splits uncorrelated.
 */
export class Router {
  private c: Compiled;
  private current: RoutePlan;

  constructor(plan: RoutePlan = { stableModelId: null, canary: null, experiment: null }) {
    this.current = plan;
    this.c = compile(plan);
  }

  get plan(): RoutePlan {
    return this.current;
  }

  /** Replaces the plan: takes effect for the next request. */
  set(plan: RoutePlan): void {
    this.current = plan;
    this.c = compile(plan);
  }

  route(userId: number): Assignment {
    const c = this.c;
    if (c.expArms.length > 0) {
      const b = bucketOf(c.expState, userId);
      for (let i = 0; i < c.expBounds.length; i++) if (b < c.expBounds[i]!) return c.expArms[i]!;
    }
    if (c.canaryBound > 0 && bucketOf(c.canaryState, userId) < c.canaryBound) return c.canary;
    return c.stable;
  }
}
