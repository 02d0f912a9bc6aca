// RecBole's MovieLens files become the course's stream lines (time-ordered
// rating lines with slug ids) and catalog records, the catalog stub answers
// them over HTTP as docs/contract.md §3 says, and titles that collide on one course id are
// counted, distinct titles apart from MovieLens listing one title twice.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseMovieRecord, parseUserRecord } from '../../src/ingest/catalog';
import { startCatalogStub } from '../../src/eval/catalog-stub';
import { articleFirst, readRecboleMl100k } from '../../scripts/bench/recbole-ml100k';

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'movrec-ml100k-'));
  writeFileSync(
    join(dir, 'ml-100k.item'),
    [
      'item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq',
      'Usual Suspects, The\t1995\tCrime Thriller',
      'Chasing Amy\t1997\tComedy Drama',
      'Chasing Amy\t1997\tComedy Drama',
      'Se7en!\t1995\tThriller',
      'Se7en\t1995\tThriller',
      'unknown\tunknown\tunknown',
    ]
      .map((l, n) => (n === 0 ? l : `${n}\t${l}`))
      .join('\n'),
  );
  writeFileSync(
    join(dir, 'ml-100k.user'),
    'user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n' +
      '1\t24\tM\ttechnician\t85711\n2\t53\tF\tother\t94043\n',
  );
  writeFileSync(
    join(dir, 'ml-100k.inter'),
    'user_id:token\titem_id:token\trating:float\ttimestamp:float\n' +
      '2\t1\t4\t881250950\n1\t2\t3\t881250949\n1\t4\t5\t881250951\n',
  );
  return dir;
}

t.test('lines, catalog records and duplicate ids', async (t) => {
  const d = readRecboleMl100k(fixture());
  t.same(d.lines, [
    '1997-12-04T15:55:49,1,GET /rate/chasing+amy+1997=3',
    '1997-12-04T15:55:50,2,GET /rate/the+usual+suspects+1995=4',
    '1997-12-04T15:55:51,1,GET /rate/se7en+1995=5',
  ]);
  t.equal(articleFirst('Usual Suspects, The'), 'The Usual Suspects');
  t.equal(d.movies.get('the+usual+suspects+1995')?.title, 'The Usual Suspects');
  t.ok(d.movies.has('unknown+'), 'no year: a bare trailing +');
  t.same(d.itemsPerId.get('chasing+amy+1997'), [2, 3]);
  t.same(d.duplicates.ids, 2, 'chasing+amy+1997 and se7en+1995 each hold two items');
  t.same(d.duplicates.items, 4);
  t.same(d.duplicates.distinctTitles, 1, 'Se7en! and Se7en are distinct titles on one id');

  const stub = await startCatalogStub(d);
  t.teardown(() => stub.close());
  const user = parseUserRecord(await (await fetch(`${stub.baseUrl}/user/2`)).json());
  t.same(user, { age: 53, gender: 'F', occupation: 'other' });
  const movie = parseMovieRecord(await (await fetch(`${stub.baseUrl}/movie/se7en+1995`)).json());
  t.same(movie, { title: 'Se7en!', adult: false, runtime: null, genres: ['Thriller'] });
  t.equal((await fetch(`${stub.baseUrl}/movie/nope+1999`)).status, 404);
  const bulk = (await (await fetch(`${stub.baseUrl}/user/1,9`)).json()) as unknown[];
  t.equal(bulk.length, 2);
  t.equal(parseUserRecord(bulk[1]), null, 'an unknown id in a bulk answer is an error object');
});
