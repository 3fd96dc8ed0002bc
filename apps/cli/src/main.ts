import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CliError, EXIT } from './cli-error';
import { attack } from './commands/attack';
import { fetchDataset, listDatasets } from './commands/data';
import { estimate } from './commands/estimate';
import { listPresets } from './commands/presets';
import { writeRunReport } from './commands/report';
import { startRun } from './commands/run';
import { listRuns } from './commands/runs';
import { watchRun } from './commands/watch';
import { createOutput, type Output } from './output';
import { applyTlsFlags, tlsFlags } from './tls-flags';

/** Runs a command and exits with its code; CliErrors print as one actionable line. */
async function handle(args: { json?: boolean }, command: (output: Output) => Promise<number> | number): Promise<void> {
  {
    const output = createOutput(Boolean(args.json));
    try {
      process.exitCode = await command(output);
    } catch (error) {
      // Library errors already say what went wrong; the stack only with CONJUGATE_DEBUG=1.
      const detail = error instanceof Error ? (process.env.CONJUGATE_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
      const cliError = error instanceof CliError ? error : new CliError(detail, EXIT.failed);
      if (output.json) process.stdout.write(JSON.stringify({ error: cliError.message, exit_code: cliError.exitCode }) + '\n');
      process.stderr.write(`conjugate: ${cliError.message}\n`);
      process.exitCode = cliError.exitCode;
    }
    // Open gRPC channels or timers must not keep a finished command alive (`up` never returns).
    setTimeout(() => process.exit(), 200).unref();
  }
}

const runFlags = <T,>(y: Argv<T>) => y
  .option('epochs', { type: 'number', describe: 'epochs to train (overrides the preset)' })
  .option('train-limit', { type: 'number', describe: 'train images used (0 = all)' })
  .option('seed', { type: 'number' })
  .option('batch-size', { type: 'number' })
  .option('learning-rate', { type: 'number' })
  .option('name', { type: 'string', describe: 'a name shown in lists and the dashboard' })
  .option('dataset', { type: 'string', describe: 'mnist, fashion-mnist, cifar10, synthetic' })
  .option('model', { type: 'string', describe: 'architecture: cnn3, cnn4, resnet8, tiny, linear' })
  .option('robust-points', { type: 'number', describe: 'test images attacked for robust accuracy (0 = off)' })
  .option('ensemble-points', { type: 'number', describe: 'ensemble estimator points M (0 = off, -1 = the whole split)' })
  .option('packet-points', { type: 'number', describe: 'packet estimator points K (0 = off)' })
  .option('packet-samples', { type: 'number', describe: 'packet estimator samples per point N' })
  .option('embedding-epochs', { type: 'number', array: true, describe: 'epochs with a t-SNE snapshot' })
  .option('embedding-points', { type: 'number', describe: 'test images in each t-SNE snapshot' })
  .option('test-limit', { type: 'number', describe: 'test images every measurement draws from (0 = the whole split)' })
  .option('model-file', { type: 'string', describe: 'train the topology of your own TF.js Layers model: PATH/model.json (from seeded weights)' })
  .option('feature-layer', { type: 'string', describe: 'with --model-file: layer whose output is the feature vector' })
  .option('input-min', { type: 'number', describe: 'with --model-file: low end of the input value range (default 0)' })
  .option('input-max', { type: 'number', describe: 'with --model-file: high end (default 1)' });

const modelFlags = <T,>(y: Argv<T>) => y
  .option('run', { type: 'string', describe: 'run whose checkpoint to use (or --model-file)' })
  .option('epoch', { type: 'number', default: -1, describe: 'checkpoint epoch (-1 = latest)' })
  .option('dataset', { type: 'string', describe: "test split to use (default: the run's dataset; required with --model-file)" })
  .option('model-file', { type: 'string', describe: 'your own TF.js Layers model: PATH/model.json (weight shards beside it), sent inline' })
  .option('feature-layer', { type: 'string', describe: 'with --model-file: layer whose output is the feature vector (default: the input of the last Dense layer)' })
  .option('input-min', { type: 'number', describe: 'with --model-file: the low end of the value range the model was trained on (default 0)' })
  .option('input-max', { type: 'number', describe: 'with --model-file: the high end (default 1)' });

void tlsFlags(yargs(hideBin(process.argv)))
  .middleware((args) => applyTlsFlags(args))
  .scriptName('conjugate')
  .usage('$0 <command> [options]\n\nTrains classifiers, attacks them, and measures Δx·Δp ≥ ½ every epoch.')
  .option('json', { type: 'boolean', default: false, global: true, describe: 'machine-readable output (JSON; NDJSON for streams)' })
  .option('data', { type: 'string', global: true, describe: 'data-service HOST:PORT (default: from `conjugate up`)' })
  .option('training', { type: 'string', global: true, describe: 'training-service HOST:PORT' })
  .option('attack', { type: 'string', global: true, describe: 'attack-service HOST:PORT' })
  .option('uncertainty', { type: 'string', global: true, describe: 'uncertainty-service HOST:PORT' })
  .command('up', 'start every service and the dashboard (embedded in this process, or --processes)', (y) => y
    .option('processes', { type: 'boolean', default: false, describe: 'each service its own process, with a real nats-server' })
    .option('preset', { type: 'string', describe: 'once up, start a run of this preset and follow it' })
    .option('dashboard-port', { type: 'number', default: 8080, describe: 'dashboard HTTP port (0 = any free port)' })
    .option('exit-after-run', { type: 'boolean', default: false, describe: 'stop the stack when the --preset run ends' })
    .option('uncertainty-replicas', { type: 'number', default: 1, describe: 'with --processes: uncertainty-service replicas (each estimate is sharded over them)' })
    .option('attack-replicas', { type: 'number', default: 1, describe: 'with --processes: attack-service replicas (each robust-accuracy evaluation is sharded over them)' }),
  // Loaded only for `up`: it pulls in every service (and TensorFlow.js), which other commands do not need.
  (args) => handle(args, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { up } = require('./commands/up') as typeof import('./commands/up');
    return up({ processes: args.processes, preset: args.preset, dashboardPort: args.dashboardPort, exitAfterRun: args.exitAfterRun, uncertaintyReplicas: args.uncertaintyReplicas, attackReplicas: args.attackReplicas, json: args.json });
  }))
  .command('presets', 'list the named run configs', (y) => y, (args) => handle(args, (output) => { listPresets(output); return 0; }))
  .command('run', 'start a run from a preset', (y) => runFlags(y)
    .option('preset', { type: 'string', default: 'quick', describe: 'see `conjugate presets`' })
    .option('follow', { type: 'boolean', default: false, describe: 'watch the run until it ends' }),
  (args) => handle(args, (output) => startRun(args, output)))
  .command('runs', 'list runs', (y) => y, (args) => handle(args, (output) => listRuns(args, output)))
  .command('watch <run>', "follow a run: progress bars, then a table row per epoch", (y) => y.positional('run', { type: 'string', demandOption: true }),
    (args) => handle(args, (output) => watchRun(args.run, args, output)))
  .command('attack', 'robust accuracy of a checkpoint or a model file on a slice of the test split', (y) => modelFlags(y)
    .option('space', { type: 'string', default: 'pixel', choices: ['pixel', 'feature'] })
    .option('method', { type: 'string', default: 'pgd', choices: ['pgd', 'fgsm'] })
    .option('epsilon', { type: 'number', describe: 'budget in pixel units (default 8/255)' })
    .option('step-size', { type: 'number', describe: 'PGD step in pixel units (default 2/255)' })
    .option('steps', { type: 'number', describe: 'PGD steps (default 4)' })
    .option('limit', { type: 'number', default: 500, describe: 'test images' })
    .option('offset', { type: 'number', default: 0 }),
  (args) => handle(args, (output) => attack(args, output)))
  .command('estimate', 'Δx and Δp of a checkpoint or a model file', (y) => modelFlags(y)
    .option('estimator', { type: 'string', default: 'packet', choices: ['packet', 'ensemble'] })
    .option('space', { type: 'string', default: 'pixel', choices: ['pixel', 'feature'] })
    .option('points', { type: 'number', describe: 'packet K / ensemble M (default: the spec’s)' })
    .option('samples', { type: 'number', describe: 'packet samples per point N' })
    .option('sigma', { type: 'number', describe: 'packet width in pixel units' })
    .option('seed', { type: 'number', default: 0 }),
  (args) => handle(args, (output) => estimate(args, output)))
  .command('data <action> [name]', 'datasets: `data list`; `data fetch NAME` makes its files present (downloads CIFAR-10)', (y) => y
    .positional('action', { type: 'string', choices: ['list', 'fetch'], demandOption: true })
    .positional('name', { type: 'string' })
    .option('dir', { type: 'string', describe: 'data dir for downloads (default CONJUGATE_DATA_DIR or ./.conjugate/data)' }),
  (args) => handle(args, (output) => {
    if (args.action === 'list') return listDatasets(args, output);
    if (!args.name) throw new CliError('`data fetch` needs a dataset name, e.g. `npx conjugate data fetch cifar10`', EXIT.usage);
    return fetchDataset(args.name, args, output);
  }))
  .command('report <run>', "write a run's figures (SVG, PNG), metrics.csv and metrics.json", (y) => y
    .positional('run', { type: 'string', demandOption: true })
    .option('out', { type: 'string', default: 'report', describe: 'output directory' })
    .option('class', { type: 'number', default: 8, describe: 'class whose region is drawn over epochs' }),
  (args) => handle(args, (output) => writeRunReport(args.run, args, output)))
  .demandCommand(1, 'name a command: up, run, runs, watch, attack, estimate, data, report, presets')
  .strict()
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`conjugate: ${message}\nrun \`npx conjugate --help\` for usage\n`);
    process.exit(EXIT.usage);
  })
  .help()
  .parseAsync();
