module.exports = require('../../jest.preset.cjs')('evaluation');
