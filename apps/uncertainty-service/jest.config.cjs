module.exports = require('../../jest.preset.cjs')('uncertainty-service');
