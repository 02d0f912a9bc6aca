// The registry of subcommands, in the order `movrec --help` lists them.
import type { Command } from '../command';
import { demo } from './demo';
import { serve } from './serve';
import { ingest } from './ingest';
import { train } from './train';
import { evalCommand } from './eval';
import { sim } from './sim';
import { report } from './report';
import { models } from './models';
import { bench } from './bench';
import { explain } from './explain';
import { experiment } from './experiment';

export const COMMANDS: readonly Command[] = [
  demo,
  serve,
  ingest,
  train,
  evalCommand,
  models,
  experiment,
  report,
  explain,
  sim,
  bench,
];
