module.exports = require('../../jest.preset.cjs')('training-service');
