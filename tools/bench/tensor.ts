// Encode+decode throughput of a 16 MB float32 tensor through the ts-proto Tensor message, as a
// gRPC call does it: tf.Tensor → message → bytes → message → tf.Tensor.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@conjugate/backend';
import { DType, Tensor } from '@conjugate/proto';
import { fromTensorMessage, tensorMessageValues, toTensorMessage, valuesToTensorMessage } from '@conjugate/tensor';
import { median } from './support/median';

async function main(): Promise<void> {
  await initBackend();
  const bytes = 16 * 1024 * 1024;
  const tensor = tf.randomUniform([bytes / 4], -1, 1);
  const repeats = 15;
  const encodeMs: number[] = [];
  const decodeMs: number[] = [];
  const wireOnlyMs: number[] = [];
  const encodeOnlyMs: number[] = [];
  const values = tensor.dataSync() as Float32Array;
  for (let i = 0; i < repeats; i++) {
    let t = performance.now();
    const wire = Tensor.encode(toTensorMessage(tensor)).finish();
    encodeMs.push(performance.now() - t);
    t = performance.now();
    const back = fromTensorMessage(Tensor.decode(wire), { rejectNonFinite: true });
    decodeMs.push(performance.now() - t);
    back.dispose();
    t = performance.now();
    tensorMessageValues(Tensor.decode(wire));
    wireOnlyMs.push(performance.now() - t);
    t = performance.now();
    Tensor.encode(valuesToTensorMessage(values, [values.length], DType.DTYPE_FLOAT32)).finish();
    encodeOnlyMs.push(performance.now() - t);
  }
  const gb = bytes / 1e9;
  const enc = median(encodeMs);
  const dec = median(decodeMs);
  console.log(`tensor_16MB_encode: ${enc.toFixed(2)} ms`);
  console.log(`tensor_16MB_decode: ${dec.toFixed(2)} ms`);
  console.log(`tensor_16MB_encode_decode_throughput: ${(gb / ((enc + dec) / 1000)).toFixed(2)} GB/s`);
  // Without tf: typed array → bytes and bytes → typed array (what tf's heap copies add to).
  console.log(`tensor_16MB_typed_array_encode: ${median(encodeOnlyMs).toFixed(2)} ms`);
  console.log(`tensor_16MB_decode_to_typed_array: ${median(wireOnlyMs).toFixed(2)} ms`);
  tensor.dispose();
}

void main();
