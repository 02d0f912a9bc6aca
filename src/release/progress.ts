// The release part of a live progress line (the demo's): the stable and
// canary models and their online watch-from-list rates, and a running
// experiment's arms. Rates exist only while a canary or experiment is live.
import type { ArmReport, ReleaseStatus } from './controller';

const rate = (a: ArmReport): string =>
  a.users > 0 ? `${(100 * a.watchFromList).toFixed(1)}% of ${a.users} users` : '-';

export function releaseProgress(s: ReleaseStatus): string {
  const parts: string[] = [];
  if (s.canary) {
    parts.push(`stable ${s.stable ?? '-'} ${rate(s.canary.stable)}`);
    parts.push(`canary ${s.canary.modelId} (${s.canary.percent}%) ${rate(s.canary.canary)}`);
  } else parts.push(`stable ${s.stable ?? '-'}  canary -`);
  if (s.experiment)
    parts.push(`experiment ${s.experiment.name}: ${s.experiment.arms.map((a) => `${a.name} ${rate(a)}`).join(', ')}`);
  return parts.join('  ');
}
