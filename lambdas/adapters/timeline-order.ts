import type { TimelineEntry } from '../ports.ts';

/** Within one instant a tick observes, then decides, then claims, then records the result. */
const KIND_ORDER: Readonly<Record<TimelineEntry['kind'], number>> = {
  observation: 0,
  decision: 1,
  claim: 2,
  result: 3,
};

/** Time order, and the tick's step order for entries at the same instant (every SessionLog sorts so). */
export function byTimelineOrder(a: TimelineEntry, b: TimelineEntry): number {
  return a.at.getTime() - b.at.getTime() || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}
