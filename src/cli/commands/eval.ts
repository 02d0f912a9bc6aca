// movrec eval: evaluate models offline: RMSE, ranking metrics, per-group report
import type { Command } from '../command';
import { Errors } from '../../errors';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate models offline: RMSE, ranking metrics, per-group report',
  usage: '[options]',
  state: true,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec eval', 5);
  },
};
