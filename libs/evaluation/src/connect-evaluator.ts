import { createClient } from '@conjugate/clients';
import { AttackServiceClient, DataServiceClient } from '@conjugate/proto';
import { RemoteEpochEvaluator, type EvaluatorOptions } from './epoch-evaluator';
import { grpcRemoteServices } from './remote-services';

export interface EvaluatorAddresses {
  /** host:port of the attack-service. */
  attack: string;
  /** host:port of the data-service (test images for embedding snapshots). */
  data: string;
  /** host:port of each uncertainty-service replica (one address behind a load balancer works too). */
  uncertainty: string[];
  maxMessageBytes?: number;
  /** Shards per evaluation step (see GrpcClients); 0 or unset = one per backend the targets resolve to. */
  attackShards?: number;
  uncertaintyShards?: number;
}

/** The remote evaluator wired to the services at these addresses; `close()` closes its clients. */
export function connectEvaluator(addresses: EvaluatorAddresses, options: EvaluatorOptions = {}): { evaluator: RemoteEpochEvaluator; close(): void } {
  const channel = { maxMessageBytes: addresses.maxMessageBytes };
  const attack = createClient(AttackServiceClient, addresses.attack, channel);
  const data = createClient(DataServiceClient, addresses.data, channel);
  const services = grpcRemoteServices({
    attack, attackTarget: addresses.attack, data, uncertaintyAddresses: addresses.uncertainty,
    attackShards: addresses.attackShards, uncertaintyShards: addresses.uncertaintyShards,
  });
  return {
    evaluator: new RemoteEpochEvaluator(services, options),
    close: () => { attack.close(); data.close(); },
  };
}
