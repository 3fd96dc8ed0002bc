import { Metadata, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { channelCredentials, clientTlsFromEnv, tlsChannelOptions } from '@conjugate/clients';
import { AttackServiceClient, DataServiceClient, TrainingServiceClient, UncertaintyServiceClient } from '@conjugate/proto';
import { serviceAddress, type ServiceName } from './addresses';
import { fromServiceError } from './cli-error';

const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const channelOptions = { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES };

const constructors = {
  data: DataServiceClient,
  training: TrainingServiceClient,
  attack: AttackServiceClient,
  uncertainty: UncertaintyServiceClient,
};
type ClientOf<N extends ServiceName> = InstanceType<(typeof constructors)[N]>;

/** A connected client of one service, and how to turn its errors into CLI errors. */
export interface Connection<N extends ServiceName> {
  client: ClientOf<N>;
  address: string;
  service: string;
  /** Calls a unary method; a failure becomes a CliError that says what to do. */
  call<Req, Res>(method: (req: Req, md: Metadata, opts: { deadline: number }, cb: (e: ServiceError | null, r: Res) => void) => unknown, request: Req, timeoutMs?: number): Promise<Res>;
  /** Iterates a server stream; a failure becomes a CliError. */
  stream<U>(open: () => ClientReadableStream<U>): AsyncGenerator<U>;
  close(): void;
}

export async function connect<N extends ServiceName>(name: N, flag: string | undefined): Promise<Connection<N>> {
  const address = await serviceAddress(name, flag);
  const tls = clientTlsFromEnv(); // TLS_* env, or the --tls-* flags copied into it
  const client = new constructors[name](address, channelCredentials(tls), { ...channelOptions, ...tlsChannelOptions(tls) }) as ClientOf<N>;
  const service = `${name}-service`;
  return {
    client, address, service,
    call: (method, request, timeoutMs = 60_000) => new Promise((resolve, reject) => {
      method.call(client, request, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) =>
        error ? reject(fromServiceError(error, service, address)) : resolve(response));
    }),
    async *stream(open) {
      const call = open();
      try {
        for await (const update of call) yield update;
      } catch (error) {
        throw fromServiceError(error, service, address);
      } finally {
        call.cancel();
      }
    },
    close: () => (client as unknown as Client).close(),
  };
}
