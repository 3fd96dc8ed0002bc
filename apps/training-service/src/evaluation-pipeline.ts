/**
 * Each epoch's evaluation runs in the background while the next epoch trains (in `up --processes` and
 * Kubernetes the evaluation's work is the attack- and uncertainty-service's, so both use a core at once).
 * At most `maxInFlight` evaluations are pending (0: none — each epoch waits for its own, as before); their
 * results are recorded strictly in epoch order, each once. The first failure is reported by the next
 * `submit` or by `drain`, so the training loop stops at once instead of training on unmeasured.
 */
export class EvaluationPipeline<R> {
  private pending: Promise<void>[] = [];
  private lastRecorded: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly maxInFlight: number,
    private readonly record: (result: R) => Promise<void>,
  ) {}

  /** Starts `evaluate` once a slot is free; its result is recorded after every earlier one. */
  async submit(evaluate: () => Promise<R>): Promise<void> {
    while (this.pending.length >= Math.max(1, this.maxInFlight)) await this.pending.shift();
    this.throwIfFailed();
    const result = evaluate();
    const recorded = Promise.all([result, this.lastRecorded]).then(([value]) => {
      if (this.failure) return; // an earlier epoch failed: record nothing after it
      return this.record(value);
    });
    // Settled here, so a failure is never an unhandled rejection; it is kept for the next caller.
    const settled = recorded.then(() => undefined, (error: unknown) => { this.failure ??= { error }; });
    this.lastRecorded = settled;
    this.pending.push(settled);
    if (this.maxInFlight <= 0) await this.drain();
  }

  /** Waits for every pending evaluation to be recorded; rejects with the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.pending);
    this.pending = [];
    this.throwIfFailed();
  }

  /** Waits for the pending evaluations to settle, whatever the outcome (before disposing what they use). */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
