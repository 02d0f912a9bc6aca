// The simulator's library surface: world, ground truth, history, catalog API, driver.
export {
  createWorld,
  genreNames,
  type World,
  type WorldParams,
  type CreateWorldOptions,
  type DriftSpec,
} from './world';
export { saveWorld, loadWorld, worldExists } from './world-store';
export { trueRating, oracleTopK, noiseFloorRmse, utility5, toScale } from './truth';
export { userRecord, movieRecord, type UserRecord } from './catalog';
export { startCatalogApi, BULK_MAX, type CatalogApi, type CatalogApiOptions } from './catalog-api';
export { writeHistory, historyLines, type HistoryOptions } from './history';
export { fileSink, streamSink, kafkaSink, pacedSink, type LineSink, type KafkaSinkOptions } from './sinks';
export { slugOf } from './slug';
export { SPURIOUS_KINDS, type SpuriousKind } from './spurious';
export { drive, fetchRecommendation, type DriveOptions } from './driver';
export { formatScoreboard, type Scoreboard } from './scoreboard';
export { pickProbability, CHOICE, type BehaviourOptions, type ScenarioOptions } from './behaviour';
export { serverOf, TimeFormatter, type Outcome, type ListStyle, type TimeDigits } from './lines';
