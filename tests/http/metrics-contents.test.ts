import t from 'tap';
import { startTestServer, call } from './harness';
import { MODEL_A, USERS } from './fixture';
import { int8Path, nativeStatus } from '../../native/index';

t.test(
  '/metrics: requests by route and status, fine latency buckets, queue depth, degraded, rate ' +
    'limited, model info, worker metrics',
  async (t) => {
    const s = await startTestServer(t);
    for (const u of [USERS.adult, USERS.minor, USERS.stranger]) await call(`${s.base}/recommend/${u.id}`);
    await call(`${s.base}/recommend/abc`);
    await call(`${s.base}/healthz`);
    const r = await call(`${s.base}/metrics`);
    t.equal(r.status, 200);
    t.match(r.headers.get('content-type'), /^text\/plain/);
    const m = r.body;
    t.match(m, /^movrec_http_requests_total\{route="recommend",status="200"\} 3$/m);
    t.match(m, /^movrec_http_requests_total\{route="recommend",status="400"\} 1$/m);
    t.match(m, /^movrec_http_requests_total\{route="healthz",status="200"\} 1$/m);
    for (const le of [
      '0.00025',
      '0.0005',
      '0.001',
      '0.002',
      '0.003',
      '0.005',
      '0.0075',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
    ]) {
      t.match(
        m,
        new RegExp(
          `^movrec_http_request_duration_seconds_bucket\\{le="${le.replace('.', '\\.')}",route="recommend"\\} \\d+$`,
          'm',
        ),
        `bucket ${le}`,
      );
    }
    t.match(m, /^movrec_http_request_duration_seconds_count\{route="recommend"\} 4$/m);
    t.match(m, /^movrec_http_scoring_queue_depth \d+$/m);
    t.match(m, /^# TYPE movrec_http_degraded_total counter$/m);
    t.match(m, /^# TYPE movrec_http_rate_limited_total counter$/m);
    t.match(m, /^movrec_http_answers_total\{source="cold-start"\} 1$/m);
    t.match(m, new RegExp(`^movrec_model_info\\{role="stable",model_id="${MODEL_A}",generation="\\d+"\\} 1$`, 'm'));
    t.match(
      m,
      /^movrec_scoring_latency_seconds_count\{role="stable"\} 4$/m,
      "the scoring workers' histogram is merged in: one observation per answer",
    );
    // The warm-up and the two scored users from the model, the stranger from the cold-start list.
    t.match(
      m,
      new RegExp(`^movrec_scoring_answers_total\\{role="stable",model="${MODEL_A}",source="model"\\} 3$`, 'm'),
      'scored answers by source',
    );
    t.match(
      m,
      new RegExp(`^movrec_scoring_answers_total\\{role="stable",model="${MODEL_A}",source="cold-start"\\} 1$`, 'm'),
      'cold-start answers by source',
    );
    t.match(m, /^movrec_scoring_cold_start_total\{role="stable"\} 1$/m);
    const kernel = nativeStatus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/"/g, '\\\\"');
    t.match(
      m,
      new RegExp(`^movrec_scoring_kernel_info\\{kernel="${kernel}",int8="${int8Path()}"\\} 1$`, 'm'),
      'the kernel the (one) worker runs',
    );
    // The harness's warm-up answer and the three asked here, one after another: four tasks of one user each.
    t.match(m, /^movrec_scoring_batch_users_bucket\{le="1"\} 4$/m, 'users per scoring task, by bucket');
    t.match(m, /^movrec_scoring_batch_users_sum 4$/m);
    t.match(m, /^movrec_scoring_batch_users_count 4$/m);
    t.match(m, /^process_resident_memory_bytes \d+/m);
  },
);

t.test('/healthz answers while alive; /readyz once a model serves', async (t) => {
  const s = await startTestServer(t);
  const h = await call(`${s.base}/healthz`);
  t.equal(h.status, 200);
  t.equal(h.body, 'ok\n');
  const r = await call(`${s.base}/readyz`);
  t.equal(r.status, 200);
  t.match(r.body, new RegExp(`^ready: model ${MODEL_A} generation \\d+\\n$`));
});
