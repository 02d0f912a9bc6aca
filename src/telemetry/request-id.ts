// Request ids unique across restarts and sortable by time: <boot time base36><4 hex>-<counter base36, 8 wide>.
import { randomBytes } from 'node:crypto';

export interface RequestIds {
  readonly bootId: string;
  /** The next counter value; its id is requestId(bootId, seq). */
  next(): number;
}

export function requestId(bootId: string, seq: number): string {
  return `${bootId}-${seq.toString(36).padStart(8, '0')}`;
}

export function createRequestIds(): RequestIds {
  const bootId = Date.now().toString(36) + randomBytes(2).toString('hex');
  let seq = 0;
  return { bootId, next: () => ++seq };
}
