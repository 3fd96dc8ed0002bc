import * as tf from '@tensorflow/tfjs-core';
import { disposeAttackResult, resolveAttackSpec, runAttack } from '@conjugate/attacks';
import type { ModelResolver } from '@conjugate/clients';
import { DType, type AttackBatchRequest, type AttackBatchResponse } from '@conjugate/proto';
import { invalidArgument } from '@conjugate/service-kit';
import { fromTensorMessage, toTensorMessage } from '@conjugate/tensor';
import { refusingBadInput } from './status';

/** AttackBatch: attack the images of the request with the model it names; nothing kept afterwards. */
export async function attackBatch(request: AttackBatchRequest, resolver: ModelResolver): Promise<AttackBatchResponse> {
  return refusingBadInput(async () => {
    const spec = resolveAttackSpec(request.attack);
    if (!request.images) throw invalidArgument('images: required');
    if (!request.labels) throw invalidArgument('labels: required');
    const model = await resolver.resolve(request.model);
    const tensors: tf.Tensor[] = [];
    try {
      const [height, width, channels] = model.classifier.spec.inputShape;
      const images = fromTensorMessage(request.images, { name: 'images', expectDtype: DType.DTYPE_FLOAT32, expectShape: [null, height, width, channels], rejectNonFinite: true });
      tensors.push(images);
      const labels = fromTensorMessage(request.labels, { name: 'labels', expectDtype: DType.DTYPE_INT32, expectShape: [images.shape[0]] });
      tensors.push(labels);
      const result = runAttack(model.classifier, images as tf.Tensor4D, labels as tf.Tensor1D, spec);
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
