// Shared Jest settings: TypeScript through SWC (fast, no type-check; `npm run typecheck` does that).
module.exports = (displayName, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  testTimeout: 60_000,
  // A suite whose test failed midway may leave a handle open; never let that hang CI after the results are in.
  forceExit: true,
  reporters: ['default', require.resolve('./tools/dev/jest-count-reporter.cjs')],
  ...extra,
});
