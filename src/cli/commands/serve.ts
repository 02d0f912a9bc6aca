// movrec serve: serve GET /recommend/<userid> on port 8082 (ingesting too when a source is set)
import type { Command } from '../command';
import { Errors } from '../../errors';

export const serve: Command = {
  name: 'serve',
  summary: 'serve GET /recommend/<userid> on port 8082 (ingesting too when a source is set)',
  usage: '[options]',
  state: true,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec serve', 6);
  },
};
