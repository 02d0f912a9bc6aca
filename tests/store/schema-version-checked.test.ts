// The store stamps its schema version at creation and refuses another.
import t from 'tap';
import { openStore, storeTables } from '../../src/store/store';
import { META_SCHEMA, SCHEMA_VERSION } from '../../src/store/tables';

t.test('a fresh store is stamped and reopens', async (t) => {
  const dir = t.testdir();
  const s = openStore(dir);
  t.equal(storeTables(s).meta.get(META_SCHEMA), SCHEMA_VERSION);
  await s.close();
  const again = openStore(dir, { readOnly: true });
  t.same(again.seenMovies(1), []);
  await again.close();
});

t.test('a store of another schema version is refused with a coded error', async (t) => {
  const dir = t.testdir();
  const s = openStore(dir);
  storeTables(s).meta.putSync(META_SCHEMA, 99);
  await s.close();
  t.throws(() => openStore(dir), {
    code: 'MOVREC_ERR_STORE_SCHEMA',
    message: new RegExp(`schema version 99 does not match this build's ${SCHEMA_VERSION}`),
  });
  t.throws(() => openStore(dir, { readOnly: true }), { code: 'MOVREC_ERR_STORE_SCHEMA' });
});
