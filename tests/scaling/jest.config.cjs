// Starts service processes (tsx): give them time to load TensorFlow.js.
module.exports = require('../../jest.preset.cjs')('scaling-tests', { testTimeout: 120_000 });
