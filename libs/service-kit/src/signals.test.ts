import { credentials, type ServiceError } from '@grpc/grpc-js';
import { DataServiceClient, type DatasetInfo } from '@conjugate/proto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

it('on SIGTERM finishes the in-flight call, then exits 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'tinyServiceMain.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [firstLine] = (await once(child.stdout, 'data')) as [Buffer];
  const address = firstLine.toString().trim();
  const client = new DataServiceClient(address, credentials.createInsecure());
  // Connect first, so the slow call below is surely in its handler when the signal arrives.
  await new Promise((resolve, reject) => client.listDatasets({}, (error: ServiceError | null) => (error ? reject(error) : resolve(null))));
  const inFlight = new Promise<DatasetInfo>((resolve, reject) =>
    client.describeDataset({ name: 'x' }, (error: ServiceError | null, info: DatasetInfo) => (error ? reject(error) : resolve(info))),
  );
  await new Promise((resolve) => setTimeout(resolve, 200)); // the call is in the handler's 500 ms sleep
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  expect((await inFlight).name).toBe('finished after SIGTERM');
  const [code] = await exited;
  expect(code).toBe(0);
  client.close();
});
