module.exports = require('../../jest.preset.cjs')('proto');
