module.exports = require('../../jest.preset.cjs')('data-service');
