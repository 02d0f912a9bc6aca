// Which source an ingest run reads, from the flags and the configuration.
import type { Config } from '../config/load';
import type { Source } from './source';
import { fileSource } from './source-file';
import { kafkaSource } from './kafka-source';

/**
 * The source the flags or configuration name: a file or stdin when given, else Kafka when kafka.enabled; null for none.
 */
export function sourceFromConfig(
  config: Readonly<Config>,
  flags: { fromFile?: string; follow?: boolean },
): Source | null {
  if (flags.fromFile !== undefined)
    return fileSource({ path: flags.fromFile, follow: flags.follow === true, batchLines: config.ingest.batchLines });
  return config.kafka.enabled ? kafkaSourceFromConfig(config) : null;
}

/** The configured topic as a source, whether or not kafka.enabled (movrec ingest reads it when no file is given). */
export function kafkaSourceFromConfig(config: Readonly<Config>): Source {
  const k = config.kafka;
  return kafkaSource({
    brokers: k.brokers,
    topic: k.topic,
    groupId: k.groupId,
    clientId: k.clientId,
    sasl: k.sasl,
    ssl: k.ssl,
    startFrom: k.startFrom,
    sessionTimeoutMs: k.sessionTimeoutMs,
    retryMaxMs: k.retryMaxMs,
  });
}
