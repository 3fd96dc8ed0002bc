import { EvaluationPipeline } from './evaluation-pipeline';

/** A promise with its resolve/reject, to finish evaluations in any order the test chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EvaluationPipeline', () => {
  it('overlaps up to maxInFlight evaluations with the caller and records them in epoch order, each once', async () => {
    const recorded: number[] = [];
    const pipeline = new EvaluationPipeline<number>(2, async (epoch) => { recorded.push(epoch); });
    const evaluations = [deferred<number>(), deferred<number>(), deferred<number>()];
    await pipeline.submit(() => evaluations[0].promise); // returns at once: epoch 0 evaluates in the background
    await pipeline.submit(() => evaluations[1].promise);
    evaluations[1].resolve(1); // epoch 1 finishes first, but is recorded only after epoch 0
    await tick();
    expect(recorded).toEqual([]);
    let thirdAdmitted = false;
    const third = pipeline.submit(() => evaluations[2].promise).then(() => { thirdAdmitted = true; });
    await tick();
    expect(thirdAdmitted).toBe(false); // two in flight: the caller waits for a slot
    evaluations[0].resolve(0);
    await third;
    expect(recorded).toEqual([0, 1]);
    evaluations[2].resolve(2);
    await pipeline.drain();
    expect(recorded).toEqual([0, 1, 2]);
  });

  it('with maxInFlight 0 each submit waits for its own evaluation to be recorded', async () => {
    const recorded: number[] = [];
    const pipeline = new EvaluationPipeline<number>(0, async (epoch) => { recorded.push(epoch); });
    await pipeline.submit(async () => 0);
    expect(recorded).toEqual([0]);
  });

  it('reports the first failure to the next submit and to drain, and records nothing after it', async () => {
    const recorded: number[] = [];
    const pipeline = new EvaluationPipeline<number>(1, async (epoch) => { recorded.push(epoch); });
    const first = deferred<number>();
    await pipeline.submit(() => first.promise);
    first.reject(new Error('data-service gone'));
    await expect(pipeline.submit(async () => 1)).rejects.toThrow('data-service gone');
    await expect(pipeline.drain()).rejects.toThrow('data-service gone');
    expect(recorded).toEqual([]);
  });
});
