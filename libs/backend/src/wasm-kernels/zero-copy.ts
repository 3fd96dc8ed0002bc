import { Cast, Identity, type CastAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Identity, and Cast to the dtype a tensor already has (ReLU's gradient casts its float32 step),
 * share the input's memory — as the cpu backend does — instead of copying it: tensors are
 * immutable, so the copy bought nothing. Other casts go to the original kernel.
 */
function share(x: TensorInfo, backend: BackendWasm): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identityConfig(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm }) =>
    args.inputs.x.dtype === 'string' ? (original.kernelFunc(args as never) as TensorInfo) : share(args.inputs.x, args.backend);
  return { kernelName: Identity, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

export function castConfig(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: CastAttrs }) => {
    const { x } = args.inputs;
    return x.dtype === args.attrs.dtype && x.dtype !== 'string' ? share(x, args.backend) : (original.kernelFunc(args as never) as TensorInfo);
  };
  return { kernelName: Cast, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
