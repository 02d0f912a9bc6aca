// movrec sim: run the simulated movie world: stream lines, catalog API, ground truth
import type { Command } from '../command';
import { Errors } from '../../errors';

export const sim: Command = {
  name: 'sim',
  summary: 'run the simulated movie world: stream lines, catalog API, ground truth',
  usage: '[options]',
  state: false,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec sim', 3);
  },
};
