module.exports = require('../../jest.preset.cjs')('clients');
