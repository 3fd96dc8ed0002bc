export { tsne2d, type TsneOptions } from './tsne';
export { boundsOf, regionGrid, type Bounds, type RegionGrid } from './regions';
export { embeddingSnapshot, type SnapshotInput } from './snapshot';
export { float32Tensor, int32Tensor, tensorValues } from './proto-arrays';
