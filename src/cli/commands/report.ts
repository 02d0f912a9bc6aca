// movrec report: report on the stored data (movrec report data)
import type { Command } from '../command';
import { Errors } from '../../errors';

export const report: Command = {
  name: 'report',
  summary: 'report on the stored data (movrec report data)',
  usage: '[options]',
  state: true,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec report', 4);
  },
};
