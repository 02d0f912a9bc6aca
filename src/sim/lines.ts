// The stream's line kinds of docs/contract.md §1, formatted exactly, with a timestamp formatter that avoids a Date per
// line.

export type ListStyle = 'spaced' | 'compact';

export type TimeDigits = 0 | 3 | 6 | 9;

/**
 * Formats simulated ms as `YYYY-MM-DDTHH:MM:SS[.f]` with 0, 3, 6 or 9 fractional digits (the
 * terms differed), caching the minute prefix so no Date is built per line.
 */
export class TimeFormatter {
  private minute = -1;
  private prefix = '';

  constructor(private readonly digits: TimeDigits = 6) {}

  format(ms: number): string {
    const micros = Math.floor(ms * 1000);
    const minute = Math.floor(micros / 60_000_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.prefix = new Date(minute * 60_000).toISOString().slice(0, 17);
    }
    const inMinute = micros - minute * 60_000_000;
    const sec = Math.floor(inMinute / 1_000_000);
    const frac = inMinute - sec * 1_000_000;
    const ss = `${this.prefix}${sec < 10 ? '0' : ''}${sec}`;
    switch (this.digits) {
      case 0:
        return ss;
      case 3:
        return `${ss}.${String(Math.floor(frac / 1000)).padStart(3, '0')}`;
      case 6:
        return `${ss}.${String(frac).padStart(6, '0')}`;
      case 9:
        // Doubles cannot carry nanoseconds of an epoch time: the last three digits are a stable scramble.
        return `${ss}.${String(frac).padStart(6, '0')}${String((frac * 7919) % 1000).padStart(3, '0')}`;
    }
  }
}

export function watchLine(ts: string, user: number, movie: string, minute: number): string {
  return `${ts},${user},GET /data/m/${movie}/${minute}.mpg`;
}

export function rateLine(ts: string, user: number, movie: string, rating: number): string {
  return `${ts},${user},GET /rate/${movie}=${rating}`;
}

export function createAccountLine(ts: string, user: number): string {
  return `${ts},${user},GET /create_account`;
}

/** Where a request went: `host:port` as written after "recommendation request", plus the resolved address. */
export interface ServerName {
  host: string;
  ip: string;
  port: number;
}

export function serverOf(target: string): ServerName {
  const u = new URL(target);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const ip = /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':') ? host : host === 'localhost' ? '127.0.0.1' : host;
  return { host, ip, port };
}

/** How a recommendation request ended; `status` is what the line reports (0 when no HTTP answer came). */
export type Outcome =
  | { kind: 'ok'; status: 200; items: string[]; ms: number }
  | { kind: 'timeout'; status: 0; ms: number; deadlineMs: number }
  | { kind: 'refused'; status: 0; ms: number }
  | { kind: 'reset'; status: 0; ms: number }
  | { kind: 'http'; status: number; ms: number };

export function resultText(o: Outcome, server: ServerName, user: number, style: ListStyle): string {
  switch (o.kind) {
    case 'ok':
      return o.items.join(style === 'spaced' ? ', ' : ',');
    case 'http':
      return (
        `java.io.IOException: Server returned HTTP response code: ${o.status} for URL: ` +
        `http://${server.host}:${server.port}/recommend/${user}`
      );
    case 'timeout':
      return (
        `java.util.concurrent.TimeoutException: Request timeout to ` +
        `${server.host}/${server.ip}:${server.port} after ${o.deadlineMs} ms`
      );
    case 'refused':
      return `Connection refused: ${server.host}/${server.ip}:${server.port}`;
    case 'reset':
      return `java.io.IOException: Connection reset by peer: ${server.host}/${server.ip}:${server.port}`;
  }
}

export function requestLine(ts: string, user: number, server: ServerName, o: Outcome, style: ListStyle): string {
  return (
    `${ts},${user},recommendation request ${server.host}:${server.port}, status ${o.status}, ` +
    `result: ${resultText(o, server, user, style)}, ${Math.round(o.ms)} ms`
  );
}
