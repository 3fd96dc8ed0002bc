import seedrandom from 'seedrandom';

/**
 * `count` indices into a split, stratified by class and fixed by the seed (spec §1, §2): each class's
 * indices are shuffled with the seed, then classes take turns until `count` are chosen (as even as the
 * class sizes allow). Returned in ascending order. count ≥ the split size returns every index.
 */
export function stratifiedIndices(labels: ArrayLike<number>, count: number, seed: number): number[] {
  if (count >= labels.length) return Array.from({ length: labels.length }, (_, i) => i);
  const random = seedrandom.alea(`stratified:${seed}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]) ?? [];
    members.push(i);
    byClass.set(labels[i], members);
  }
  const queues = [...byClass.entries()].sort(([a], [b]) => a - b).map(([, members]) => shuffle(members, random));
  const chosen: number[] = [];
  for (let round = 0; chosen.length < count; round++) {
    for (const queue of queues) {
      if (round < queue.length && chosen.length < count) chosen.push(queue[round]);
    }
  }
  return chosen.sort((a, b) => a - b);
}

function shuffle(values: number[], random: () => number): number[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
