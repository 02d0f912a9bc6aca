// movrec train: train a model from an LMDB snapshot and register it
import type { Command } from '../command';
import { Errors } from '../../errors';

export const train: Command = {
  name: 'train',
  summary: 'train a model from an LMDB snapshot and register it',
  usage: '[options]',
  state: true,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec train', 5);
  },
};
