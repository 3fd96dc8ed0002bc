// `npm run bench -- scaling [preset=paper-mnist-cnn3] [rounds=1]`: wall time of one epoch's evaluation
// of the preset (robust accuracy in both spaces, both estimators in both spaces; no feature map, which
// runs beside training) through service processes — once with one attack- and one uncertainty-service,
// once with two of each, the evaluator sharding every step over the replicas — and the ratio:
// `evaluation_scaling_2_replicas: S x` (S = one replica's time / two replicas' time; a replica's kernels
// on one thread), and one replica of each with its kernels on every core, `evaluation_scaling_N_threads`.
// Each setup's first evaluation pays one-time costs (kernels compiled, heaps grown, each replica's points
// streamed into its cache), as a run's first epoch does: it is printed on its own (`evaluation_first_…`),
// and the figures are of the evaluations after it, as a run's other epochs. Each round also measures
// what two single-threaded processes can gain on this machine at all — the same input-gradient passes
// (PGD's work) by one process alone and by two at once, `kernel_scaling_2_processes: C x` — and S is
// printed against it. Each round runs C, then every setup in turn (C, 1, 2, threaded, C, 1, 2, …) so that
// a change in the machine's load hits all alike; medians are printed.
import { availableParallelism, loadavg } from 'node:os';
import { initBackend } from '@conjugate/backend';
import { targetOf } from '@conjugate/clients';
import { connectEvaluator, type EpochContext } from '@conjugate/evaluation';
import { createClassifier, toModelMessage } from '@conjugate/models';
import { presetConfig } from '@conjugate/presets';
import { startServiceProcess, type ServiceProcess } from '@conjugate/service-kit';
import { median } from './support/median';
import { twoProcessCeiling } from './support/two-process-ceiling';

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
  // A replica is one core (its kernels on one thread), so the 2-replica figure measures the sharding;
  // a third setup runs one replica of each whose kernels split over every core, for comparison.
  const wiring = (threads: number) => ({ DATA_SERVICE_ADDRESS: data.address, CONJUGATE_KERNEL_THREADS: String(threads) });
  const cores = Math.min(availableParallelism(), 8);
  const services: ServiceProcess[] = [data];
  try {
    const start = (app: string, threads: number) => startServiceProcess(app, wiring(threads), 120_000);
    const [attackA, attackB, attackThreaded, uncertaintyA, uncertaintyB, uncertaintyThreaded] = await Promise.all([
      start('attack-service', 1), start('attack-service', 1), start('attack-service', cores),
      start('uncertainty-service', 1), start('uncertainty-service', 1), start('uncertainty-service', cores),
    ]);
    services.push(attackA, attackB, attackThreaded, uncertaintyA, uncertaintyB, uncertaintyThreaded);
    const setups: Record<string, { attack: string; uncertainty: string[] }> = {
      '1_replica': { attack: attackA.address, uncertainty: [uncertaintyA.address] },
      '2_replicas': { attack: targetOf([attackA.address, attackB.address]), uncertainty: [uncertaintyA.address, uncertaintyB.address] },
      [`1_replica_${cores}_threads`]: { attack: attackThreaded.address, uncertainty: [uncertaintyThreaded.address] },
    };
    const names = Object.keys(setups);
    const walls = new Map<string, number[]>(names.map((name) => [name, []]));
    const steps = new Map<string, Map<string, number[]>>(names.map((name) => [name, new Map()]));
    console.log(`# ${preset}: robust ${config.evaluation.robustPoints} images × 2 spaces, ensemble over ${config.evaluation.ensemblePoints === -1 ? 'the whole test split' : config.evaluation.ensemblePoints} × 2, packet ${config.evaluation.packet?.numPoints} points × 2; load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
    // One evaluation through a setup: its wall time and its steps' times.
    const evaluateOn = async (name: string) => {
      const remote = connectEvaluator({ ...setups[name], data: data.address });
      try {
        const started = performance.now();
        const measured = await remote.evaluator.evaluate(context);
        const wall = (performance.now() - started) / 1000;
        const missing = [measured.robustPixel, measured.robustFeature, ...measured.uncertainty].map((m) => m?.missingReason).filter(Boolean);
        if (missing.length > 0) throw new Error(`evaluation through ${name} missed: ${missing.join('; ')}`);
        return { wall, steps: measured.steps };
      } finally {
        remote.close();
      }
    };
    const first = new Map<string, number>();
    for (const name of names) first.set(name, (await evaluateOn(name)).wall);
    const ceilings: number[] = [];
    for (let round = 0; round < rounds; round++) {
      ceilings.push(await twoProcessCeiling({ architecture: config.model?.architecture ?? 'cnn3', batchSize: 100, passes: 50 }));
      for (const name of names) {
        const measured = await evaluateOn(name);
        walls.get(name)!.push(measured.wall);
        const perStep = steps.get(name)!;
        for (const { step, seconds } of measured.steps) perStep.set(step, [...(perStep.get(step) ?? []), seconds]);
      }
    }
    const base = names[0];
    for (const [step, one] of steps.get(base)!) {
      const label = `evaluation_${step.replace('/', '_')}`;
      console.log(`${label}_${base}_s: ${median(one).toFixed(2)} s`);
      for (const name of names.slice(1)) {
        const other = median(steps.get(name)!.get(step) ?? [NaN]);
        console.log(`${label}_${name}_s: ${other.toFixed(2)} s`);
        console.log(`${label}_scaling_${name.replace('1_replica_', '')}: ${(median(one) / other).toFixed(2)} x`);
      }
    }
    for (const name of names) console.log(`evaluation_first_${name}_s: ${first.get(name)!.toFixed(1)} s`);
    for (const name of names) console.log(`evaluation_${name}_s: ${median(walls.get(name)!).toFixed(1)} s`);
    for (const name of names.slice(1)) {
      console.log(`evaluation_scaling_${name.replace('1_replica_', '')}: ${(median(walls.get(base)!) / median(walls.get(name)!)).toFixed(2)} x`);
    }
    const scaling = median(walls.get(base)!) / median(walls.get('2_replicas')!);
    console.log(`kernel_scaling_2_processes: ${median(ceilings).toFixed(2)} x`);
    console.log(`evaluation_scaling_2_replicas_of_kernel_scaling: ${(scaling / median(ceilings)).toFixed(2)}`);
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    classifier.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
