module.exports = require('../../jest.preset.cjs')('attacks');
