// movrec ingest: read the event stream (Kafka, a file or stdin) into LMDB
import type { Command } from '../command';
import { Errors } from '../../errors';

export const ingest: Command = {
  name: 'ingest',
  summary: 'read the event stream (Kafka, a file or stdin) into LMDB',
  usage: '[options]',
  state: true,
  reports: true,
  options: {},
  async run() {
    throw Errors.notImplemented('movrec ingest', 4);
  },
};
