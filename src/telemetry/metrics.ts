// Online evaluation metrics, declared once, labelled by model and arm so that
// arms compare side by side. Updated once a second (answers) or once per
// joined answer (outcomes), never per stream line or per request.
import { Counter, Gauge, Histogram, register } from 'prom-client';

export const ONLINE_ANSWERS = 'movrec_online_answers_total';
export const ONLINE_REFUSED = 'movrec_online_refused_total';
export const ONLINE_JOINED = 'movrec_online_joined_total';
export const ONLINE_HITS = 'movrec_online_hits_total';
export const ONLINE_USERS = 'movrec_online_users_count';
export const ONLINE_WATCH_RATE = 'movrec_online_watch_from_list_ratio';
export const ONLINE_MRR = 'movrec_online_mrr_ratio';
export const ONLINE_RATING = 'movrec_online_listed_rating_mean_stars';
export const ONLINE_CATALOG = 'movrec_online_catalog_served_ratio';
export const ONLINE_POPULARITY = 'movrec_online_list_popularity_ratio';
export const ONLINE_CLIENT_REQUESTS = 'movrec_online_client_requests_total';
export const ONLINE_CLIENT_LATENCY = 'movrec_online_client_latency_seconds';

const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;
const MA = ['model', 'arm'] as const;

const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
  existing<Counter<L>>(name) ?? new Counter({ name, help, labelNames });
const gauge = (name: string, help: string): Gauge<'model' | 'arm'> =>
  existing<Gauge<'model' | 'arm'>>(name) ?? new Gauge({ name, help, labelNames: MA });

export const onlineAnswers = counter(ONLINE_ANSWERS, 'Answers with a list recorded in the answer log', MA);
export const onlineRefused = counter(
  ONLINE_REFUSED,
  'Requests refused or failed (400, 429, 503): counted, not written to the answer log one by one',
  ['source', 'status'] as const,
);
export const onlineJoined = counter(
  ONLINE_JOINED,
  "Client-seen lists (the stream's status 200 request lines) whose join window has closed",
  MA,
);
export const onlineHits = counter(
  ONLINE_HITS,
  'Of the joined lists, those followed within the window by a watch of a listed title',
  MA,
);
export const onlineUsers = gauge(ONLINE_USERS, 'Distinct users with a joined list since the process started');
export const onlineWatchRate = gauge(ONLINE_WATCH_RATE, 'Watch-from-list rate: hits / joined lists');
export const onlineMrr = gauge(
  ONLINE_MRR,
  'Mean reciprocal rank of the first listed title watched within the window (0 for a list not watched from)',
);
export const onlineRating = gauge(ONLINE_RATING, 'Mean rating given within the window to titles of the list');
export const onlineCatalog = gauge(ONLINE_CATALOG, 'Distinct titles served / titles seen in the stream');
export const onlinePopularity = gauge(
  ONLINE_POPULARITY,
  'Mean watch starts of a listed title relative to the mean title (1: as popular as the average title)',
);
export const onlineClientRequests = counter(
  ONLINE_CLIENT_REQUESTS,
  'Request lines of the stream by the model that answered (none: no matching answer) and the status the client saw',
  ['model', 'arm', 'status'] as const,
);
export const onlineClientLatency =
  existing<Histogram<'model'>>(ONLINE_CLIENT_LATENCY) ??
  new Histogram({
    name: ONLINE_CLIENT_LATENCY,
    help: "Latency as the client saw it (the stream's request lines), by the model that answered",
    labelNames: ['model'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2],
  });
