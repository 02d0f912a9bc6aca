// What a subcommand is: its flags (each documented), and a run function that
// is a thin shell over a library call.
import type { Config } from '../config/load';
import type { Logger } from '../log';
import { Errors } from '../errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Shown in help, e.g. `--seed N`. */
  valueName?: string;
  default?: string | boolean;
}

export interface CommandContext {
  /** The subcommand's name, for messages. */
  command: string;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** The validated, frozen configuration (--config, MOVREC_*, --data-dir applied). Loaded on first call. */
  config(): Readonly<Config>;
  log: Logger;
  /** Whether --json was given: reports go to stdout as one JSON document. */
  json: boolean;
  out(text: string): void;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage line after `movrec <name>`, e.g. `[options]` or `ls [--json]`. */
  usage: string;
  /** Extra paragraphs for --help. */
  details?: string;
  /** Touches state: gets --data-dir and --config. */
  state: boolean;
  /** Reports something: gets --json. */
  reports: boolean;
  options: Record<string, OptionSpec>;
  /** How many positional arguments are allowed (default 0). */
  positionals?: number;
  /** Settings the command's flags set, by dotted path (undefined: not given); applied over file and environment. */
  configOverrides?(ctx: FlagContext): Record<string, unknown>;
  /** Returns the process exit code (default 0). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a command that returns nothing exits 0
  run(ctx: CommandContext): Promise<number | void>;
}

/** What flag parsing needs: the command's name and its parsed flags. */
export type FlagContext = Pick<CommandContext, 'command' | 'values'>;

export const STATE_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': {
    type: 'string',
    valueName: 'DIR',
    description: 'state directory (default ./data, or $STATE_DIRECTORY under systemd)',
  },
  config: { type: 'string', valueName: 'FILE', description: 'JSON configuration file merged over the defaults' },
};

/** The training window, shared by `train` and `eval` so both read the store the same way. */
export const WINDOW_OPTION: Record<string, OptionSpec> = {
  window: {
    type: 'string',
    valueName: 'DAYS',
    description: 'days of event time before the newest event (0: all; default train.windowDays)',
  },
};

export const REPORT_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print a machine-readable JSON document on stdout' },
};

export const HELP_OPTION: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export function allOptions(cmd: Command): Record<string, OptionSpec> {
  return {
    ...cmd.options,
    ...(cmd.state ? STATE_OPTIONS : {}),
    ...(cmd.reports ? REPORT_OPTIONS : {}),
    ...HELP_OPTION,
  };
}

export function commandHelp(cmd: Command): string {
  const opts = allOptions(cmd);
  const rows = Object.entries(opts).map(([name, o]) => {
    const value = o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : '';
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${value}`;
    const def = o.default !== undefined ? ` (default ${String(o.default)})` : '';
    return [flag, o.description + def] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  const lines = [`movrec ${cmd.name} ${cmd.usage}`.trimEnd(), '', cmd.summary, ''];
  if (cmd.details) lines.push(cmd.details.trim(), '');
  lines.push('Options:');
  for (const [f, d] of rows) lines.push(`  ${f.padEnd(width)}${d}`);
  return `${lines.join('\n')}\n`;
}

/**
 * An integer flag of at least `min`; undefined when absent; anything else is a usage error (exit 2) naming the flag.
 */
export function intFlag(ctx: FlagContext, name: string, min = 0): number | undefined {
  const raw = ctx.values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw Errors.usage(
      `movrec ${ctx.command}: --${name} must be an integer of at least ${min}, got "${String(raw).slice(0, 40)}"`,
    );
  }
  return n;
}

/** A comma-separated host:port list flag (e.g. --kafka), or undefined when absent. */
export function listFlag(ctx: FlagContext, name: string): string[] | undefined {
  const raw = ctx.values[name];
  return typeof raw === 'string'
    ? raw
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
}
