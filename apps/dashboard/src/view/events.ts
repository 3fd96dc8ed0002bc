// What the server sends to browsers: plain JSON views of the bus events. Shared by server and page.

export type RunStateName = 'unspecified' | 'pending' | 'running' | 'completed' | 'failed' | 'stopped';
export type EstimatorName = 'ensemble' | 'packet' | 'unspecified';
export type SpaceName = 'pixel' | 'feature' | 'unspecified';

/** A number that may be missing, with the reason it is. */
export interface Measured {
  value: number | null;
  missingReason: string;
}

/** A per-dimension map ("dx", "dp", "product", "active") in the point's shape. */
export interface MapView {
  name: string;
  shape: number[];
  values: number[];
}

export interface UncertaintyView {
  estimator: EstimatorName;
  space: SpaceName;
  dx: Measured;
  dp: Measured;
  product: Measured;
  missingReason: string;
  warnings: string[];
  maps: MapView[];
}

export interface EpochView {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  robustPixel: Measured;
  robustFeature: Measured;
  uncertainty: UncertaintyView[];
  trainSeconds: number;
  evaluationSeconds: number;
  imagesPerSecond: number;
  hasEmbedding: boolean;
}

export interface EmbeddingView {
  epoch: number;
  clean: { x: number[]; y: number[]; labels: number[]; predictions: number[]; confidence: number[] };
  adversarial: { x: number[]; y: number[]; predictions: number[] };
  /** G×G predicted class and confidence, row-major from (x_min, y_min); null when the snapshot has none. */
  regions: { size: number; classes: number[]; confidence: number[] } | null;
  /** [x_min, x_max, y_min, y_max] */
  bounds: number[];
}

export interface StatusEventView {
  kind: 'status';
  seq: number;
  runId: string;
  state: RunStateName;
  reason: string;
  atMs: number;
  name: string;
  dataset: string;
  architecture: string;
  epochsPlanned: number;
}

export interface EpochEventView {
  kind: 'epoch';
  seq: number;
  runId: string;
  metrics: EpochView;
}

export interface ProgressEventView {
  kind: 'progress';
  seq: 0;
  runId: string;
  epoch: number;
  stage: string;
  done: number;
  total: number;
  unit: string;
  ratePerSecond: number;
}

export interface EmbeddingEventView {
  kind: 'embedding';
  seq: number;
  runId: string;
  embedding: EmbeddingView;
}

export type DashboardEvent = StatusEventView | EpochEventView | ProgressEventView | EmbeddingEventView;

/** The page's configuration, served at /api/config (no inline script may carry it). */
export interface PageConfig {
  faroUrl: string;
  appName: string;
  appVersion: string;
  /** The server can draw the paper's figures (it has a training-service to read run records from). */
  figures: boolean;
}
