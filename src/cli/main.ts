// The `movrec` command: dispatches to a subcommand, parses its flags strictly,
// and turns errors into one-line messages and exit codes (2: usage).
import { parseArgs } from 'node:util';
import { allOptions, commandHelp, type Command, type CommandContext } from './command';
import { COMMANDS } from './commands';
import { loadConfig, type Config } from '../config/load';
import { createLogger, type LogLevel } from '../log';
import { isMovrecError, Errors } from '../errors';
import { VERSION } from '../version';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `movrec ${VERSION}: a movie recommendation server for a Kafka event stream`,
    '',
    'Usage: movrec <command> [options]      movrec <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
  ].join('\n');
}

function parse(cmd: Command, argv: string[]): { values: CommandContext['values']; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(allOptions(cmd)).map(([k, o]) => [
      k,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  let res: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof options; strict: true; allowPositionals: true }>
  >;
  try {
    res = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    // node's messages are multi-line with hints; keep the first sentence.
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    throw Errors.usage(`movrec ${cmd.name}: ${msg} (see movrec ${cmd.name} --help)`);
  }
  const max = cmd.positionals ?? 0;
  if (res.positionals.length > max) {
    throw Errors.usage(
      `movrec ${cmd.name}: unexpected argument "${res.positionals[max]}" (see movrec ${cmd.name} --help)`,
    );
  }
  const values = res.values as CommandContext['values'];
  for (const [k, o] of Object.entries(cmd.options))
    if (values[k] === undefined && o.default !== undefined) values[k] = o.default;
  return { values, positionals: res.positionals };
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(target ? commandHelp(target) : mainHelp());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`movrec: unknown command "${name.slice(0, 60)}" (see movrec --help)\n`);
    return 2;
  }
  try {
    const { values, positionals } = parse(cmd, rest);
    if (values.help) {
      process.stdout.write(commandHelp(cmd));
      return 0;
    }
    let cfg: Readonly<Config> | undefined;
    const config = (): Readonly<Config> =>
      (cfg ??= loadConfig({
        file: values.config as string | undefined,
        overrides: { dataDir: values['data-dir'], ...cmd.configOverrides?.({ command: cmd.name, values }) },
      }));
    const json = values.json === true;
    // log.level is a setting like any other (file, then MOVREC_LOG_LEVEL), validated before the first line is logged;
    // a command without state settings still honours and checks the variable.
    const level: LogLevel = cmd.state
      ? config().log.level
      : loadConfig({ env: { MOVREC_LOG_LEVEL: process.env.MOVREC_LOG_LEVEL } }).log.level;
    const log = createLogger(level).child({ name: cmd.name });
    const ctx: CommandContext = {
      command: cmd.name,
      values,
      positionals,
      config,
      log,
      json,
      out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    };
    const code = await cmd.run(ctx);
    return code ?? 0;
  } catch (e) {
    if (isMovrecError(e)) {
      process.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`movrec ${cmd.name}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

export function main(argv: string[]): void {
  run(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`movrec: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
