// movrec bench: benchmarks (movrec bench movielens --dir DIR)
import type { Command } from '../command';
import { Errors } from '../../errors';

export const bench: Command = {
  name: 'bench',
  summary: 'benchmarks (movrec bench movielens --dir DIR)',
  usage: '[options]',
  state: false,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec bench', 5);
  },
};
