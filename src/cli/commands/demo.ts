// movrec demo: the embedded demo: simulate, ingest, train, serve, drive, all on this machine
import type { Command } from '../command';
import { Errors } from '../../errors';

export const demo: Command = {
  name: 'demo',
  summary: 'the embedded demo: simulate, ingest, train, serve, drive, all on this machine',
  usage: '[options]',
  state: true,
  reports: false,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec demo', 6);
  },
};
