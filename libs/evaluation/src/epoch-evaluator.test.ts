import { createServer } from 'node:net';
import { initBackend } from '@conjugate/backend';
import { createClassifier, toModelMessage } from '@conjugate/models';
import { presetConfig } from '@conjugate/presets';
import { connectEvaluator } from './connect-evaluator';

beforeAll(() => initBackend());

/** A loopback port with nothing listening (bound, then released). */
const closedPort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

describe('RemoteEpochEvaluator against services that are down', () => {
  it('records every measurement as missing with the step and the gRPC reason, and does not throw', async () => {
    const nowhere = `127.0.0.1:${await closedPort()}`;
    const remote = connectEvaluator({ attack: nowhere, data: nowhere, uncertainty: [nowhere] }, { retry: { attempts: 2, firstDelayMs: 5 } });
    const classifier = createClassifier({ architecture: 'tiny', inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
    const config = presetConfig('tiny');
    const progress: string[] = [];
    try {
      const measured = await remote.evaluator.evaluate({
        runId: 'r1', epoch: 2, config, classifier,
        model: { source: { $case: 'inline', value: toModelMessage(classifier) } }, modelMessage: toModelMessage(classifier),
        onProgress: (p) => progress.push(p.stage),
      });
      expect(measured.robustPixel?.missingReason).toMatch(/^robust\/pixel failed after 2 tries: 14 UNAVAILABLE/);
      expect(measured.robustFeature?.missingReason).toMatch(/^robust\/feature failed after 2 tries: 14 UNAVAILABLE/);
      expect(measured.uncertainty.map((u) => u.missingReason.split(':')[0])).toEqual([
        'ensemble/pixel failed after 2 tries', 'ensemble/feature failed after 2 tries', 'packet/pixel failed after 2 tries', 'packet/feature failed after 2 tries',
      ]);
      expect(measured.uncertainty[0].missingReason).toContain(`no replica reachable at ${nowhere}`);
      // Epoch 2 is an embedding epoch of the tiny preset: its snapshot is missing too, with the reason.
      expect(measured.embedding).toBeUndefined();
      expect(measured.embeddingMissingReason).toMatch(/^embedding failed after 2 tries: 14 UNAVAILABLE/);
      expect(progress).toContain('embedding');
      // Each step's wall time is recorded under its name, in order, failed ones too (they took their retries).
      expect(measured.steps.map((s) => s.step)).toEqual([
        'robust/pixel', 'robust/feature', 'ensemble/pixel', 'ensemble/feature', 'packet/pixel', 'packet/feature', 'embedding',
      ]);
      for (const { seconds } of measured.steps) expect(seconds).toBeGreaterThan(0);
    } finally {
      remote.close();
      classifier.dispose();
    }
  });
});
