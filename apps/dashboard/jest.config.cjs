// The figures route draws with libs/report, whose d3 modules ship as ES modules only (.mjs): let SWC compile them too.
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = require('../../jest.preset.cjs')('dashboard', {
  transform: { '^.+\\.[tj]s$': swc, '^.+\\.mjs$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(d3-[a-z-]+|internmap)/)'],
});
