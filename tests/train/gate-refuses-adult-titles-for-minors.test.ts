// The release gate audits the candidate artifact through the serving ranker:
// minors' answers (with their history and cold) must hold no adult title. An
// artifact whose adult flags were lost is refused, with the reason.
import t from 'tap';
import { defaults } from '../../config/defaults';
import { encodeArtifact } from '../../src/model/artifact';
import { isMinor } from '../../src/domain/dataset';
import { MfSgd } from '../../src/model/mf-sgd';
import { Popularity, segmentLists } from '../../src/model/popularity';
import { servingParts } from '../../src/model/serving-parts';
import { auditServedForMinors } from '../../src/eval/served-audit';
import { syntheticDataset } from '../../src/model/synthetic';
import { runGate, trainAndRegister } from '../../src/train/train';

const ds = syntheticDataset({ users: 300, items: 120, perUser: 25 });
const fast = { ...defaults, train: { ...defaults.train, factors: 8, epochs: 5 } };
const opts = { unknownAgeIsMinor: true, listSize: 20, maxUsers: 0, seed: 7 };

function parts() {
  const mf = new MfSgd({ factors: 8, epochs: 5 });
  mf.fit(ds);
  const pop = new Popularity();
  pop.fit(ds);
  return servingParts({
    id: 'mf-test',
    kind: 'mf',
    ds,
    serving: mf.serving()!,
    popularity: pop.popularity(),
    segments: segmentLists(ds),
  });
}

t.test('a correctly flagged artifact gives minors no adult title; one with lost flags is caught', async (t) => {
  const minors = ds.users.filter((u) => isMinor(u, true)).length;
  t.ok(minors > 10, `the dataset has minors (${minors})`);
  t.ok(
    ds.adult.some((a) => a === 1),
    'and adult titles',
  );

  const good = auditServedForMinors(encodeArtifact(parts()), ds, opts);
  t.equal(good.lists, 2 * minors, 'a warm and a cold answer per minor');
  t.ok(good.items > good.lists, 'the answers hold titles');
  t.equal(good.adultItems, 0);
  t.equal(runGate({ rmse: 0.9, ndcg20: 0.1, minors: good }, fast.gate, undefined).passed, true);

  const broken = parts();
  broken.itemFlags = new Uint8Array(broken.itemFlags.length);
  const bad = auditServedForMinors(encodeArtifact(broken), ds, opts);
  t.ok(bad.adultItems > 0, `lost flags let adult titles through (${bad.adultItems})`);
  t.ok(bad.adultShare > 0);
  t.ok(
    bad.examples.every((e) => ds.adult[ds.itemIds.indexOf(e.movie)] === 1),
    'the examples are adult titles',
  );
  const gate = runGate({ rmse: 0.9, ndcg20: 0.1, minors: bad }, fast.gate, undefined);
  t.equal(gate.passed, false);
  t.match(gate.reasons.join('\n'), /\d+ adult titles in \d+ answers to minors \(user \d+ got [a-z0-9+_-]+\)/);
});

t.test('movrec train records the served audit in the manifest', async (t) => {
  const { manifest } = trainAndRegister({
    dataDir: t.testdir(),
    config: fast,
    dataset: ds,
    kinds: ['mf', 'popularity'],
    evalMaxUsers: 100,
  });
  t.equal(manifest.metrics.adultToMinors, 0);
  t.ok((manifest.metrics.minorAnswersAudited as number) > 0, 'answers to minors were audited');
  t.equal(manifest.approved, true);
});
