module.exports = require('../../jest.preset.cjs')('backend');
