// Structured logging: JSON lines (pino) when stderr is not a terminal; one
// readable line per record when it is. Secrets never reach here: callers pass
// redacted config (see config/load.ts).
import pino from 'pino';
import { Writable } from 'node:stream';

export type Logger = pino.Logger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** Formats a pino JSON record as `HH:MM:SS.mmm LEVEL [name] message key=value ...`. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const level = LEVEL_NAMES[rec.level as number] ?? String(rec.level);
  const name = rec.name ? `[${String(rec.name)}] ` : '';
  const rest = Object.entries(rec)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level.padEnd(5)} ${name}${String(rec.msg ?? '')}${rest ? ` ${rest}` : ''}`;
}

function prettyStream(out: NodeJS.WriteStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      // On a terminal, a live progress line (the demo's, on stdout) may stand unfinished: clear it, or the two
      // interleave.
      const clear = out.isTTY ? '\r\x1b[K' : '';
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(`${clear}${prettyLine(line)}\n`);
      cb();
    },
  });
}

let root: Logger | undefined;

export function createLogger(level: LogLevel = 'info', pretty: boolean = process.stderr.isTTY === true): Logger {
  const dest = pretty ? prettyStream(process.stderr) : pino.destination({ fd: 2, sync: true });
  root = pino({ level, base: { pid: process.pid } }, dest);
  return root;
}

export function logger(): Logger {
  return root ?? createLogger((process.env.MOVREC_LOG_LEVEL as LogLevel | undefined) ?? 'info');
}
