import * as tf from '@tensorflow/tfjs-core';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { createClassifier, toModelMessage } from '@conjugate/models';
import {
  Estimator,
  Space,
  UncertaintyServiceClient,
  type EstimateRequest,
  type EstimateResult,
  type EstimateUpdate,
  type EstimatorSpec,
  type Progress,
} from '@conjugate/proto';
import { toTensorMessage } from '@conjugate/tensor';

// For tests: an inline tiny model on 8×8 images with three classes, six inline points, and a client
// that runs Estimate to its end.

export const SHAPE: [number, number, number] = [8, 8, 1];

export function inlineRequest(spec: Partial<EstimatorSpec>, count = 6): EstimateRequest {
  const model = createClassifier({ architecture: 'tiny', inputShape: SHAPE, numClasses: 3, seed: 1 });
  const message = toModelMessage(model);
  model.dispose();
  const imageTensor = tf.randomUniform([count, ...SHAPE], 0, 1, 'float32', 'points');
  const labelTensor = tf.tensor1d(Array.from({ length: count }, (_, k) => k % 3), 'int32');
  const images = toTensorMessage(imageTensor);
  const labels = toTensorMessage(labelTensor);
  tf.dispose([imageTensor, labelTensor]);
  return {
    model: { source: { $case: 'inline', value: message } },
    points: { points: { $case: 'inline', value: { images, labels } } },
    spec: {
      estimator: Estimator.ESTIMATOR_PACKET,
      space: Space.SPACE_PIXEL,
      seed: 3,
      sigmaSweep: [],
      shardIndex: 0,
      shardCount: 0,
      batchSize: 0,
      numSamples: 64,
      ...spec,
    },
  };
}

export function client(address: string): UncertaintyServiceClient {
  return new UncertaintyServiceClient(address, credentials.createInsecure());
}

/** Runs Estimate; resolves with the progress messages and the result, rejects with the status. */
export function runEstimate(c: UncertaintyServiceClient, request: EstimateRequest): Promise<{ progress: Progress[]; result: EstimateResult }> {
  return new Promise((resolve, reject) => {
    const progress: Progress[] = [];
    let result: EstimateResult | undefined;
    const call = c.estimate(request);
    call.on('data', (update: EstimateUpdate) => {
      if (update.update?.$case === 'progress') progress.push(update.update.value);
      if (update.update?.$case === 'result') result = update.update.value;
    });
    call.on('error', (error: ServiceError) => reject(error));
    call.on('end', () => (result ? resolve({ progress, result }) : reject(new Error('no result'))));
  });
}
