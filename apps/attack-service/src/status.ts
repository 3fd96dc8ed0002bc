import { AttackArgumentError } from '@conjugate/attacks';
import { invalidArgument } from '@conjugate/service-kit';
import { TensorError } from '@conjugate/tensor';

/** Runs `work`; a request the attack or tensor code refused becomes INVALID_ARGUMENT with its message. */
export async function refusingBadInput<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AttackArgumentError || error instanceof TensorError) throw invalidArgument(error.message);
    throw error;
  }
}
