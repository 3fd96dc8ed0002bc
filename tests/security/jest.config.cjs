// Starts every service as a process (tsx) with mutual TLS: give them time to load TensorFlow.js.
module.exports = require('../../jest.preset.cjs')('security-tests', { testTimeout: 120_000 });
