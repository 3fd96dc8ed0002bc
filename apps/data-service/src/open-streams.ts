import { resourceExhausted } from '@conjugate/service-kit';

/**
 * Bounds the StreamBatches calls open at once. Each stream buffers at most grpc-js's write window
 * (16 messages) before it waits for its reader, so this bounds the memory all streams can hold
 * together (e.g. 32 streams × 16 × a 500-image CIFAR batch ≈ 3 GB worst case, 150 MB for MNIST-sized
 * batches of 100); one more stream is refused with RESOURCE_EXHAUSTED naming the limit.
 */
export class OpenStreams {
  private open = 0;
  constructor(readonly max: number) {}

  /** Runs `work` as one open stream, or refuses it when `max` are open already. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.open >= this.max) throw resourceExhausted(`StreamBatches: ${this.open} streams are open, the limit MAX_OPEN_STREAMS=${this.max}; retry later`);
    this.open++;
    try {
      return await work();
    } finally {
      this.open--;
    }
  }
}
