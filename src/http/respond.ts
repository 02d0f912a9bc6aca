// Writing answers. uWebSockets.js trap: a response written after an `await`
// must be written inside res.cork (one syscall, and required for correctness),
// and never after the client went away (res.onAborted sets `closed`).
import type { HttpResponse } from 'uWebSockets.js';
import type { MovrecError } from '../errors';
import type { ServerContext } from './context';

const STATUS_LINE: Record<number, string> = {
  200: '200 OK',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  422: '422 Unprocessable Entity',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** Per-request state shared between the handler and its async continuation. */
export interface Exchange {
  res: HttpResponse;
  /** Answered, or the client went away: nothing more may be written. */
  closed: boolean;
}

/**
 * Writes one complete answer; false when the client had gone. `close` asks the client to drop the connection
 * (draining).
 */
export function send(
  ex: Exchange,
  status: number,
  body: string | Uint8Array,
  headers: readonly (readonly [string, string])[],
  close: boolean,
): boolean {
  if (ex.closed) return false;
  const { res } = ex;
  // Corking inside the handler's synchronous part is a no-op, so every write corks.
  res.cork(() => {
    // uWebSockets.js writes "200 OK" itself when no status was written: one call less per answer.
    if (status !== 200) res.writeStatus(STATUS_LINE[status] ?? `${status} Unknown`);
    for (const [k, v] of headers) res.writeHeader(k, v);
    res.end(body, close);
  });
  ex.closed = true;
  return true;
}

/**
 * The one way an error reaches a client: the error's status (500 when it has none), its message on one line,
 * Retry-After when it says how long to wait, and its own headers. Every 4xx/5xx answer goes through here.
 */
export function respond(
  ctx: Pick<ServerContext, 'answer'>,
  ex: Parameters<ServerContext['answer']>[0],
  err: MovrecError,
  extra: readonly (readonly [string, string])[] = [],
): boolean {
  const headers: (readonly [string, string])[] = [['Content-Type', 'text/plain']];
  if (err.retryAfterMs !== undefined) headers.push(['Retry-After', String(Math.ceil(err.retryAfterMs / 1000))]);
  headers.push(...err.headers, ...extra);
  return ctx.answer(ex, err.status ?? 500, `${err.message.split('\n')[0]}\n`, headers);
}

// The last address read, as bytes and as text: a server's clients are few, the course simulator is one,
// so most requests skip making a string (and a Buffer) for the same address again.
let lastBytes = new Uint8Array(0);
let lastText = '';

export function remoteAddress(res: HttpResponse): string {
  const bytes = new Uint8Array(res.getRemoteAddressAsText());
  const n = bytes.length;
  if (n === lastBytes.length) {
    let x = 0;
    while (x < n && bytes[x] === lastBytes[x]) x++;
    if (x === n) return lastText;
  }
  lastBytes = bytes;
  lastText = Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1');
  return lastText;
}
