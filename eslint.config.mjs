// Lint: typescript-eslint recommended + Nx module boundaries.
// Tags: type:app (the CLI) | type:service (a deployable that also exports start(), so the CLI can
// embed it) | type:lib, scope:science (pure maths/tf: no gRPC, no NATS), scope:infra.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules', '**/dist', 'libs/proto/src/gen/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', {
        allow: [],
        depConstraints: [
          { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
          { sourceTag: 'scope:science', onlyDependOnLibsWithTags: ['scope:science', 'scope:contract'],
            bannedExternalImports: ['@grpc/*', '@nats-io/*', 'nats', 'grpc-health-check'] },
          { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
          { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:service'] },
        ],
      }],
    },
  },
];
