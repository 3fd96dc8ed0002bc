import * as tf from '@tensorflow/tfjs-core';
import { disposeAttackResult, resolveAttackSpec, runAttackCancellable } from '@conjugate/attacks';
import type { ModelResolver } from '@conjugate/clients';
import { DType, type AttackBatchRequest, type AttackBatchResponse } from '@conjugate/proto';
import { invalidArgument, type CallContext } from '@conjugate/service-kit';
import { fromTensorMessage, toTensorMessage } from '@conjugate/tensor';
import { checkAttackCost } from './attack-cost';
import { refusingBadInput } from './status';

/**
 * AttackBatch: attack the images of the request with the model it names; nothing kept afterwards.
 * Refused above the cost ceiling; stops between PGD steps at the call's deadline or cancellation.
 */
export async function attackBatch(request: AttackBatchRequest, resolver: ModelResolver, context: Pick<CallContext, 'signal'>): Promise<AttackBatchResponse> {
  return refusingBadInput(async () => {
    const spec = resolveAttackSpec(request.attack);
    if (!request.images) throw invalidArgument('images: required');
    if (!request.labels) throw invalidArgument('labels: required');
    const model = await resolver.resolve(request.model);
    const tensors: tf.Tensor[] = [];
    try {
      const [height, width, channels] = model.classifier.spec.inputShape;
      const batch = request.images.shape[0] ?? 0;
      if (Number.isSafeInteger(batch) && batch > 0) checkAttackCost(model.classifier, batch, spec);
      const images = fromTensorMessage(request.images, { name: 'images', expectDtype: DType.DTYPE_FLOAT32, expectShape: [null, height, width, channels], rejectNonFinite: true });
      tensors.push(images);
      const labels = fromTensorMessage(request.labels, { name: 'labels', expectDtype: DType.DTYPE_INT32, expectShape: [images.shape[0]] });
      tensors.push(labels);
      const result = await runAttackCancellable(model.classifier, images as tf.Tensor4D, labels as tf.Tensor1D, spec, { signal: context.signal });
      try {
        return {
          adversarial: toTensorMessage(result.adversarial, 'adversarial'),
          cleanPredictions: toTensorMessage(result.cleanPredictions, 'clean_predictions'),
          adversarialPredictions: toTensorMessage(result.adversarialPredictions, 'adversarial_predictions'),
          perturbationNorms: toTensorMessage(result.perturbationNorms, 'perturbation_norms'),
          epsilonUsed: result.epsilonUsed,
          stepSizeUsed: result.stepSizeUsed,
        };
      } finally {
        disposeAttackResult(result);
      }
    } finally {
      tf.dispose(tensors);
      model.release();
    }
  });
}
