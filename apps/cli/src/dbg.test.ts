import { RunConfig } from '@conjugate/proto';
import { startServiceProcess } from '@conjugate/service-kit';
import { connectTrainingService } from '@conjugate/clients';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const config = RunConfig.fromPartial({ name: 'w', dataset: 'mnist', model: { architecture: 'tiny' }, epochs: 2, batchSize: 8, seed: 5, trainLimit: 4096, evaluation: { testLimit: 200 } });
it('dbg', async () => {
  const runsDir = await mkdtemp(join(tmpdir(), 'dbg-'));
  const data = await startServiceProcess('data-service');
  const training = await startServiceProcess('training-service', { DATA_SERVICE_ADDRESS: data.address, RUNS_DIR: runsDir, LOG_LEVEL: 'info' });
  const client = connectTrainingService(training.address);
  const run = await client.startRun(config);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    const r = await client.getRun(run.id);
    console.log(i, r.state, r.epochsDone, r.reason);
    if (r.state >= 3) break;
  }
  console.log(training.log().slice(-3000));
  await training.stop(); await data.stop();
}, 120000);
