// Training progress: one plain line per epoch off a terminal, a redrawn bar on one.
import t from 'tap';
import { progressHook } from '../../src/train/progress';

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

t.test('plain lines', async (t) => {
  const s = sink();
  const hook = progressHook(s.stream, false);
  hook({ model: 'mf', epoch: 1, epochs: 2, loss: 1.23456 });
  hook({ model: 'mf', epoch: 2, epochs: 2, loss: 0.9 });
  t.equal(s.text(), 'mf epoch 1/2 loss 1.2346\nmf epoch 2/2 loss 0.9000\n');
});

t.test('a bar redrawn in place, ended with a newline', async (t) => {
  const s = sink();
  const hook = progressHook(s.stream, true);
  hook({ model: 'ials', epoch: 1, epochs: 4, loss: 0.5 });
  hook({ model: 'ials', epoch: 4, epochs: 4, loss: 0.25 });
  t.match(s.text(), /^\rials\s+\[#{6}\.{18}\] 1\/4 loss 0\.5000\rials\s+\[#{24}\] 4\/4 loss 0\.2500\n$/);
});
