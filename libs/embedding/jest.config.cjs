module.exports = require('../../jest.preset.cjs')('embedding');
