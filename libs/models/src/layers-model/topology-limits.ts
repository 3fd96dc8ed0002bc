import { ModelSpecError } from '../model-spec-error';

/**
 * Bounds on a caller's Layers topology, checked before anything is parsed or allocated, so a hostile
 * model.json costs a service at most a few milliseconds and no memory worth speaking of.
 */
export const LAYERS_LIMITS = {
  /** Bytes of model_topology_json. */
  maxTopologyBytes: 1 << 20,
  /** Nesting of JSON objects and arrays (a Keras config is about 6 deep). */
  maxDepth: 64,
  /** Layers in the chain. */
  maxLayers: 256,
  /** Any dimension of any layer's output, and any size in a layer's config (units, filters, kernel …). */
  maxDimension: 65_536,
  /** Values of every weight together (float32: 64 MiB). */
  maxWeights: 16 * 1024 * 1024,
  /** Values of any one layer's output for one image (a batch of 100 then needs at most 400 MiB per layer). */
  maxActivations: 1024 * 1024,
} as const;

export const TOPOLOGY_FIELD = 'layers.model_topology_json';

/**
 * The nesting depth of a JSON text, counted without parsing it (brackets inside strings skipped), so a
 * text nested a million levels deep is refused before JSON.parse or any recursive walk sees it.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** Parses model_topology_json within the size and depth limits; anything else is a ModelSpecError. */
export function parseTopologyJson(text: string): unknown {
  if (!text) throw new ModelSpecError('invalid', TOPOLOGY_FIELD, 'required when architecture is "layers" (model.json\'s "modelTopology" as JSON text)');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LAYERS_LIMITS.maxTopologyBytes) throw new ModelSpecError('invalid', TOPOLOGY_FIELD, `${bytes} bytes, more than the limit of ${LAYERS_LIMITS.maxTopologyBytes}`);
  const depth = jsonDepth(text);
  if (depth > LAYERS_LIMITS.maxDepth) throw new ModelSpecError('invalid', TOPOLOGY_FIELD, `nested ${depth} levels deep, more than the limit of ${LAYERS_LIMITS.maxDepth}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelSpecError('invalid', TOPOLOGY_FIELD, `not JSON (${(error as Error).message})`);
  }
}
