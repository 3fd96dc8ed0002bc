// Finds fields Kubernetes does not know in rendered objects (a typo such as `readinesProbe` is silently
// dropped by the API server's client-side decoding). The kubernetes-models JSON schemas allow additional
// properties, but its TypeScript interfaces are generated from the same OpenAPI spec and the compiler's
// excess-property check on object literals rejects any field they do not declare — like kubeconform --strict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

export interface LabelledObject {
  /** Where the object came from, for messages: e.g. "values.yaml (defaults): Deployment demo-data-service". */
  label: string;
  object: Record<string, unknown>;
}

/** The module with the model of an apiVersion/kind: the Kubernetes API's own, or cert-manager's CRDs (Certificate). */
export function modelModule(apiVersion: string, kind: string): string {
  const models = apiVersion.startsWith('cert-manager.io/') ? '@kubernetes-models/cert-manager' : 'kubernetes-models';
  return `${models}/${apiVersion}/${kind}`;
}

/** One message per object with a field its Kubernetes type does not declare. */
export function findUnknownFields(objects: LabelledObject[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'conjugate-k8s-fields-'));
  try {
    const files = objects.map(({ object }, index) => {
      const apiVersion = String(object.apiVersion);
      const kind = String(object.kind);
      const file = join(dir, `object${index}.ts`);
      writeFileSync(
        file,
        `import type { I${kind} } from '${modelModule(apiVersion, kind)}';\n` +
          `export const object: I${kind} = ${JSON.stringify(object, null, 1)};\n`,
      );
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      baseUrl: resolve(__dirname, '../../node_modules'),
      types: [],
    });
    const problems = new Map<number, string[]>();
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const index = files.indexOf(diagnostic.file?.fileName ?? '');
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      const key = index >= 0 ? index : -1;
      problems.set(key, [...(problems.get(key) ?? []), message]);
    }
    return [...problems.entries()].map(([index, messages]) => `${index >= 0 ? objects[index].label : '(compiler)'}: ${messages.join('; ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
