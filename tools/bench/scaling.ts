// `npm run bench -- scaling [preset=paper-mnist-cnn3] [rounds=1]`: wall time of one epoch's evaluation
// of the preset (robust accuracy in both spaces, both estimators in both spaces; no feature map, which
// runs beside training) through service processes — once with one attack- and one uncertainty-service,
// once with two of each, the evaluator sharding every step over the replicas — and the ratio:
// `evaluation_scaling_2_replicas: S x` (S = one replica's time / two replicas' time). The rounds take
// turns (1, 2, 1, 2, …) after a small warm-up evaluation on every replica, so that a change in the
// machine's load hits both alike; medians are printed.
import { availableParallelism, loadavg } from 'node:os';
import { initBackend } from '@conjugate/backend';
import { targetOf } from '@conjugate/clients';
import { connectEvaluator, type EpochContext } from '@conjugate/evaluation';
import { createClassifier, toModelMessage } from '@conjugate/models';
import { presetConfig } from '@conjugate/presets';
import { startServiceProcess, type ServiceProcess } from '@conjugate/service-kit';
import { median } from './support/median';

const preset = process.argv[2] ?? 'paper-mnist-cnn3';
const rounds = Number(process.argv[3] ?? '1');

async function main() {
  await initBackend();
  const config = { ...presetConfig(preset), evaluation: { ...presetConfig(preset).evaluation!, embeddingEpochs: [] } };
  const classifier = createClassifier({ architecture: config.model?.architecture ?? 'cnn3', inputShape: [28, 28, 1], numClasses: 10, seed: config.seed });
  const modelMessage = toModelMessage(classifier);
  const context: EpochContext = {
    runId: 'bench-scaling', epoch: 1, config, classifier, modelMessage, model: { source: { $case: 'inline', value: modelMessage } },
  };

  const data = await startServiceProcess('data-service', {}, 120_000);
  const wiring = { DATA_SERVICE_ADDRESS: data.address };
  const services: ServiceProcess[] = [data];
  try {
    const [attackA, attackB, uncertaintyA, uncertaintyB] = await Promise.all([
      startServiceProcess('attack-service', wiring, 120_000),
      startServiceProcess('attack-service', wiring, 120_000),
      startServiceProcess('uncertainty-service', wiring, 120_000),
      startServiceProcess('uncertainty-service', wiring, 120_000),
    ]);
    services.push(attackA, attackB, uncertaintyA, uncertaintyB);
    const setups = {
      1: { attack: attackA.address, uncertainty: [uncertaintyA.address] },
      2: { attack: targetOf([attackA.address, attackB.address]), uncertainty: [uncertaintyA.address, uncertaintyB.address] },
    };
    const walls: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const steps: Record<1 | 2, Map<string, number[]>> = { 1: new Map(), 2: new Map() };
    console.log(`# ${preset}: robust ${config.evaluation.robustPoints} images × 2 spaces, ensemble over ${config.evaluation.ensemblePoints === -1 ? 'the whole test split' : config.evaluation.ensemblePoints} × 2, packet ${config.evaluation.packet?.numPoints} points × 2; load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
    // A small evaluation on every replica first: its first call compiles kernels and decodes the model.
    const warmUp = { ...config, evaluation: { ...config.evaluation, robustPoints: 200, ensemblePoints: 512, packet: { ...config.evaluation.packet!, numPoints: 4 } } };
    for (const replicas of [1, 2] as const) {
      const remote = connectEvaluator({ ...setups[replicas], data: data.address });
      await remote.evaluator.evaluate({ ...context, config: warmUp }).finally(() => remote.close());
    }
    for (let round = 0; round < rounds; round++) {
      for (const replicas of [1, 2] as const) {
        const remote = connectEvaluator({ ...setups[replicas], data: data.address });
        try {
          const started = performance.now();
          const measured = await remote.evaluator.evaluate(context);
          walls[replicas].push((performance.now() - started) / 1000);
          const missing = [measured.robustPixel, measured.robustFeature, ...measured.uncertainty].map((m) => m?.missingReason).filter(Boolean);
          if (missing.length > 0) throw new Error(`evaluation with ${replicas} replicas missed: ${missing.join('; ')}`);
          for (const { step, seconds } of measured.steps) steps[replicas].set(step, [...(steps[replicas].get(step) ?? []), seconds]);
        } finally {
          remote.close();
        }
      }
    }
    for (const [step, one] of steps[1]) {
      const two = median(steps[2].get(step) ?? [NaN]);
      console.log(`evaluation_${step.replace('/', '_')}_1_replica_s: ${median(one).toFixed(2)} s`);
      console.log(`evaluation_${step.replace('/', '_')}_2_replicas_s: ${two.toFixed(2)} s`);
      console.log(`evaluation_${step.replace('/', '_')}_scaling_2_replicas: ${(median(one) / two).toFixed(2)} x`);
    }
    console.log(`evaluation_1_replica_s: ${median(walls[1]).toFixed(1)} s`);
    console.log(`evaluation_2_replicas_s: ${median(walls[2]).toFixed(1)} s`);
    console.log(`evaluation_scaling_2_replicas: ${(median(walls[1]) / median(walls[2])).toFixed(2)} x`);
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    classifier.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
