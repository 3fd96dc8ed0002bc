import { checkpointsToPrune, parseKeepEpochs } from './checkpoint-retention';

describe('checkpointsToPrune', () => {
  const stored = [0, 1, 2, 3, 4, 5, 6, 7];

  it('keeps the last keepLast epochs, epoch 0, the listed epochs and the embedding epochs', () => {
    expect(checkpointsToPrune(stored, 7, { keepLast: 3, keepEpochs: [2] }, [1])).toEqual([3, 4]);
  });

  it('keeps everything with keepLast 0, and nothing newer than the last keepLast recorded epochs', () => {
    expect(checkpointsToPrune(stored, 7, { keepLast: 0, keepEpochs: [] })).toEqual([]);
    // Epoch 7 stored but only epoch 5 recorded (7 may be under evaluation): 5, 6, 7 stay with keepLast 1.
    expect(checkpointsToPrune(stored, 5, { keepLast: 1, keepEpochs: [] })).toEqual([1, 2, 3, 4]);
  });
});

describe('parseKeepEpochs', () => {
  it('reads a comma-separated list and names a bad entry', () => {
    expect(parseKeepEpochs('')).toEqual([]);
    expect(parseKeepEpochs(' 1, 21,41 ')).toEqual([1, 21, 41]);
    expect(() => parseKeepEpochs('1,x')).toThrow(/CHECKPOINT_KEEP_EPOCHS: "x" is not an epoch/);
    expect(() => parseKeepEpochs('-1')).toThrow(/CHECKPOINT_KEEP_EPOCHS/);
  });
});
