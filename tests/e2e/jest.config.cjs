// One long test: services start as processes and a run trains and is measured for real.
module.exports = require('../../jest.preset.cjs')('e2e', { testTimeout: 300_000 });
