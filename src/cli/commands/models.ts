// movrec models: list and inspect registered models (movrec models ls)
import type { Command } from '../command';
import { Errors } from '../../errors';

export const models: Command = {
  name: 'models',
  summary: 'list and inspect registered models (movrec models ls)',
  usage: '[options]',
  state: true,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec models', 5);
  },
};
