import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { artifactPath } from '../../src/model/registry';
import { call } from '../http/harness';
import { MODEL_A, MODEL_B, USERS, addModel, ascending, corrupt, expected, fillStore } from '../http/fixture';
import { eventually, spawnServe, type Served } from './spawn-serve';

/** movrec serve answering from model A, with a newer model B registered beside it (not yet loaded). */
async function servingAWithNewerB(t: Test): Promise<{ dataDir: string; s: Served }> {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  const s = await spawnServe(t, dataDir);
  t.equal((await call(`${s.base}/recommend/${USERS.adult.id}`)).headers.get('x-model-id'), MODEL_A);
  addModel(dataDir, MODEL_B, 'descending', '2026-01-02T00:00:00.000Z');
  return { dataDir, s };
}

t.test(
  'SIGHUP with a corrupt newest artifact: refused, logged, counted; the current model keeps serving',
  async (t) => {
    const { dataDir, s } = await servingAWithNewerB(t);
    corrupt(dataDir, MODEL_B);
    s.child.kill('SIGHUP');
    const refusal = await eventually(() =>
      s.logs().find((r) => r.level === 50 && /current model keeps serving/.test(String(r.msg))),
    );
    t.ok(refusal, 'the refusal is logged at error level');
    t.match(JSON.stringify(refusal), /checksum mismatch/);

    const after = await call(`${s.base}/recommend/${USERS.adult.id}`);
    t.equal(after.status, 200);
    t.equal(after.headers.get('x-model-id'), MODEL_A, 'model A still serves');
    t.same(after.body.split(','), expected(ascending, USERS.adult, false));
    t.match(
      (await call(`${s.base}/metrics`)).body,
      /^movrec_model_load_failures_total\{code="MOVREC_ERR_MODEL_CHECKSUM"\} 1$/m,
    );
    t.equal((await call(`${s.base}/readyz`)).status, 200, 'still ready');

    s.child.kill('SIGTERM');
    t.same(await s.exited, { code: 0, signal: null });
  },
);

t.test(
  'SIGHUP with an artifact of another format version: refused as incompatible; the current model keeps serving',
  async (t) => {
    const { dataDir, s } = await servingAWithNewerB(t);
    // A future build's artifact: the header's format version (bytes 8..11) this build cannot read.
    const file = artifactPath(dataDir, MODEL_B);
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(99, 8);
    writeFileSync(file, bytes);
    s.child.kill('SIGHUP');
    const refusal = await eventually(() =>
      s.logs().find((r) => r.level === 50 && /current model keeps serving/.test(String(r.msg))),
    );
    t.ok(refusal, 'the refusal is logged at error level');
    t.match(JSON.stringify(refusal), /MOVREC_ERR_MODEL_FORMAT/);
    t.match(JSON.stringify(refusal), /format version 99 is not supported/);

    const after = await call(`${s.base}/recommend/${USERS.adult.id}`);
    t.equal(after.headers.get('x-model-id'), MODEL_A, 'model A still serves');
    t.match(
      (await call(`${s.base}/metrics`)).body,
      /^movrec_model_load_failures_total\{code="MOVREC_ERR_MODEL_FORMAT"\} 1$/m,
    );

    s.child.kill('SIGTERM');
    t.same(await s.exited, { code: 0, signal: null });
  },
);
