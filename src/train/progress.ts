// Training progress: a redrawn bar with the loss per epoch on a terminal,
// one plain line per epoch otherwise (CI logs, pipes).
import type { EpochHook } from '../model/recommender';

export function progressHook(
  stream: NodeJS.WriteStream = process.stderr,
  tty: boolean = stream.isTTY === true,
): EpochHook {
  return (e) => {
    const loss = e.loss.toFixed(4);
    if (!tty) {
      stream.write(`${e.model} epoch ${e.epoch}/${e.epochs} loss ${loss}\n`);
      return;
    }
    const width = 24;
    const done = Math.round((e.epoch / e.epochs) * width);
    stream.write(
      `\r${e.model.padEnd(18)} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${e.epoch}/${e.epochs} loss ${loss}`,
    );
    if (e.epoch === e.epochs) stream.write('\n');
  };
}
